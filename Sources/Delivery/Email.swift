import Core

/// An address with an optional display name. Both are validated when built (`EmailAddress.parse`), so a
/// provider can put them in a header as they are: neither can carry a line break, a second address or
/// a header of its own (docs/decisions/0015-delivery.md).
public struct EmailAddress: Sendable, Equatable, CustomStringConvertible {
    /// `local@domain`, ASCII, at most 254 bytes.
    public let address: String
    /// Free text without control characters, at most 200 characters; encoded by the provider.
    public let displayName: String?

    /// `"Acme <docs@acme.com>"` or `"docs@acme.com"`: nil unless it is exactly one well-formed address.
    public static func parse(_ text: String) -> EmailAddress? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.hasSuffix(">"), let open = trimmed.lastIndex(of: "<") {
            var name = String(trimmed[..<open]).trimmingCharacters(in: .whitespaces)
            if name.hasPrefix("\""), name.hasSuffix("\""), name.count >= 2 { name = String(name.dropFirst().dropLast()) }
            let address = String(trimmed[trimmed.index(after: open)..<trimmed.index(before: trimmed.endIndex)])
            return make(address: address, displayName: name.isEmpty ? nil : name)
        }
        return make(address: trimmed, displayName: nil)
    }

    /// nil unless `address` is a plain `local@domain` and `displayName` is clean.
    public static func make(address: String, displayName: String?) -> EmailAddress? {
        guard isPlainAddress(address) else { return nil }
        if let displayName {
            guard displayName.count <= 200, !displayName.contains(where: { $0.isNewline }),
                !displayName.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }),
                !displayName.contains("<"), !displayName.contains(">"), !displayName.contains("\"")
            else { return nil }
        }
        return EmailAddress(address: address, displayName: displayName)
    }

    private init(address: String, displayName: String?) {
        self.address = address
        self.displayName = displayName
    }

    /// A deliberately narrow addr-spec: printable ASCII without spaces, quotes, brackets, commas or
    /// semicolons in the local part; a dotted domain of letters, digits and hyphens.
    static func isPlainAddress(_ text: String) -> Bool {
        guard text.utf8.count <= 254, text.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7f }) else { return false }
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, (1...64).contains(parts[0].count), !parts[1].isEmpty else { return false }
        let localAllowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.!#$%&'*+-/=?^_`{|}~")
        guard parts[0].allSatisfy({ localAllowed.contains($0) }), !parts[0].hasPrefix("."), !parts[0].hasSuffix("."),
            !parts[0].contains("..")
        else { return false }
        let labels = parts[1].split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2 else { return false }
        return labels.allSatisfy { label in
            (1...63).contains(label.count) && !label.hasPrefix("-") && !label.hasSuffix("-")
                && label.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
        }
    }

    public var description: String { displayName.map { "\($0) <\(address)>" } ?? address }
}

/// One email to send: one sender, one recipient, an HTML and a plain-text body.
public struct EmailMessage: Sendable, Equatable {
    public var from: EmailAddress
    public var to: EmailAddress
    /// One line; line breaks are replaced by spaces when the message is built.
    public var subject: String
    public var html: String
    public var text: String

    public init(from: EmailAddress, to: EmailAddress, subject: String, html: String, text: String) {
        self.from = from
        self.to = to
        self.subject = String(subject.map { $0.isNewline ? " " : $0 }.prefix(300))
        self.html = html
        self.text = text
    }
}

/// Why a send failed. `rejected` is the provider's answer (bad sender, unknown domain: 502
/// `email_send_failed` to the partner); `unavailable` is a network failure or 5xx after retries.
public enum EmailSendError: Error, Sendable, Equatable, CustomStringConvertible {
    case rejected(String)
    case unavailable(String)

    public var description: String {
        switch self {
        case .rejected(let reason): "the email provider refused the message: \(reason)"
        case .unavailable(let reason): "the email provider could not be reached: \(reason)"
        }
    }
}

/// Sends one message and returns the provider's message id (Resend's `id`, or the `Message-ID` given
/// to the SMTP server).
public protocol EmailSender: Sendable {
    /// A short name for logs and health (`resend`, `smtp`).
    var provider: String { get }
    func send(_ message: EmailMessage) async throws -> String
}
