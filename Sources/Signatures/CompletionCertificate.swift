import Core
import Foundation
import Render

/// What the completion certificate states: the request, the document's SHA-256 before and after
/// signing, and every recipient with their events.
public struct CertificateFacts: Sendable, Equatable {
    public var requestID: String
    public var requestName: String
    public var documentName: String
    public var projectName: String
    public var createdAt: Date
    public var completedAt: Date
    /// Lowercase or uppercase hex, as stored.
    public var sha256Before: String
    public var sha256After: String
    public var recipients: [Recipient]

    public struct Recipient: Sendable, Equatable {
        public var name: String
        public var email: String
        public var designation: String
        public var events: [Event]
        /// The signature as drawn, typed or uploaded (PNG), when the recipient signed.
        public var signatureImage: [UInt8]?

        public init(name: String, email: String, designation: String, events: [Event], signatureImage: [UInt8]? = nil) {
            self.name = name
            self.email = email
            self.designation = designation
            self.events = events
            self.signatureImage = signatureImage
        }
    }

    public struct Event: Sendable, Equatable {
        public enum Kind: String, Sendable, Equatable, CaseIterable {
            case invited, viewed, consented, signed, declined
        }

        public var kind: Kind
        public var at: Date
        /// The hash of the IP address the event came from (never the address).
        public var ipHash: String?
        public var userAgent: String?

        public init(kind: Kind, at: Date, ipHash: String? = nil, userAgent: String? = nil) {
            self.kind = kind
            self.at = at
            self.ipHash = ipHash
            self.userAgent = userAgent
        }
    }

    public init(
        requestID: String, requestName: String, documentName: String, projectName: String, createdAt: Date, completedAt: Date,
        sha256Before: String, sha256After: String, recipients: [Recipient]
    ) {
        self.requestID = requestID
        self.requestName = requestName
        self.documentName = documentName
        self.projectName = projectName
        self.createdAt = createdAt
        self.completedAt = completedAt
        self.sha256Before = sha256Before
        self.sha256After = sha256After
        self.recipients = recipients
    }
}

/// The completion certificate of a signature request, drawn by this server's own render engine
/// (docs/signatures.md#the-completion-certificate).
public enum CompletionCertificate {
    /// Bounds on what one certificate holds; the request's own limits are lower (20 recipients).
    public static let maxRecipients = 100
    public static let maxEventsPerRecipient = 1_000

    /// The completion certificate as a PDF. Deterministic: the same facts give the same bytes (the PDF's
    /// dates are `completedAt`). Every value travels as data, never inside the layout, so a name like
    /// `{{x}}` is printed as written.
    public static func render(_ facts: CertificateFacts, engine: RenderEngine) async throws -> [UInt8] {
        guard facts.recipients.count <= maxRecipients, facts.recipients.allSatisfy({ $0.events.count <= maxEventsPerRecipient }) else {
            throw RenderError.invalidDocument("at most \(maxRecipients) recipients and \(maxEventsPerRecipient) events each")
        }
        let rendered = try await engine.renderPDF(
            document: try document(), data: data(facts), images: NoImageLoader(),
            options: RenderOptions(creationDate: facts.completedAt))
        return [UInt8](rendered.bytes)
    }

    /// The certificate's layout: static text and tokens only; the facts are its data.
    static func document() throws -> Document {
        try DocumentDecoder.decode(Data(layout.utf8))
    }

    static let layout = #"""
        {
          "version": 1,
          "meta": { "title": "Completion certificate: {{requestName}}", "author": "{{projectName}}", "creator": "Craftkit Server" },
          "page": { "size": "A4", "margins": "18mm" },
          "style": { "fontFamily": "Noto Sans", "fontSize": 9.5, "color": "#1f1f1f", "lineHeight": 1.15 },
          "footer": { "blocks": [
            { "type": "paragraph", "fontSize": 7.5, "color": "#5a5f6b", "align": "center",
              "text": "Completion certificate · request {{requestID}} · page {{page}} of {{pages}}" } ] },
          "blocks": [
            { "type": "heading", "level": 1, "text": "Completion certificate" },
            { "type": "paragraph", "fontSize": 12, "bold": true, "spaceAfter": 6, "text": "{{requestName}}" },
            { "type": "keyValue", "labelWidth": "28%", "items": [
              { "label": "Request", "value": "{{requestName}}" },
              { "label": "Request ID", "value": "{{requestID}}" },
              { "label": "Document", "value": "{{documentName}}" },
              { "label": "Sent by", "value": "{{projectName}}" },
              { "label": "Created", "value": "{{createdAt}}" },
              { "label": "Completed", "value": "{{completedAt}}" } ] },
            { "type": "heading", "level": 3, "spaceBefore": 10, "text": "Document integrity (SHA-256)" },
            { "type": "paragraph", "fontSize": 8, "color": "#5a5f6b", "text": "Before signing" },
            { "type": "paragraph", "fontFamily": "DejaVu Sans Mono, Noto Sans Mono", "fontSize": 8.5, "spaceAfter": 4, "text": "{{sha256Before}}" },
            { "type": "paragraph", "fontSize": 8, "color": "#5a5f6b", "text": "After signing" },
            { "type": "paragraph", "fontFamily": "DejaVu Sans Mono, Noto Sans Mono", "fontSize": 8.5, "text": "{{sha256After}}" },
            { "type": "heading", "level": 3, "spaceBefore": 10, "text": "Recipients" },
            { "type": "repeat", "loop": "recipients", "blocks": [
              { "type": "divider", "color": "#d0d3da", "spaceBefore": 6, "spaceAfter": 6 },
              { "type": "group", "blocks": [
                { "type": "paragraph", "fontSize": 11, "bold": true, "text": "{{@number}}. {{name}}" },
                { "type": "paragraph", "color": "#5a5f6b", "spaceAfter": 4, "text": "{{email}} · {{designation}}" } ] },
              { "type": "table", "loop": "events", "emptyText": "No events",
                "columns": [
                  { "header": "Event", "cell": "{{kind}}", "width": "12%" },
                  { "header": "Time (UTC)", "cell": "{{at}}", "width": "23%" },
                  { "header": "IP (hashed)", "cell": "{{ipHash}}", "width": "22%" },
                  { "header": "User agent", "cell": "{{userAgent}}", "width": "auto" } ],
                "style": { "borders": "horizontal", "fontSize": 8, "headerBackground": "#eef0f4", "padding": 3 } },
              { "type": "conditional", "when": { "variable": "signed" }, "blocks": [
                { "type": "signature", "src": "{{signatureImage}}", "caption": "Signature of {{name}}", "width": 180, "imageHeight": 50,
                  "spaceBefore": 6 } ] } ] },
            { "type": "paragraph", "fontSize": 7.5, "color": "#5a5f6b", "spaceBefore": 14,
              "text": "This certificate lists the events recorded for the request. The signed document carries this server's digital signature; IP addresses are recorded and shown only as hashes." }
          ]
        }
        """#

    /// The facts as the layout's data: instants as `YYYY-MM-DD HH:MM:SS UTC`, hashes in lowercase, the
    /// signature image as a `data:` URI (the engine decodes it; nothing is fetched).
    static func data(_ facts: CertificateFacts) -> JSONValue {
        let recipients: [JSONValue] = facts.recipients.map { recipient in
            let signed = recipient.signatureImage.map { !$0.isEmpty } ?? false
            return .object([
                "name": .string(recipient.name),
                "email": .string(recipient.email),
                "designation": .string(recipient.designation),
                "signed": .bool(signed),
                "signatureImage": .string(signed ? "data:image/png;base64," + Data(recipient.signatureImage ?? []).base64EncodedString() : ""),
                "events": .array(
                    recipient.events.map { event in
                        .object([
                            "kind": .string(event.kind.rawValue),
                            "at": .string(utc(event.at)),
                            "ipHash": .string(event.ipHash ?? "–"),
                            "userAgent": .string(event.userAgent ?? "–"),
                        ])
                    }),
            ])
        }
        return .object([
            "requestID": .string(facts.requestID),
            "requestName": .string(facts.requestName),
            "documentName": .string(facts.documentName),
            "projectName": .string(facts.projectName),
            "createdAt": .string(utc(facts.createdAt)),
            "completedAt": .string(utc(facts.completedAt)),
            "sha256Before": .string(facts.sha256Before.lowercased()),
            "sha256After": .string(facts.sha256After.lowercased()),
            "recipients": .array(recipients),
        ])
    }

    /// `YYYY-MM-DD HH:MM:SS UTC`.
    static func utc(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        func two(_ value: Int?) -> String { PDFIncrementalUpdate.pad(value ?? 0, 2) }
        return "\(PDFIncrementalUpdate.pad(c.year ?? 0, 4))-\(two(c.month))-\(two(c.day)) \(two(c.hour)):\(two(c.minute)):\(two(c.second)) UTC"
    }
}
