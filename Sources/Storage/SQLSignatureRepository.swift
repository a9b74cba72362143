import Core
import Foundation
import SQLKit
import Signatures

/// `SignatureRepository` on SQLite and PostgreSQL (migration 16), and the per-project signing identities.
public struct SQLSignatureRepository: SignatureRepository {
    let database: Database

    public init(database: Database) { self.database = database }

    static let requestColumns = """
        id, project_id, render_id, name, status, expiration_hours, expires_at, idempotency_key, request_hash, error_message,
        signed_blob_key, certificate_blob_key, sha256_before, sha256_after, page_sizes, created_at, completed_at, reminder_hours
        """
    static let recipientColumns = """
        id, request_id, idx, sign_order, first_name, last_name, email, designation, token_hash, sealed_token, status, invited_at,
        viewed_at, signed_at, declined_at, decline_reason, reminded_at
        """
    static let fieldColumns = "request_id, idx, recipient_index, page, x, y, width, height, field_type, required, value_text, value_image"
    static let eventColumns = "id, request_id, project_id, seq, event_type, recipient_index, at, ip_hash, user_agent, detail, prev_hash, hash"

    // MARK: Writes

    public func insert(_ detail: SignatureRequestDetail, in transaction: any Transaction) async throws {
        let db = try transaction.sql
        let r = detail.request
        try await db.raw(
            """
            INSERT INTO signature_requests (\(unsafeRaw: Self.requestColumns))
            VALUES (\(bind: r.id), \(bind: r.projectID), \(bind: r.renderID), \(bind: r.name), \(bind: r.status.rawValue),
                    \(bind: r.expirationHours), \(bind: r.expiresAt), \(bind: r.idempotencyKey), \(bind: r.requestHash), \(bind: r.errorMessage),
                    \(bind: r.signedBlobKey), \(bind: r.certificateBlobKey), \(bind: r.sha256Before), \(bind: r.sha256After),
                    \(bind: Self.encode(r.pageSizes)), \(bind: r.createdAt), \(bind: r.completedAt), \(bind: r.reminderHours))
            """
        ).run()
        for p in detail.recipients {
            try await db.raw(
                """
                INSERT INTO signature_recipients (\(unsafeRaw: Self.recipientColumns))
                VALUES (\(bind: p.id), \(bind: p.requestID), \(bind: p.index), \(bind: p.order), \(bind: p.firstName), \(bind: p.lastName),
                        \(bind: p.email), \(bind: p.designation), \(bind: p.tokenHash), \(bind: p.sealedToken), \(bind: p.status.rawValue),
                        \(bind: p.invitedAt), \(bind: p.viewedAt), \(bind: p.signedAt), \(bind: p.declinedAt), \(bind: p.declineReason),
                        \(bind: p.remindedAt))
                """
            ).run()
        }
        for f in detail.fields {
            try await db.raw(
                """
                INSERT INTO signature_fields (\(unsafeRaw: Self.fieldColumns))
                VALUES (\(bind: r.id), \(bind: f.index), \(bind: f.recipientIndex), \(bind: f.page), \(bind: f.x), \(bind: f.y), \(bind: f.width),
                        \(bind: f.height), \(bind: f.type.rawValue), \(bind: f.required ? 1 : 0), \(bind: f.text),
                        \(bind: f.image.map { Data($0).base64EncodedString() }))
                """
            ).run()
        }
    }

    public func update(_ r: SignatureRequestRecord, in transaction: any Transaction) async throws {
        try await transaction.sql.raw(
            """
            UPDATE signature_requests SET status = \(bind: r.status.rawValue), error_message = \(bind: r.errorMessage),
                signed_blob_key = \(bind: r.signedBlobKey), certificate_blob_key = \(bind: r.certificateBlobKey),
                sha256_after = \(bind: r.sha256After), completed_at = \(bind: r.completedAt)
            WHERE id = \(bind: r.id)
            """
        ).run()
    }

    public func update(_ p: SignatureRecipientRecord, in transaction: any Transaction) async throws {
        try await transaction.sql.raw(
            """
            UPDATE signature_recipients SET status = \(bind: p.status.rawValue), invited_at = \(bind: p.invitedAt), viewed_at = \(bind: p.viewedAt),
                signed_at = \(bind: p.signedAt), declined_at = \(bind: p.declinedAt), decline_reason = \(bind: p.declineReason),
                reminded_at = \(bind: p.remindedAt)
            WHERE id = \(bind: p.id)
            """
        ).run()
    }

    public func update(fields: [SignatureFieldRecord], requestID: String, in transaction: any Transaction) async throws {
        let db = try transaction.sql
        for f in fields {
            try await db.raw(
                """
                UPDATE signature_fields SET value_text = \(bind: f.text), value_image = \(bind: f.image.map { Data($0).base64EncodedString() })
                WHERE request_id = \(bind: requestID) AND idx = \(bind: f.index)
                """
            ).run()
        }
    }

    public func append(_ e: AuditEvent, in transaction: any Transaction) async throws {
        try await transaction.sql.raw(
            """
            INSERT INTO signature_events (\(unsafeRaw: Self.eventColumns))
            VALUES (\(bind: e.id), \(bind: e.requestID), \(bind: e.projectID), \(bind: e.sequence), \(bind: e.type.rawValue),
                    \(bind: e.recipientIndex), \(bind: e.at), \(bind: e.ipHash), \(bind: e.userAgent), \(bind: e.detail.serializedString),
                    \(bind: e.previousHash), \(bind: e.hash))
            """
        ).run()
    }

    // MARK: Reads

    public func find(projectID: String, id: String) async throws -> SignatureRequestDetail? {
        guard
            let row = try await database.sql.raw(
                "SELECT \(unsafeRaw: Self.requestColumns) FROM signature_requests WHERE id = \(bind: id) AND project_id = \(bind: projectID)"
            ).first()
        else { return nil }
        return try await detail(Self.request(row), on: database.sql)
    }

    public func find(id: String) async throws -> SignatureRequestDetail? {
        guard let row = try await database.sql.raw("SELECT \(unsafeRaw: Self.requestColumns) FROM signature_requests WHERE id = \(bind: id)").first()
        else { return nil }
        return try await detail(Self.request(row), on: database.sql)
    }

    public func lock(id: String, in transaction: any Transaction) async throws -> SignatureRequestDetail? {
        let db = try transaction.sql
        let lock = database.engine == .postgres ? " FOR UPDATE" : ""
        guard
            let row = try await db.raw(
                "SELECT \(unsafeRaw: Self.requestColumns) FROM signature_requests WHERE id = \(bind: id)\(unsafeRaw: lock)"
            ).first()
        else { return nil }
        return try await detail(Self.request(row), on: db)
    }

    public func find(idempotencyKey: String, projectID: String) async throws -> SignatureRequestDetail? {
        guard
            let row = try await database.sql.raw(
                """
                SELECT \(unsafeRaw: Self.requestColumns) FROM signature_requests
                WHERE project_id = \(bind: projectID) AND idempotency_key = \(bind: idempotencyKey)
                """
            ).first()
        else { return nil }
        return try await detail(Self.request(row), on: database.sql)
    }

    public func list(projectID: String, renderID: String?, before: Int64?, limit: Int) async throws -> [SignatureRequestDetail] {
        var query = SQLQueryString("SELECT \(unsafeRaw: Self.requestColumns) FROM signature_requests WHERE project_id = \(bind: projectID)")
        if let renderID { query.appendInterpolation(unsafeRaw: " AND render_id = "); query.appendInterpolation(bind: renderID) }
        if let before { query.appendInterpolation(unsafeRaw: " AND created_at < "); query.appendInterpolation(bind: before) }
        query.appendInterpolation(unsafeRaw: " ORDER BY created_at DESC, id DESC LIMIT ")
        query.appendInterpolation(bind: limit)
        var page: [SignatureRequestDetail] = []
        for row in try await database.sql.raw(query).all() { page.append(try await detail(Self.request(row), on: database.sql)) }
        return page
    }

    public func recipient(tokenHash: String) async throws -> (requestID: String, index: Int)? {
        guard let row = try await database.sql.raw("SELECT request_id, idx FROM signature_recipients WHERE token_hash = \(bind: tokenHash)").first()
        else { return nil }
        return (try row.decode(column: "request_id", as: String.self), Int(try row.decode(column: "idx", as: Int64.self)))
    }

    public func lastEvent(requestID: String, in transaction: any Transaction) async throws -> AuditEvent? {
        try await transaction.sql.raw(
            "SELECT \(unsafeRaw: Self.eventColumns) FROM signature_events WHERE request_id = \(bind: requestID) ORDER BY seq DESC LIMIT 1"
        ).first().map(Self.event)
    }

    public func events(requestID: String) async throws -> [AuditEvent] {
        try await database.sql.raw(
            "SELECT \(unsafeRaw: Self.eventColumns) FROM signature_events WHERE request_id = \(bind: requestID) ORDER BY seq"
        ).all().map(Self.event)
    }

    public func event(id: String) async throws -> AuditEvent? {
        try await database.sql.raw("SELECT \(unsafeRaw: Self.eventColumns) FROM signature_events WHERE id = \(bind: id)").first().map(Self.event)
    }

    public func remindable(now: Int64, limit: Int) async throws -> [String] {
        try await database.sql.raw(
            """
            SELECT DISTINCT r.id, r.created_at FROM signature_requests r JOIN signature_recipients p ON p.request_id = r.id
            WHERE r.status IN ('sent', 'viewed') AND r.reminder_hours IS NOT NULL AND p.status = 'pending' AND p.invited_at IS NOT NULL
              AND COALESCE(p.reminded_at, p.invited_at) + r.reminder_hours * 3600000 <= \(bind: now)
            ORDER BY r.created_at LIMIT \(bind: limit)
            """
        ).all().map { try $0.decode(column: "id", as: String.self) }
    }

    public func expired(now: Int64, limit: Int) async throws -> [String] {
        try await database.sql.raw(
            """
            SELECT id FROM signature_requests WHERE status IN ('sent', 'viewed') AND expires_at <= \(bind: now)
            ORDER BY expires_at LIMIT \(bind: limit)
            """
        ).all().map { try $0.decode(column: "id", as: String.self) }
    }

    func detail(_ request: SignatureRequestRecord, on db: any SQLDatabase) async throws -> SignatureRequestDetail {
        let recipients = try await db.raw(
            "SELECT \(unsafeRaw: Self.recipientColumns) FROM signature_recipients WHERE request_id = \(bind: request.id) ORDER BY idx"
        ).all().map(Self.recipient)
        let fields = try await db.raw(
            "SELECT \(unsafeRaw: Self.fieldColumns) FROM signature_fields WHERE request_id = \(bind: request.id) ORDER BY idx"
        ).all().map(Self.field)
        return SignatureRequestDetail(request: request, recipients: recipients, fields: fields)
    }

    // MARK: Rows

    static func encode(_ sizes: [PageSize]) -> String {
        JSONValue.array(sizes.map { .array([.number($0.width), .number($0.height)]) }).serializedString
    }

    static func decodeSizes(_ text: String) -> [PageSize] {
        guard case .array(let items)? = try? JSONValue.parse(Data(text.utf8)) else { return [] }
        return items.compactMap { item in
            guard case .number(let width)? = item[0], case .number(let height)? = item[1] else { return nil }
            return PageSize(width: width, height: height)
        }
    }

    static func request(_ row: any SQLRow) throws -> SignatureRequestRecord {
        var record = SignatureRequestRecord(
            id: try row.decode(column: "id", as: String.self), projectID: try row.decode(column: "project_id", as: String.self),
            renderID: try row.decode(column: "render_id", as: String.self), name: try row.decode(column: "name", as: String.self),
            status: SignatureStatus(rawValue: try row.decode(column: "status", as: String.self)) ?? .failed,
            expirationHours: Int(try row.decode(column: "expiration_hours", as: Int64.self)),
            expiresAt: try row.decode(column: "expires_at", as: Int64.self),
            idempotencyKey: try row.decode(column: "idempotency_key", as: String?.self),
            requestHash: try row.decode(column: "request_hash", as: String.self),
            errorMessage: try row.decode(column: "error_message", as: String?.self),
            signedBlobKey: try row.decode(column: "signed_blob_key", as: String?.self),
            certificateBlobKey: try row.decode(column: "certificate_blob_key", as: String?.self),
            sha256Before: try row.decode(column: "sha256_before", as: String.self),
            sha256After: try row.decode(column: "sha256_after", as: String?.self),
            pageSizes: decodeSizes(try row.decode(column: "page_sizes", as: String.self)),
            createdAt: try row.decode(column: "created_at", as: Int64.self),
            completedAt: try row.decode(column: "completed_at", as: Int64?.self))
        record.reminderHours = try row.decode(column: "reminder_hours", as: Int64?.self).map { Int($0) }
        return record
    }

    static func recipient(_ row: any SQLRow) throws -> SignatureRecipientRecord {
        var recipient = SignatureRecipientRecord(
            id: try row.decode(column: "id", as: String.self), requestID: try row.decode(column: "request_id", as: String.self),
            index: Int(try row.decode(column: "idx", as: Int64.self)), order: try row.decode(column: "sign_order", as: Int64?.self).map { Int($0) },
            firstName: try row.decode(column: "first_name", as: String.self), lastName: try row.decode(column: "last_name", as: String?.self),
            email: try row.decode(column: "email", as: String.self), designation: try row.decode(column: "designation", as: String.self),
            tokenHash: try row.decode(column: "token_hash", as: String.self), sealedToken: try row.decode(column: "sealed_token", as: String.self),
            status: RecipientStatus(rawValue: try row.decode(column: "status", as: String.self)) ?? .pending,
            invitedAt: try row.decode(column: "invited_at", as: Int64?.self), viewedAt: try row.decode(column: "viewed_at", as: Int64?.self),
            signedAt: try row.decode(column: "signed_at", as: Int64?.self), declinedAt: try row.decode(column: "declined_at", as: Int64?.self),
            declineReason: try row.decode(column: "decline_reason", as: String?.self))
        recipient.remindedAt = try row.decode(column: "reminded_at", as: Int64?.self)
        return recipient
    }

    static func field(_ row: any SQLRow) throws -> SignatureFieldRecord {
        SignatureFieldRecord(
            index: Int(try row.decode(column: "idx", as: Int64.self)), recipientIndex: Int(try row.decode(column: "recipient_index", as: Int64.self)),
            page: Int(try row.decode(column: "page", as: Int64.self)), x: try row.decode(column: "x", as: Double.self),
            y: try row.decode(column: "y", as: Double.self), width: try row.decode(column: "width", as: Double.self),
            height: try row.decode(column: "height", as: Double.self),
            type: SignatureFieldType(rawValue: try row.decode(column: "field_type", as: String.self)) ?? .text,
            required: try row.decode(column: "required", as: Int64.self) != 0, text: try row.decode(column: "value_text", as: String?.self),
            image: try row.decode(column: "value_image", as: String?.self).flatMap { Data(base64Encoded: $0) }.map { Array($0) })
    }

    static func event(_ row: any SQLRow) throws -> AuditEvent {
        AuditEvent(
            id: try row.decode(column: "id", as: String.self), requestID: try row.decode(column: "request_id", as: String.self),
            projectID: try row.decode(column: "project_id", as: String.self), sequence: Int(try row.decode(column: "seq", as: Int64.self)),
            type: AuditEventType(rawValue: try row.decode(column: "event_type", as: String.self)) ?? .failed,
            recipientIndex: try row.decode(column: "recipient_index", as: Int64?.self).map { Int($0) },
            at: try row.decode(column: "at", as: Int64.self),
            ipHash: try row.decode(column: "ip_hash", as: String?.self), userAgent: try row.decode(column: "user_agent", as: String?.self),
            detail: (try? JSONValue.parse(Data(try row.decode(column: "detail", as: String.self).utf8))) ?? .null,
            previousHash: try row.decode(column: "prev_hash", as: String.self), hash: try row.decode(column: "hash", as: String.self))
    }

    // MARK: Signing identities

    /// The project's stored identity: its sealed private key and certificate DER (base64), or nil.
    public func identity(projectID: String) async throws -> (sealedPrivateKey: String, certificateDER: [UInt8])? {
        guard
            let row = try await database.sql.raw(
                "SELECT sealed_private_key, certificate_der FROM signing_identities WHERE project_id = \(bind: projectID)"
            ).first(),
            let der = Data(base64Encoded: try row.decode(column: "certificate_der", as: String.self))
        else { return nil }
        return (try row.decode(column: "sealed_private_key", as: String.self), Array(der))
    }

    /// Stores a new identity unless one exists (two first uses at once keep the first). Returns whether
    /// this one was stored.
    public func insertIdentity(projectID: String, sealedPrivateKey: String, certificateDER: [UInt8], now: Int64) async throws -> Bool {
        let row = try await database.sql.raw(
            """
            INSERT INTO signing_identities (project_id, sealed_private_key, certificate_der, created_at)
            VALUES (\(bind: projectID), \(bind: sealedPrivateKey), \(bind: Data(certificateDER).base64EncodedString()), \(bind: now))
            ON CONFLICT (project_id) DO NOTHING RETURNING project_id
            """
        ).first()
        return row != nil
    }
}
