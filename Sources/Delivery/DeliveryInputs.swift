import Core
import Foundation

/// `POST /v1/renders/:id/shares`.
public struct ShareInput: Sendable, Equatable {
    public var channel: ShareChannel
    public var recipientEmail: String?
    public var message: String?
    public var expiresAt: Int64?

    public init(channel: ShareChannel = .link, recipientEmail: String? = nil, message: String? = nil, expiresAt: Int64? = nil) {
        self.channel = channel
        self.recipientEmail = recipientEmail
        self.message = message
        self.expiresAt = expiresAt
    }

    /// Every problem at once: `channel` link|email, `recipientEmail` required for email, `message` ≤ 2000,
    /// `expiresAt` an RFC 3339 date-time.
    public init(json: JSONValue) throws {
        var fields = try ObjectValidator(json)
        let channelText = fields.string("channel", length: 1...16)
        let channel = channelText.map { ShareChannel(rawValue: $0) } ?? .link
        if channelText != nil, channel == nil { fields.fail("channel", "Must be link or email") }
        let email = fields.string("recipientEmail", length: 3...254)
        if let email, EmailAddress.make(address: email, displayName: nil) == nil {
            fields.fail("recipientEmail", "Must be an email address")
        }
        if channel == .email, fields.raw("recipientEmail") == nil || fields.raw("recipientEmail") == .null {
            fields.fail("recipientEmail", "Required when channel is email")
        }
        let message = fields.string("message", length: 0...DeliveryService.maxMessageLength)
        let expiresAt = DeliveryInputs.dateTime(&fields, "expiresAt")
        try fields.finish()
        self.init(channel: channel ?? .link, recipientEmail: email, message: message, expiresAt: expiresAt)
    }
}

/// `POST /v1/renders/:id/email`.
public struct EmailInput: Sendable, Equatable {
    public var to: EmailAddress
    public var recipientName: String?
    public var message: String?
    public var expiresAt: Int64?

    public init(json: JSONValue) throws {
        var fields = try ObjectValidator(json)
        let to = fields.string("to", required: true, length: 3...254)
        let name = fields.string("recipientName", length: 0...DeliveryService.maxRecipientNameLength)
        let address = to.flatMap { EmailAddress.make(address: $0, displayName: nil) }
        if to != nil, address == nil { fields.fail("to", "Must be one email address") }
        if let name, EmailAddress.make(address: "check@example.com", displayName: name) == nil {
            fields.fail("recipientName", "Must be plain text on one line, without < > or quotes")
        }
        let message = fields.string("message", length: 0...DeliveryService.maxMessageLength)
        let expiresAt = DeliveryInputs.dateTime(&fields, "expiresAt")
        try fields.finish()
        // `to` is validated above; the display name is the greeting name, clean by the same rule.
        self.to = EmailAddress.make(address: address!.address, displayName: name.flatMap { $0.isEmpty ? nil : $0 })!
        self.recipientName = name.flatMap { $0.isEmpty ? nil : $0 }
        self.message = message
        self.expiresAt = expiresAt
    }
}

/// `POST /v1/renders/:id/events`.
public struct PartnerEventInput: Sendable, Equatable {
    public var type: EngagementType
    /// `metadata` as JSON text, or nil.
    public var metadataJSON: String?

    public init(json: JSONValue) throws {
        var fields = try ObjectValidator(json)
        let typeText = fields.string("eventType", required: true, length: 1...32)
        let type = typeText.flatMap { EngagementType(rawValue: $0) }.flatMap { EngagementType.partnerRecordable.contains($0) ? $0 : nil }
        if typeText != nil, type == nil {
            fields.fail("eventType", "Must be viewed, downloaded or printed (the other types are recorded by the server)")
        }
        var metadata: String?
        if let value = fields.object("metadata") {
            if let problem = DataLimits.data.violation(in: value, at: "metadata") {
                var issues = ValidationIssues()
                issues.add(problem.message, at: problem.path)
                fields.record(issues)
            } else {
                let text = value.serializedString
                if text.utf8.count > DeliveryService.maxMetadataBytes {
                    fields.fail("metadata", "Must serialize to at most \(DeliveryService.maxMetadataBytes) bytes")
                } else {
                    metadata = text
                }
            }
        }
        try fields.finish()
        self.type = type!
        self.metadataJSON = metadata
    }
}

enum DeliveryInputs {
    /// An optional RFC 3339 date-time field as epoch milliseconds.
    static func dateTime(_ fields: inout ObjectValidator, _ key: String) -> Int64? {
        guard let text = fields.string(key, length: 1...40) else { return nil }
        guard let date = Formats.dateTime(text) else {
            fields.fail(key, "Must be an RFC 3339 date-time such as 2026-12-31T23:59:59Z")
            return nil
        }
        // Rounded, not floored: a parsed ".123" can come back as 0.12299999… seconds.
        return Int64((date.timeIntervalSince1970 * 1000).rounded())
    }
}
