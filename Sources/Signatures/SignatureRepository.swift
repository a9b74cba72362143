import Core

/// Signature requests, their recipients, fields and audit trail. Writes join the caller's transaction;
/// reads outside one see committed state.
public protocol SignatureRepository: Sendable {
    /// Writes the request with its recipients and fields.
    func insert(_ detail: SignatureRequestDetail, in transaction: any Transaction) async throws
    func find(projectID: String, id: String) async throws -> SignatureRequestDetail?
    func find(id: String) async throws -> SignatureRequestDetail?
    /// Reads the request inside the transaction and holds it (row lock on PostgreSQL; SQLite has one
    /// writer), so the state checks and the audit chain's next link cannot race another writer.
    func lock(id: String, in transaction: any Transaction) async throws -> SignatureRequestDetail?
    func find(idempotencyKey: String, projectID: String) async throws -> SignatureRequestDetail?
    /// Newest first, created strictly before `before` when given.
    func list(projectID: String, renderID: String?, before: Int64?, limit: Int) async throws -> [SignatureRequestDetail]
    /// The request and recipient a signing token's hash names, whatever the project.
    func recipient(tokenHash: String) async throws -> (requestID: String, index: Int)?
    /// Overwrites the request's mutable columns (status, error, outputs, completion).
    func update(_ request: SignatureRequestRecord, in transaction: any Transaction) async throws
    /// Overwrites the recipient's mutable columns (status and its times, decline reason).
    func update(_ recipient: SignatureRecipientRecord, in transaction: any Transaction) async throws
    /// Stores the values of signed fields.
    func update(fields: [SignatureFieldRecord], requestID: String, in transaction: any Transaction) async throws
    /// The newest audit event of a request (inside the transaction).
    func lastEvent(requestID: String, in transaction: any Transaction) async throws -> AuditEvent?
    /// Appends one audit event (the table refuses updates and deletes).
    func append(_ event: AuditEvent, in transaction: any Transaction) async throws
    func events(requestID: String) async throws -> [AuditEvent]
    func event(id: String) async throws -> AuditEvent?
    /// Open requests with reminders on that have a pending, invited recipient not reminded for their
    /// `reminder_hours` (the sweep), at most `limit`.
    func remindable(now: Int64, limit: Int) async throws -> [String]
    /// Open requests past their expiry (the sweep), at most `limit`.
    func expired(now: Int64, limit: Int) async throws -> [String]
}
