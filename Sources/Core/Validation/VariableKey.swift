/// The key rules shared by manifests and catalogs: a key is `^[a-zA-Z_][a-zA-Z0-9_]*$`; a dot-path is
/// keys joined by dots (`customer.name`).
public enum VariableKey {
    public static func isKey(_ key: String) -> Bool {
        guard let first = key.unicodeScalars.first, first == "_" || (first.isASCII && first.properties.isAlphabetic) else { return false }
        return key.unicodeScalars.allSatisfy { $0 == "_" || ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) }
    }

    public static func isDotPath(_ key: String) -> Bool {
        !key.hasSuffix(".") && !key.contains("..") && key.split(separator: ".").allSatisfy { isKey(String($0)) }
    }
}
