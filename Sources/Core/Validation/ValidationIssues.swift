/// Zod-`flatten()`-shaped validation issues, the `issues` member of the error envelope:
/// `formErrors` for problems with the body as a whole, `fieldErrors` keyed by dot path
/// (`customer.name`, `items[3].qty`).
public struct ValidationIssues: Sendable, Equatable, Codable {
    public var formErrors: [String]
    public var fieldErrors: [String: [String]]

    public init(formErrors: [String] = [], fieldErrors: [String: [String]] = [:]) {
        self.formErrors = formErrors
        self.fieldErrors = fieldErrors
    }

    public var isEmpty: Bool { formErrors.isEmpty && fieldErrors.isEmpty }

    public mutating func add(_ message: String, at path: String?) {
        if let path, !path.isEmpty {
            fieldErrors[path, default: []].append(message)
        } else {
            formErrors.append(message)
        }
    }

    public mutating func merge(_ other: ValidationIssues) {
        formErrors += other.formErrors
        for (path, messages) in other.fieldErrors { fieldErrors[path, default: []] += messages }
    }

    /// One human-readable line: the first few problems, paths first.
    public var summary: String {
        let fields = fieldErrors.keys.sorted().map { "\($0): \(fieldErrors[$0]!.joined(separator: "; "))" }
        let all = formErrors + fields
        guard !all.isEmpty else { return "The request is invalid." }
        let shown = all.prefix(3).joined(separator: "; ")
        return all.count > 3 ? "Invalid request: \(shown); and \(all.count - 3) more." : "Invalid request: \(shown)."
    }
}
