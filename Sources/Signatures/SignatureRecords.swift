import Core
import Foundation

/// A signature request's lifecycle (docs/signatures.md#the-signing-flow). Signing by one recipient does
/// not move it; the last signature seals the document and completes it.
public enum SignatureStatus: String, Sendable, Codable, CaseIterable {
    case sent, viewed, completed, declined, expired, cancelled, failed

    /// No recipient may act any more, and the request cannot be cancelled.
    public var isTerminal: Bool { self != .sent && self != .viewed }
}

/// What a field asks of its recipient.
public enum SignatureFieldType: String, Sendable, Codable, CaseIterable {
    case signature, initials, date, text

    /// Signature and initials take a drawn image or a typed name; date and text fields take text.
    public var takesImage: Bool { self == .signature || self == .initials }
}

/// Where one recipient stands.
public enum RecipientStatus: String, Sendable, Codable {
    case pending, signed, declined
}

/// The request itself (one row of `signature_requests`).
public struct SignatureRequestRecord: Sendable, Equatable {
    public var id: String
    public var projectID: String
    public var renderID: String
    public var name: String
    public var status: SignatureStatus
    public var expirationHours: Int
    public var expiresAt: Int64
    public var idempotencyKey: String?
    /// SHA-256 of the validated request: a replay with the same key must carry the same request.
    public var requestHash: String
    public var errorMessage: String?
    public var signedBlobKey: String?
    public var certificateBlobKey: String?
    /// SHA-256 of the render's PDF, and of the sealed PDF.
    public var sha256Before: String
    public var sha256After: String?
    /// The document's page sizes in points, `[[w, h], …]` (what the signing page lays fields on).
    public var pageSizes: [PageSize]
    public var createdAt: Int64
    public var completedAt: Int64?
    /// Hours after an invitation (and after each reminder) until a recipient who has not acted is
    /// reminded; nil: no reminders.
    public var reminderHours: Int?

    public init(
        id: String, projectID: String, renderID: String, name: String, status: SignatureStatus, expirationHours: Int, expiresAt: Int64,
        idempotencyKey: String?, requestHash: String, errorMessage: String? = nil, signedBlobKey: String? = nil,
        certificateBlobKey: String? = nil, sha256Before: String, sha256After: String? = nil, pageSizes: [PageSize], createdAt: Int64,
        completedAt: Int64? = nil
    ) {
        self.id = id
        self.projectID = projectID
        self.renderID = renderID
        self.name = name
        self.status = status
        self.expirationHours = expirationHours
        self.expiresAt = expiresAt
        self.idempotencyKey = idempotencyKey
        self.requestHash = requestHash
        self.errorMessage = errorMessage
        self.signedBlobKey = signedBlobKey
        self.certificateBlobKey = certificateBlobKey
        self.sha256Before = sha256Before
        self.sha256After = sha256After
        self.pageSizes = pageSizes
        self.createdAt = createdAt
        self.completedAt = completedAt
    }
}

/// A page's size in PDF points.
public struct PageSize: Sendable, Equatable, Codable {
    public var width: Double
    public var height: Double

    public init(width: Double, height: Double) {
        self.width = width
        self.height = height
    }
}

/// One recipient (one row of `signature_recipients`). The token is the recipient's only credential:
/// stored as its SHA-256 (the lookup key) and sealed (so the invitation job can write it into the email).
public struct SignatureRecipientRecord: Sendable, Equatable {
    public var id: String
    public var requestID: String
    /// 0-based, as `recipientIndex` counts.
    public var index: Int
    public var order: Int?
    public var firstName: String
    public var lastName: String?
    public var email: String
    public var designation: String
    public var tokenHash: String
    public var sealedToken: String
    public var status: RecipientStatus
    public var invitedAt: Int64?
    public var viewedAt: Int64?
    public var signedAt: Int64?
    public var declinedAt: Int64?
    public var declineReason: String?
    public var remindedAt: Int64?

    public init(
        id: String, requestID: String, index: Int, order: Int?, firstName: String, lastName: String?, email: String, designation: String,
        tokenHash: String, sealedToken: String, status: RecipientStatus = .pending, invitedAt: Int64? = nil, viewedAt: Int64? = nil,
        signedAt: Int64? = nil, declinedAt: Int64? = nil, declineReason: String? = nil
    ) {
        self.id = id
        self.requestID = requestID
        self.index = index
        self.order = order
        self.firstName = firstName
        self.lastName = lastName
        self.email = email
        self.designation = designation
        self.tokenHash = tokenHash
        self.sealedToken = sealedToken
        self.status = status
        self.invitedAt = invitedAt
        self.viewedAt = viewedAt
        self.signedAt = signedAt
        self.declinedAt = declinedAt
        self.declineReason = declineReason
    }

    public static func sealContext(id: String) -> String { "signing_token:\(id)" }

    public var fullName: String { [firstName, lastName ?? ""].filter { !$0.isEmpty }.joined(separator: " ") }
}

/// A placed field (one row of `signature_fields`) and, once signed, its value.
public struct SignatureFieldRecord: Sendable, Equatable {
    public var index: Int
    public var recipientIndex: Int
    /// 1-based.
    public var page: Int
    /// Percentages of the page, origin top-left.
    public var x: Double
    public var y: Double
    public var width: Double
    public var height: Double
    public var type: SignatureFieldType
    public var required: Bool
    /// Typed text (a typed signature, initials, a date or a text field's value).
    public var text: String?
    /// A drawn or uploaded signature image (PNG).
    public var image: [UInt8]?

    public init(
        index: Int, recipientIndex: Int, page: Int, x: Double, y: Double, width: Double, height: Double, type: SignatureFieldType,
        required: Bool, text: String? = nil, image: [UInt8]? = nil
    ) {
        self.index = index
        self.recipientIndex = recipientIndex
        self.page = page
        self.x = x
        self.y = y
        self.width = width
        self.height = height
        self.type = type
        self.required = required
        self.text = text
        self.image = image
    }

    public var hasValue: Bool { (text.map { !$0.isEmpty } ?? false) || image != nil }
}

/// A request with its recipients (by index) and fields (by index).
public struct SignatureRequestDetail: Sendable, Equatable {
    public var request: SignatureRequestRecord
    public var recipients: [SignatureRecipientRecord]
    public var fields: [SignatureFieldRecord]

    public init(request: SignatureRequestRecord, recipients: [SignatureRecipientRecord], fields: [SignatureFieldRecord]) {
        self.request = request
        self.recipients = recipients
        self.fields = fields
    }

    /// Invitations follow `order` when any recipient has one; otherwise everyone signs at once.
    public var isSequential: Bool { recipients.contains { $0.order != nil } }

    /// Whether `recipient` may sign now: the request is open, they have not acted, and in sequential
    /// order everyone before them has signed.
    public func canSign(_ recipient: SignatureRecipientRecord) -> Bool {
        guard !request.status.isTerminal, recipient.status == .pending else { return false }
        guard isSequential, let order = recipient.order else { return true }
        return recipients.allSatisfy { other in (other.order ?? 0) >= order || other.status == .signed }
    }

    /// Recipients whose turn it is and who have not been invited yet.
    public var dueInvitations: [SignatureRecipientRecord] {
        guard !request.status.isTerminal else { return [] }
        return recipients.filter { $0.invitedAt == nil && canSign($0) }
    }

    /// Invited recipients who may sign and have not acted for `reminderHours` since their invitation
    /// or last reminder.
    public func dueReminders(now: Int64) -> [SignatureRecipientRecord] {
        guard let hours = request.reminderHours, !request.status.isTerminal else { return [] }
        return recipients.filter { recipient in
            guard let invited = recipient.invitedAt, canSign(recipient) else { return false }
            return (recipient.remindedAt ?? invited) + Int64(hours) * 3_600_000 <= now
        }
    }

    /// Every recipient signed: the document is ready to seal.
    public var allSigned: Bool { recipients.allSatisfy { $0.status == .signed } }
}

/// Signing tokens: `cksign_` and 256 random bits in base64url; only their SHA-256 is stored for lookup.
public enum SigningToken {
    public static let prefix = "cksign_"

    public static func make() -> String { prefix + Base64URL.encode(SecureRandom.bytes(32)) }

    public static func hash(_ token: String) -> String { Hex.sha256(Data(token.utf8)) }

    /// Worth a lookup: the prefix and a plausible length and alphabet.
    public static func isWellFormed(_ token: String) -> Bool {
        token.hasPrefix(prefix) && (20...100).contains(token.utf8.count)
            && token.utf8.dropFirst(prefix.utf8.count).allSatisfy {
                ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5a) || ($0 >= 0x61 && $0 <= 0x7a) || $0 == 0x2d || $0 == 0x5f
            }
    }
}
