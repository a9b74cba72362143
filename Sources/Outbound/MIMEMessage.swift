import Delivery
import Foundation

/// An `EmailMessage` as the RFC 5322 / MIME text an SMTP server receives: 7-bit ASCII only, every line far
/// below SMTP's 998-character limit, CRLF line breaks. Both bodies are base64 (no line of theirs can be read as a
/// header, a boundary or the SMTP end-of-data dot), and every header value is either plain printable
/// ASCII or RFC 2047 encoded words, so no text from a message — subject, display names — can start a
/// header line of its own, whatever it contains.
struct MIMEMessage {
    /// The text handed to the server after DATA (before dot-stuffing), ending with CRLF.
    let text: String
    /// The Message-ID header's value without its angle brackets: `random@sender-domain`.
    let messageID: String

    init(_ message: EmailMessage, date: Date = Date()) {
        let domain = message.from.address.split(separator: "@").last.map(String.init) ?? "localhost"
        messageID = "\(Self.randomHex(bytes: 16))@\(domain)"
        // "=_" cannot occur in base64 text, so the boundary never collides with a body line.
        let boundary = "=_craftkit_\(Self.randomHex(bytes: 12))"
        var lines = [
            Self.folded("From: " + Self.mailbox(message.from)),
            Self.folded("To: " + Self.mailbox(message.to)),
            "Subject: " + Self.unstructured(message.subject),
            "Date: " + Self.date(date),
            "Message-ID: <\(messageID)>",
            "MIME-Version: 1.0",
            "Content-Type: multipart/alternative;\r\n boundary=\"\(boundary)\"",
            "",
        ]
        for (type, body) in [("text/plain", message.text), ("text/html", message.html)] {
            lines += [
                "--" + boundary,
                "Content-Type: \(type); charset=utf-8",
                "Content-Transfer-Encoding: base64",
                "",
                Self.base64Lines(Self.canonicalLineBreaks(body)),
            ]
        }
        lines.append("--\(boundary)--")
        text = lines.joined(separator: "\r\n") + "\r\n"
    }

    /// `Name <addr>`, `"Name, Inc." <addr>` or `=?UTF-8?B?…?= <addr>`. The address itself is a plain
    /// addr-spec (`EmailAddress` admits nothing else).
    static func mailbox(_ address: EmailAddress) -> String {
        guard let name = address.displayName, !name.isEmpty else { return address.address }
        return phrase(name) + " <\(address.address)>"
    }

    /// A display name as an RFC 5322 phrase: atoms as they are, other printable ASCII as a quoted
    /// string, anything else (non-ASCII, or a control character such as CR or LF that should never
    /// get this far) as encoded words.
    static func phrase(_ name: String) -> String {
        guard isPlainPrintable(name) else { return encodedWords(name) }
        let atext = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+-/=?^_`{|}~ ")
        if name.allSatisfy({ atext.contains($0) }), !name.hasPrefix(" "), !name.hasSuffix(" "), !name.contains("  ") { return name }
        return quoted(name)
    }

    /// An address header longer than 78 characters broken before its `<addr>` (RFC 5322 §2.2.3
    /// folding: the next line starts with a space, so it continues the same header).
    static func folded(_ line: String) -> String {
        guard line.count > 78, let open = line.range(of: " <", options: .backwards) else { return line }
        return line.replacingCharacters(in: open, with: "\r\n <")
    }

    /// A quoted string (RFC 5322 §3.2.4) for printable ASCII text.
    static func quoted(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    /// An unstructured header value (the subject): as it is when it is short printable ASCII, else
    /// encoded words.
    static func unstructured(_ text: String) -> String {
        isPlainPrintable(text) && text.utf8.count <= 900 ? text : encodedWords(text)
    }

    /// Printable ASCII (space included) without `=?`, which a reader would take for an encoded word.
    static func isPlainPrintable(_ text: String) -> Bool {
        text.utf8.allSatisfy { (0x20...0x7e).contains($0) } && !text.contains("=?")
    }

    /// RFC 2047 B-encoded words of at most 75 characters, folded onto continuation lines (CRLF then a
    /// space, so each new line continues the same header). Whole characters only, so no word ends
    /// inside a UTF-8 sequence.
    static func encodedWords(_ text: String) -> String {
        // "=?UTF-8?B?" + 60 base64 characters + "?=" is 72; 60 base64 characters hold 45 bytes.
        var chunks: [[UInt8]] = []
        var chunk: [UInt8] = []
        for character in text {
            // A single character longer than 45 bytes (a long combining sequence) is cut: never a
            // line too long.
            let bytes = Array(String(character).utf8).prefix(45)
            if chunk.count + bytes.count > 45 {
                chunks.append(chunk)
                chunk = []
            }
            chunk += bytes
        }
        if !chunk.isEmpty || chunks.isEmpty { chunks.append(chunk) }
        return chunks.map { "=?UTF-8?B?\(Data($0).base64EncodedString())?=" }.joined(separator: "\r\n ")
    }

    /// Base64 in lines of 76 characters (RFC 2045 §6.8), CRLF between them.
    static func base64Lines(_ text: String) -> String {
        let encoded = Data(text.utf8).base64EncodedString()
        var lines: [Substring] = []
        var start = encoded.startIndex
        while start < encoded.endIndex {
            let end = encoded.index(start, offsetBy: 76, limitedBy: encoded.endIndex) ?? encoded.endIndex
            lines.append(encoded[start..<end])
            start = end
        }
        return lines.joined(separator: "\r\n")
    }

    /// Text bodies travel with CRLF line breaks (RFC 2046 §4.1.1), whatever the template used.
    static func canonicalLineBreaks(_ text: String) -> String {
        text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
            .replacingOccurrences(of: "\n", with: "\r\n")
    }

    /// `Tue, 01 Jul 2025 09:05:00 +0000` (RFC 5322 §3.3), in UTC.
    static func date(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss Z"
        return formatter.string(from: date)
    }

    static func randomHex(bytes count: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in String(format: "%02x", UInt8.random(in: .min ... .max, using: &generator)) }.joined()
    }
}
