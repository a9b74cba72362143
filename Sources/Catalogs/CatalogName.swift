/// Catalog names (docs/api.md#variable-catalogs): `^[a-z0-9][a-z0-9-]*$`, 1–120 characters. Posting
/// an existing name creates that catalog's next version.
public enum CatalogName {
    public static let maxLength = 120

    /// nil when valid, else the message for `issues.fieldErrors.name`.
    public static func problem(with name: String) -> String? {
        guard !name.isEmpty else { return "Must not be empty" }
        guard name.count <= maxLength else { return "Must be at most \(maxLength) characters" }
        let scalars = Array(name.unicodeScalars)
        let isLowerAlphanumeric: (Unicode.Scalar) -> Bool = { ("a"..."z").contains($0) || ("0"..."9").contains($0) }
        guard isLowerAlphanumeric(scalars[0]), scalars.allSatisfy({ isLowerAlphanumeric($0) || $0 == "-" }) else {
            return "Must start with a lower-case letter or digit and contain only a-z, 0-9 and \"-\""
        }
        return nil
    }
}
