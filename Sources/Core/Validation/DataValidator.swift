import Foundation

/// Validates and coerces render `data` against a published manifest (docs/api.md#render-data): scalars
/// nested by dot-path, loops as top-level arrays of item objects, numeric and boolean strings coerced,
/// URLs http(s) only, unknown keys stripped, required enforced, loops capped. Problems come back with
/// precise paths (`customer.name`, `items[3].qty`) as 400 `invalid_input_data`.
public enum DataValidator {
    public static let maxLoopItems = 10_000

    public static func validate(_ data: JSONValue, against manifest: Manifest) throws -> JSONValue {
        var issues = ValidationIssues()
        guard case .object = data else {
            issues.add("Expected object, received \(data.typeName)", at: "data")
            throw invalid(issues)
        }
        var output: JSONValue = .object([:])
        for variable in manifest.variables {
            check(variable, in: data, prefix: "", into: &output, issues: &issues)
        }
        for loop in manifest.loops {
            guard let value = data[loop.key], value != .null else { continue }
            guard case .array(let items) = value else {
                issues.add("Expected array, received \(value.typeName)", at: loop.key)
                continue
            }
            guard items.count <= maxLoopItems else {
                issues.add("Must contain at most \(maxLoopItems) items (got \(items.count))", at: loop.key)
                continue
            }
            var rows: [JSONValue] = []
            rows.reserveCapacity(items.count)
            for (index, item) in items.enumerated() {
                let itemPath = "\(loop.key)[\(index)]"
                guard case .object = item else {
                    issues.add("Expected object, received \(item.typeName)", at: itemPath)
                    continue
                }
                var row: JSONValue = .object([:])
                for field in loop.itemFields {
                    check(field, in: item, prefix: itemPath + ".", into: &row, issues: &issues)
                }
                rows.append(row)
            }
            output.set(path: [loop.key], to: .array(rows))
        }
        if !issues.isEmpty { throw invalid(issues) }
        return output
    }

    static func invalid(_ issues: ValidationIssues) -> AppError {
        AppError(status: 400, code: "invalid_input_data", message: "data does not match the template's manifest: \(issues.summary)", issues: issues)
    }

    static func check(
        _ variable: VariableDefinition, in source: JSONValue, prefix: String, into output: inout JSONValue, issues: inout ValidationIssues
    ) {
        let segments = variable.key.split(separator: ".").map(String.init)
        let path = prefix + variable.key
        var value: JSONValue? = source
        for segment in segments { value = value?[segment] }
        guard let value, value != .null else {
            if variable.required { issues.add("Required", at: path) }
            return
        }
        switch coerce(value, to: variable.dataType) {
        case .success(let coerced): output.set(path: segments, to: coerced)
        case .failure(let problem): issues.add(problem.message, at: path)
        }
    }

    struct Problem: Error { let message: String }

    static func coerce(_ value: JSONValue, to type: DataType) -> Result<JSONValue, Problem> {
        switch (type, value) {
        case (.text, .string), (.longtext, .string):
            return .success(value)
        case (.text, .number(let n)), (.longtext, .number(let n)):
            // Numbers where text is expected are common in partner payloads (ids, zip codes): keep their text.
            return .success(.string(n.rounded() == n && abs(n) < 1e15 ? String(Int64(n)) : String(n)))
        case (.number, .number(let n)), (.currency, .number(let n)):
            return n.isFinite ? .success(value) : .failure(Problem(message: "Expected a finite number"))
        case (.number, .string(let s)), (.currency, .string(let s)):
            let trimmed = s.trimmingCharacters(in: .whitespaces)
            guard let n = Double(trimmed), n.isFinite, !trimmed.isEmpty else {
                return .failure(Problem(message: "Expected number, received \"\(s.prefix(40))\""))
            }
            return .success(.number(n))
        case (.boolean, .bool):
            return .success(value)
        case (.boolean, .string(let s)) where s == "true" || s == "false":
            return .success(.bool(s == "true"))
        case (.date, .string(let s)):
            return isISODate(s) || isISODateTime(s) ? .success(value) : .failure(Problem(message: "Expected an ISO date (YYYY-MM-DD)"))
        case (.datetime, .string(let s)):
            return isISODateTime(s) || isISODate(s) ? .success(value) : .failure(Problem(message: "Expected an ISO 8601 date-time"))
        case (.image, .string(let s)), (.url, .string(let s)):
            return Formats.isHTTPURL(s) ? .success(value) : .failure(Problem(message: "Expected an http(s) URL"))
        case (.email, .string(let s)):
            return Formats.isEmail(s) ? .success(value) : .failure(Problem(message: "Expected an email address"))
        default:
            let expected: String
            switch type {
            case .text, .longtext, .date, .datetime, .image, .url, .email: expected = "string"
            case .number, .currency: expected = "number"
            case .boolean: expected = "boolean"
            }
            return .failure(Problem(message: "Expected \(expected), received \(value.typeName)"))
        }
    }

    static func isISODate(_ s: String) -> Bool {
        let parts = s.split(separator: "-", omittingEmptySubsequences: false)
        guard s.count == 10, parts.count == 3, let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]),
            parts[0].count == 4, (1...12).contains(month), (1...31).contains(day), year > 0
        else { return false }
        var components = DateComponents(year: year, month: month, day: day)
        components.calendar = Calendar(identifier: .gregorian)
        return components.isValidDate
    }

    static func isISODateTime(_ s: String) -> Bool { Formats.dateTime(s) != nil }
}

extension JSONValue {
    /// Sets a nested member, creating intermediate objects.
    public mutating func set(path: [String], to value: JSONValue) {
        guard let first = path.first else {
            self = value
            return
        }
        var members: [String: JSONValue] = [:]
        if case .object(let existing) = self { members = existing }
        var child = members[first] ?? .object([:])
        child.set(path: Array(path.dropFirst()), to: value)
        members[first] = child
        self = .object(members)
    }
}
