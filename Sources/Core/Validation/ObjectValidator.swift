/// Reads the fields of a JSON object body one by one and collects every problem with its dot path,
/// so a client learns about all mistakes in one round trip. Unknown fields are ignored. An explicit
/// `null` is not an absent field: it is refused like any other wrong type ("Expected string, received
/// null"), as Craftkit's schemas have it, except where a reader says `nullable: true` (a field whose
/// null means "clear it").
///
/// ```swift
/// var v = try ObjectValidator(body)
/// let org = v.string("externalOrgId", length: 1...160)
/// try v.finish(status: 400)   // throws invalid_request with issues.fieldErrors when anything failed
/// ```
public struct ObjectValidator: Sendable {
    public private(set) var issues = ValidationIssues()
    private let members: [String: JSONValue]
    private let prefix: String

    /// Fails with a form error when the body is not a JSON object.
    public init(_ value: JSONValue, path prefix: String = "") throws {
        guard case .object(let members) = value else {
            var issues = ValidationIssues()
            issues.add("Expected object, received \(value.typeName)", at: prefix.isEmpty ? nil : prefix)
            throw AppError.invalidRequest(issues)
        }
        self.members = members
        self.prefix = prefix
    }

    private func path(_ key: String) -> String { prefix.isEmpty ? key : "\(prefix).\(key)" }

    /// The member to read further, or nil: absent (an issue if required), or null — an issue unless
    /// `nullable`, when it reads as absent.
    private mutating func present(_ key: String, required: Bool = false, nullable: Bool) -> JSONValue? {
        switch members[key] {
        case nil:
            if required { fail(key, "Required") }
            return nil
        case .null?:
            if required {
                fail(key, "Required")
            } else if !nullable {
                fail(key, "Must not be null; leave the field out instead")
            }
            return nil
        case let value?:
            return value
        }
    }

    public mutating func fail(_ key: String, _ message: String) {
        issues.add(message, at: path(key))
    }

    /// A string field. `nil` when absent (and not required) or invalid (an issue is recorded).
    public mutating func string(_ key: String, required: Bool = false, length: ClosedRange<Int>? = nil, nullable: Bool = false) -> String? {
        guard let value = present(key, required: required, nullable: nullable) else { return nil }
        guard case .string(let string) = value else {
            fail(key, "Expected string, received \(value.typeName)")
            return nil
        }
        if let length {
            // Unicode scalars, as JSON Schema's minLength/maxLength count characters.
            let count = string.unicodeScalars.count
            if count < length.lowerBound {
                fail(key, length.lowerBound == 1 ? "Must not be empty" : "Must be at least \(length.lowerBound) characters")
                return nil
            }
            if count > length.upperBound {
                fail(key, "Must be at most \(length.upperBound) characters")
                return nil
            }
        }
        return string
    }

    /// An array of strings, each checked by `element` (which returns an error message or nil).
    public mutating func stringArray(
        _ key: String,
        maxCount: Int,
        nullable: Bool = false,
        element: (String) -> String? = { _ in nil }
    ) -> [String]? {
        guard let value = present(key, nullable: nullable) else { return nil }
        guard case .array(let items) = value else {
            fail(key, "Expected array, received \(value.typeName)")
            return nil
        }
        if items.count > maxCount {
            fail(key, "Must contain at most \(maxCount) items")
            return nil
        }
        var result: [String] = []
        var valid = true
        for (index, item) in items.enumerated() {
            let itemPath = "\(key)[\(index)]"
            guard case .string(let string) = item else {
                fail(itemPath, "Expected string, received \(item.typeName)")
                valid = false
                continue
            }
            if let message = element(string) {
                fail(itemPath, message)
                valid = false
                continue
            }
            result.append(string)
        }
        return valid ? result : nil
    }

    public mutating func bool(_ key: String, nullable: Bool = false) -> Bool? {
        guard let value = present(key, nullable: nullable) else { return nil }
        guard case .bool(let bool) = value else {
            fail(key, "Expected boolean, received \(value.typeName)")
            return nil
        }
        return bool
    }

    /// The raw member, without checks.
    public func raw(_ key: String) -> JSONValue? { members[key] }

    /// An object member. `nil` when absent (an issue if required) or not an object (an issue).
    public mutating func object(_ key: String, required: Bool = false, nullable: Bool = false) -> JSONValue? {
        guard let value = present(key, required: required, nullable: nullable) else { return nil }
        guard case .object = value else {
            fail(key, "Expected object, received \(value.typeName)")
            return nil
        }
        return value
    }

    /// An array member with at most `maxCount` elements.
    public mutating func array(_ key: String, required: Bool = false, maxCount: Int, nullable: Bool = false) -> [JSONValue]? {
        guard let value = present(key, required: required, nullable: nullable) else { return nil }
        guard case .array(let items) = value else {
            fail(key, "Expected array, received \(value.typeName)")
            return nil
        }
        guard items.count <= maxCount else {
            fail(key, "Must contain at most \(maxCount) items")
            return nil
        }
        return items
    }

    /// A whole number within `range`.
    public mutating func integer(_ key: String, range: ClosedRange<Int>, nullable: Bool = false) -> Int? {
        guard let value = present(key, nullable: nullable) else { return nil }
        guard case .number(let number) = value, number.rounded() == number, let integer = Int(exactly: number) else {
            fail(key, "Expected integer, received \(value.typeName)")
            return nil
        }
        guard range.contains(integer) else {
            fail(key, "Must be between \(range.lowerBound) and \(range.upperBound)")
            return nil
        }
        return integer
    }

    /// Adds issues found elsewhere (a nested validator, a nested parser); their paths are kept as they are.
    public mutating func record(_ other: ValidationIssues) {
        issues.merge(other)
    }

    /// Throws `invalid_request` with every recorded issue, if any.
    public func finish(status: Int = 400) throws {
        if !issues.isEmpty { throw AppError.invalidRequest(issues, status: status) }
    }
}
