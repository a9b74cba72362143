import Core
import Foundation

/// `POST /v1/signatures`, validated for shape (docs/signatures.md#the-api). What depends on the render (its
/// status, page count, anchor text) is checked by the service and the anchor locator afterwards.
public struct SignatureRequestInput: Sendable, Equatable {
    public struct Recipient: Sendable, Equatable {
        public var firstName: String
        public var lastName: String?
        public var email: String
        public var designation: String
        public var order: Int?
    }

    public struct Field: Sendable, Equatable {
        public var page: Int
        public var x: Double
        public var y: Double
        public var width: Double
        public var height: Double
        public var type: SignatureFieldType
        public var recipientIndex: Int
        public var required: Bool

        public init(
            page: Int, x: Double, y: Double, width: Double, height: Double, type: SignatureFieldType, recipientIndex: Int, required: Bool
        ) {
            self.page = page
            self.x = x
            self.y = y
            self.width = width
            self.height = height
            self.type = type
            self.recipientIndex = recipientIndex
            self.required = required
        }
    }

    public struct Anchor: Sendable, Equatable {
        public var anchorString: String
        public var type: SignatureFieldType
        public var recipientIndex: Int
        public var required: Bool
        /// Points; the box defaults to the anchor text's own box.
        public var width: Double?
        public var height: Double?
    }

    public static let maxRecipients = 20
    public static let maxFields = 200
    public static let defaultExpirationHours = 168
    public static let designations = ["Signer"]

    public var renderID: String
    public var name: String?
    public var recipients: [Recipient]
    public var fields: [Field]
    public var anchors: [Anchor]
    public var expirationHours: Int
    /// Remind recipients who have not acted this many hours after their invitation and after each
    /// reminder (1–720; an extension of the reference).
    public var reminderHours: Int?
    /// SHA-256 of the body as validated (sorted keys): a replayed key must carry the same request.
    public var requestHash: String

    /// Every problem at once; 400 `invalid_request` with `issues`.
    public init(json: JSONValue) throws {
        var body = try ObjectValidator(json)
        let renderID = body.string("renderId", required: true, length: 1...64)
        if let renderID, UUID(uuidString: renderID) == nil { body.fail("renderId", "Must be a UUID") }
        let name = body.string("name", length: 1...255)
        // The name goes into invitation subjects and the certificate: one line of text.
        if let name, name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            body.fail("name", "Must not contain line breaks or control characters")
        }
        let expiration = body.integer("expirationHours", range: 1...8760)
        let reminder = body.integer("reminderHours", range: 1...720)
        var recipients: [Recipient] = []
        if let items = body.array("recipients", required: true, maxCount: Self.maxRecipients) {
            if items.isEmpty { body.fail("recipients", "Must contain at least 1 item") }
            for (index, item) in items.enumerated() {
                guard var fields = Self.object(item, path: "recipients[\(index)]", into: &body) else { continue }
                let first = fields.string("firstName", required: true, length: 1...100)
                let last = fields.string("lastName", length: 0...100)
                let email = fields.string("email", required: true, length: 1...255)
                if let email, !Self.isPlainEmail(email) { fields.fail("email", "Must be an email address") }
                let designation = fields.string("designation", length: 1...50) ?? "Signer"
                if !Self.designations.contains(designation) { fields.fail("designation", "Must be Signer") }
                let order = fields.integer("order", range: 1...Self.maxRecipients)
                body.record(fields.issues)
                if let first, let email, fields.issues.isEmpty {
                    recipients.append(Recipient(firstName: first, lastName: last, email: email, designation: designation, order: order))
                }
            }
            if recipients.count == items.count { Self.checkOrder(recipients, into: &body) }
        }
        var fields: [Field] = []
        for (index, item) in (body.array("fields", maxCount: Self.maxFields) ?? []).enumerated() {
            guard var field = Self.object(item, path: "fields[\(index)]", into: &body) else { continue }
            let page = field.integer("page", range: 1...100_000)
            if field.raw("page") == nil { field.fail("page", "Required") }
            let x = Self.percentage(&field, "x")
            let y = Self.percentage(&field, "y")
            let width = Self.percentage(&field, "width", positive: true)
            let height = Self.percentage(&field, "height", positive: true)
            if let x, let width, x + width > 100 { field.fail("width", "x + width must be at most 100") }
            if let y, let height, y + height > 100 { field.fail("height", "y + height must be at most 100") }
            let type = Self.type(&field)
            let recipient = Self.recipientIndex(&field, count: recipients.count)
            let required = field.bool("required") ?? true
            body.record(field.issues)
            if let page, let x, let y, let width, let height, let type, let recipient, field.issues.isEmpty {
                fields.append(
                    Field(page: page, x: x, y: y, width: width, height: height, type: type, recipientIndex: recipient, required: required))
            }
        }
        var anchors: [Anchor] = []
        for (index, item) in (body.array("anchorTags", maxCount: Self.maxFields) ?? []).enumerated() {
            guard var anchor = Self.object(item, path: "anchorTags[\(index)]", into: &body) else { continue }
            let text = anchor.string("anchorString", required: true, length: 1...200)
            let type = Self.type(&anchor)
            let recipient = Self.recipientIndex(&anchor, count: recipients.count)
            let required = anchor.bool("required") ?? true
            let width = Self.points(&anchor, "width")
            let height = Self.points(&anchor, "height")
            body.record(anchor.issues)
            if let text, let type, let recipient, anchor.issues.isEmpty {
                anchors.append(
                    Anchor(anchorString: text, type: type, recipientIndex: recipient, required: required, width: width, height: height))
            }
        }
        if body.issues.isEmpty {
            for (index, recipient) in recipients.enumerated() where recipient.designation == "Signer" {
                if !fields.contains(where: { $0.recipientIndex == index }) && !anchors.contains(where: { $0.recipientIndex == index }) {
                    body.fail("recipients[\(index)]", "A Signer needs at least one field or anchor tag")
                }
            }
        }
        try body.finish()
        self.renderID = renderID!.lowercased()
        self.name = name
        self.recipients = recipients
        self.fields = fields
        self.anchors = anchors
        self.expirationHours = expiration ?? Self.defaultExpirationHours
        self.reminderHours = reminder
        self.requestHash = Hex.sha256(json.serialized)
    }

    /// One plain ASCII `local@domain` address: it goes into an email header as it is.
    static func isPlainEmail(_ text: String) -> Bool {
        Formats.isEmail(text) && text.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7f && !Array("\"(),:;<>[\\]".utf8).contains($0) }
    }

    /// Orders are all absent, or all present and exactly 1…N.
    static func checkOrder(_ recipients: [Recipient], into body: inout ObjectValidator) {
        let orders = recipients.compactMap(\.order)
        guard !orders.isEmpty else { return }
        if orders.count != recipients.count {
            body.fail("recipients", "Give every recipient an order, or none")
        } else if orders.sorted() != Array(1...recipients.count) {
            body.fail("recipients", "Orders must be a permutation of 1 to \(recipients.count), each used once")
        }
    }

    static func object(_ item: JSONValue, path: String, into body: inout ObjectValidator) -> ObjectValidator? {
        do {
            return try ObjectValidator(item, path: path)
        } catch let error as AppError {
            if let issues = error.issues { body.record(issues) }
            return nil
        } catch {
            return nil
        }
    }

    static func type(_ fields: inout ObjectValidator) -> SignatureFieldType? {
        guard let text = fields.string("type", required: true, length: 1...20) else { return nil }
        guard let type = SignatureFieldType(rawValue: text) else {
            fields.fail("type", "Must be signature, initials, date or text")
            return nil
        }
        return type
    }

    static func recipientIndex(_ fields: inout ObjectValidator, count: Int) -> Int? {
        guard fields.raw("recipientIndex") != nil else {
            fields.fail("recipientIndex", "Required")
            return nil
        }
        guard let index = fields.integer("recipientIndex", range: 0...(Self.maxRecipients - 1)) else { return nil }
        guard index < count else {
            fields.fail("recipientIndex", "Out of range: there \(count == 1 ? "is 1 recipient" : "are \(count) recipients")")
            return nil
        }
        return index
    }

    static func number(_ fields: inout ObjectValidator, _ key: String, required: Bool) -> Double? {
        switch fields.raw(key) {
        case nil:
            if required { fields.fail(key, "Required") }
            return nil
        case .number(let value)?:
            return value.isFinite ? value : nil
        case let value?:
            fields.fail(key, "Expected number, received \(value.typeName)")
            return nil
        }
    }

    static func percentage(_ fields: inout ObjectValidator, _ key: String, positive: Bool = false) -> Double? {
        guard let value = number(&fields, key, required: true) else { return nil }
        guard (positive ? value > 0 : value >= 0), value <= 100 else {
            fields.fail(
                key, positive ? "Must be greater than 0 and at most 100 (percent of the page)" : "Must be from 0 to 100 (percent of the page)")
            return nil
        }
        return value
    }

    static func points(_ fields: inout ObjectValidator, _ key: String) -> Double? {
        guard let value = number(&fields, key, required: false) else { return nil }
        guard value > 0, value <= 2000 else {
            fields.fail(key, "Must be greater than 0 and at most 2000 (points)")
            return nil
        }
        return value
    }
}

/// `POST /v1/signatures/:id/cancel` and `POST /sign/:token/decline`: an optional reason.
public struct ReasonInput: Sendable, Equatable {
    public static let maxLength = 500
    public var reason: String?

    public init(json: JSONValue?) throws {
        guard let json else { return }
        var body = try ObjectValidator(json)
        reason = body.string("reason", length: 0...Self.maxLength).flatMap { $0.isEmpty ? nil : $0 }
        try body.finish()
    }
}

/// `POST /sign/:token/sign`: consent and one value per field.
public struct SignInput: Sendable, Equatable {
    public struct Value: Sendable, Equatable {
        public var field: Int
        public var text: String?
        public var image: [UInt8]?
    }

    public static let maxText = 500
    public static let maxImageBytes = 512 * 1024
    static let dataURLPrefix = "data:image/png;base64,"

    public var consent: Bool
    public var values: [Value]

    public init(json: JSONValue) throws {
        var body = try ObjectValidator(json)
        let consent = body.bool("consent")
        if body.raw("consent") == nil { body.fail("consent", "Required") }
        var values: [Value] = []
        var seen = Set<Int>()
        for (index, item) in (body.array("values", required: true, maxCount: SignatureRequestInput.maxFields) ?? []).enumerated() {
            guard var value = SignatureRequestInput.object(item, path: "values[\(index)]", into: &body) else { continue }
            let field = value.integer("field", range: 0...(SignatureRequestInput.maxFields - 1))
            if value.raw("field") == nil { value.fail("field", "Required") }
            let text = value.string("text", length: 0...Self.maxText)
            var image: [UInt8]?
            // A data URL of at most 512 KB decoded is at most ~700,000 characters: checked before decoding.
            if let url = value.string("image", length: 1...(Self.maxImageBytes / 3 * 4 + 4 + Self.dataURLPrefix.count)) {
                image = Self.png(dataURL: url)
                if image == nil { value.fail("image", "Must be a data:image/png;base64 URL of a PNG image of at most 512 KB") }
            }
            if let field {
                if !seen.insert(field).inserted { value.fail("field", "Field \(field) is given twice") }
            }
            body.record(value.issues)
            if let field, value.issues.isEmpty { values.append(Value(field: field, text: text, image: image)) }
        }
        try body.finish()
        self.consent = consent ?? false
        self.values = values
    }

    /// The PNG in a `data:image/png;base64,` URL, checked by its signature bytes (nil for anything else).
    static func png(dataURL: String) -> [UInt8]? {
        guard dataURL.hasPrefix(dataURLPrefix), let data = Data(base64Encoded: String(dataURL.dropFirst(dataURLPrefix.count))),
            data.count <= maxImageBytes, data.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        else { return nil }
        return Array(data)
    }
}
