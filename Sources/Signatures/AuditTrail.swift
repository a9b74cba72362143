import Core
import Foundation

/// What happened to a signature request, in the order it happened.
public enum AuditEventType: String, Sendable, Codable, CaseIterable {
    case created, invited, reminded, viewed, signed, declined, cancelled, expired, completed, failed

    /// The webhook event an audit event emits (`invited` and `failed` emit none: the reference has no
    /// such events).
    public var webhookEvent: EventType? {
        switch self {
        case .created: .signatureSent
        case .viewed: .signatureViewed
        case .signed: .signatureSigned
        case .completed: .signatureCompleted
        case .declined: .signatureDeclined
        case .expired: .signatureExpired
        case .cancelled: .signatureCancelled
        case .invited, .reminded, .failed: nil
        }
    }
}

extension EventType {
    public static let signatureSent = EventType(rawValue: "signature.sent")
    public static let signatureViewed = EventType(rawValue: "signature.viewed")
    public static let signatureSigned = EventType(rawValue: "signature.signed")
    public static let signatureCompleted = EventType(rawValue: "signature.completed")
    public static let signatureDeclined = EventType(rawValue: "signature.declined")
    public static let signatureExpired = EventType(rawValue: "signature.expired")
    public static let signatureCancelled = EventType(rawValue: "signature.cancelled")

    /// Every `signature.*` event this module emits.
    public static let signatureEvents: [EventType] = [
        .signatureSent, .signatureViewed, .signatureSigned, .signatureCompleted, .signatureDeclined, .signatureExpired, .signatureCancelled,
    ]
}

/// One row of the append-only audit trail (`signature_events`). Each event carries the hash of the one
/// before it, so a deleted, inserted or edited event breaks the chain (docs/decisions/0016-signatures.md).
public struct AuditEvent: Sendable, Equatable {
    public var id: String
    public var requestID: String
    public var projectID: String
    /// 1, 2, 3 … within the request.
    public var sequence: Int
    public var type: AuditEventType
    public var recipientIndex: Int?
    public var at: Int64
    /// The keyed hash of the client address (never the address).
    public var ipHash: String?
    public var userAgent: String?
    /// Facts of the event as a JSON object (status after it, reason, consent version, fields signed).
    public var detail: JSONValue
    public var previousHash: String
    public var hash: String

    public init(
        id: String, requestID: String, projectID: String, sequence: Int, type: AuditEventType, recipientIndex: Int?, at: Int64,
        ipHash: String?, userAgent: String?, detail: JSONValue, previousHash: String, hash: String
    ) {
        self.id = id
        self.requestID = requestID
        self.projectID = projectID
        self.sequence = sequence
        self.type = type
        self.recipientIndex = recipientIndex
        self.at = at
        self.ipHash = ipHash
        self.userAgent = userAgent
        self.detail = detail
        self.previousHash = previousHash
        self.hash = hash
    }

    /// The request status the event left behind (every event records it).
    public var status: String? {
        if case .string(let status)? = detail["status"] { return status }
        return nil
    }

    public var reason: String? {
        if case .string(let reason)? = detail["reason"] { return reason }
        return nil
    }
}

/// The hash chain of the audit trail: `hash = SHA-256(previousHash ‖ canonical JSON of the event)`,
/// the first event chained to 64 zeros. Canonical JSON: sorted keys, no whitespace (`JSONValue.serialized`).
public enum AuditTrail {
    public static let genesis = String(repeating: "0", count: 64)
    /// Longest user agent kept.
    public static let maxUserAgent = 512

    /// The event's content, without its hashes, as the hash covers it.
    public static func canonical(_ event: AuditEvent) -> String {
        var members: [String: JSONValue] = [
            "id": .string(event.id), "requestId": .string(event.requestID), "projectId": .string(event.projectID),
            "sequence": .number(Double(event.sequence)), "type": .string(event.type.rawValue), "at": .number(Double(event.at)),
            "detail": event.detail,
        ]
        members["recipientIndex"] = event.recipientIndex.map { .number(Double($0)) } ?? .null
        members["ipHash"] = event.ipHash.map(JSONValue.string) ?? .null
        members["userAgent"] = event.userAgent.map(JSONValue.string) ?? .null
        return JSONValue.object(members).serializedString
    }

    public static func hash(previous: String, _ event: AuditEvent) -> String {
        Hex.sha256(Data((previous + canonical(event)).utf8))
    }

    /// The next event after `last` (nil: the first), hashed.
    public static func next(
        after last: AuditEvent?, requestID: String, projectID: String, type: AuditEventType, recipientIndex: Int?, at: Int64,
        ipHash: String? = nil, userAgent: String? = nil, detail: [String: JSONValue]
    ) -> AuditEvent {
        var event = AuditEvent(
            id: UUID().uuidString.lowercased(), requestID: requestID, projectID: projectID, sequence: (last?.sequence ?? 0) + 1, type: type,
            recipientIndex: recipientIndex, at: at, ipHash: ipHash, userAgent: userAgent.map { String($0.prefix(maxUserAgent)) },
            detail: .object(detail), previousHash: last?.hash ?? genesis, hash: "")
        event.hash = hash(previous: event.previousHash, event)
        return event
    }

    /// The problems with a request's trail, in order; empty when the chain is intact.
    public static func problems(in events: [AuditEvent]) -> [String] {
        var problems: [String] = []
        var previous = genesis
        for (offset, event) in events.enumerated() {
            if event.sequence != offset + 1 { problems.append("event \(offset + 1): sequence is \(event.sequence) (an event is missing)") }
            if event.previousHash != previous { problems.append("event \(event.sequence): previous hash does not match the event before it") }
            if hash(previous: event.previousHash, event) != event.hash {
                problems.append("event \(event.sequence) (\(event.type.rawValue)): hash does not match its content (edited)")
            }
            previous = event.hash
        }
        if events.isEmpty { problems.append("the audit trail is empty") }
        return problems
    }
}
