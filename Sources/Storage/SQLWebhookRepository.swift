import Core
import Foundation
import SQLKit
import Webhooks

/// `WebhookRepository` on SQLite and PostgreSQL.
public struct SQLWebhookRepository: WebhookRepository {
    let database: Database

    public init(database: Database) { self.database = database }

    static let endpointColumns =
        "id, project_id, url, events, description, sealed_secret, sealed_previous_secret, previous_secret_expires_at, created_at"
    static let deliveryColumns =
        "id, endpoint_id, project_id, event_id, event_type, subject_id, status, attempts, last_status_code, last_error, created_at, delivered_at"

    public func insert(_ endpoint: WebhookEndpoint) async throws {
        let events = String(decoding: try JSONEncoder().encode(endpoint.events.map(\.rawValue)), as: UTF8.self)
        try await database.transaction { db in
            try await db.raw(
                """
                INSERT INTO webhook_endpoints (id, project_id, url, events, description, sealed_secret, created_at)
                VALUES (\(bind: endpoint.id), \(bind: endpoint.projectID), \(bind: endpoint.url), \(bind: events), \(bind: endpoint.description),
                        \(bind: endpoint.sealedSecret), \(bind: endpoint.createdAt))
                """
            ).run()
        }
    }

    public func list(projectID: String) async throws -> [WebhookEndpoint] {
        try await database.sql.raw(
            """
            SELECT \(unsafeRaw: Self.endpointColumns) FROM webhook_endpoints
            WHERE project_id = \(bind: projectID) AND deleted_at IS NULL ORDER BY created_at DESC, id DESC
            """
        ).all().map(Self.endpoint)
    }

    public func find(id: String, projectID: String) async throws -> WebhookEndpoint? {
        try await database.sql.raw(
            """
            SELECT \(unsafeRaw: Self.endpointColumns) FROM webhook_endpoints
            WHERE id = \(bind: id) AND project_id = \(bind: projectID) AND deleted_at IS NULL
            """
        ).first().map(Self.endpoint)
    }

    public func find(id: String) async throws -> WebhookEndpoint? {
        try await database.sql.raw(
            "SELECT \(unsafeRaw: Self.endpointColumns) FROM webhook_endpoints WHERE id = \(bind: id) AND deleted_at IS NULL"
        ).first().map(Self.endpoint)
    }

    public func delete(id: String, projectID: String) async throws -> Bool {
        try await database.transaction { db in
            let deleted = try await db.raw(
                """
                UPDATE webhook_endpoints SET deleted_at = \(bind: Date().epochMillis)
                WHERE id = \(bind: id) AND project_id = \(bind: projectID) AND deleted_at IS NULL RETURNING id
                """
            ).first()
            guard deleted != nil else { return false }
            try await db.raw("UPDATE webhook_deliveries SET status = 'abandoned' WHERE endpoint_id = \(bind: id) AND status = 'pending'").run()
            return true
        }
    }

    public func rotateSecret(
        id: String, projectID: String, sealedSecret: String, sealedPrevious: String, previousExpiresAt: Int64
    ) async throws
        -> Bool
    {
        try await database.transaction { db in
            try await db.raw(
                """
                UPDATE webhook_endpoints SET sealed_secret = \(bind: sealedSecret), sealed_previous_secret = \(bind: sealedPrevious),
                    previous_secret_expires_at = \(bind: previousExpiresAt)
                WHERE id = \(bind: id) AND project_id = \(bind: projectID) AND deleted_at IS NULL RETURNING id
                """
            ).first() != nil
        }
    }

    public func deliveries(endpointID: String, projectID: String, limit: Int) async throws -> [WebhookDelivery] {
        try await database.sql.raw(
            """
            SELECT \(unsafeRaw: Self.deliveryColumns) FROM webhook_deliveries
            WHERE endpoint_id = \(bind: endpointID) AND project_id = \(bind: projectID) ORDER BY created_at DESC, id DESC LIMIT \(bind: limit)
            """
        ).all().map(Self.delivery)
    }

    public func delivery(id: String) async throws -> WebhookDelivery? {
        try await database.sql.raw("SELECT \(unsafeRaw: Self.deliveryColumns) FROM webhook_deliveries WHERE id = \(bind: id)").first()
            .map(Self.delivery)
    }

    public func replay(deliveryID: String, endpointID: String, projectID: String, now: Int64) async throws -> WebhookDelivery? {
        try await database.transaction { db in
            guard
                let original = try await db.raw(
                    """
                    SELECT \(unsafeRaw: Self.deliveryColumns) FROM webhook_deliveries
                    WHERE id = \(bind: deliveryID) AND endpoint_id = \(bind: endpointID) AND project_id = \(bind: projectID)
                    """
                ).first().map(Self.delivery)
            else { return nil }
            let copy = WebhookDelivery(
                id: Identifier.make(), endpointID: endpointID, projectID: projectID, eventID: original.eventID, eventType: original.eventType,
                subjectID: original.subjectID, status: .pending, attempts: 0, lastStatusCode: nil, lastError: nil, createdAt: now, deliveredAt: nil
            )
            try await Self.insert(copy, on: db)
            return copy
        }
    }

    public func recordAttempt(deliveryID: String, jobID: String?, status: DeliveryStatus, statusCode: Int?, error: String?, now: Int64) async throws {
        try await database.transaction { db in
            try await db.raw(
                """
                UPDATE webhook_deliveries SET status = \(bind: status.rawValue), attempts = attempts + 1,
                    last_status_code = \(bind: statusCode), last_error = \(bind: error.map { String($0.prefix(1000)) }),
                    delivered_at = \(bind: status == .succeeded ? now : nil)
                WHERE id = \(bind: deliveryID)
                """
            ).run()
            if let jobID {
                try await SQLJobQueue.finish(on: db, jobID: jobID, status: status == .succeeded ? "done" : "dead", error: error)
            }
        }
    }

    /// A pending delivery and its job (inside the caller's transaction).
    static func insert(_ delivery: WebhookDelivery, on db: any SQLDatabase) async throws {
        try await db.raw(
            """
            INSERT INTO webhook_deliveries (id, endpoint_id, project_id, event_id, event_type, subject_id, status, attempts, created_at)
            VALUES (\(bind: delivery.id), \(bind: delivery.endpointID), \(bind: delivery.projectID), \(bind: delivery.eventID),
                    \(bind: delivery.eventType), \(bind: delivery.subjectID), 'pending', 0, \(bind: delivery.createdAt))
            """
        ).run()
        try await SQLJobQueue.insert(
            on: db, id: Identifier.make(), kind: WebhookDeliverer.jobKind, subjectID: delivery.id, tenant: delivery.projectID,
            runAt: delivery.createdAt)
    }

    /// Fans an event out to every endpoint of the project subscribed to it (inside the caller's
    /// transaction, so an event is recorded exactly when the state change that caused it commits).
    static func enqueueEvent(on db: any SQLDatabase, projectID: String, event: WebhookEvent, subjectID: String, now: Int64) async throws -> Int {
        let endpoints = try await db.raw(
            "SELECT id, events FROM webhook_endpoints WHERE project_id = \(bind: projectID) AND deleted_at IS NULL"
        ).all()
        let eventID = Identifier.make()
        var count = 0
        for row in endpoints {
            let events = try JSONDecoder().decode([String].self, from: Data(try row.decode(column: "events", as: String.self).utf8))
            guard events.contains(event.rawValue) else { continue }
            let delivery = WebhookDelivery(
                id: Identifier.make(), endpointID: try row.decode(column: "id", as: String.self), projectID: projectID, eventID: eventID,
                eventType: event.rawValue, subjectID: subjectID, status: .pending, attempts: 0, lastStatusCode: nil, lastError: nil, createdAt: now,
                deliveredAt: nil
            )
            try await insert(delivery, on: db)
            count += 1
        }
        return count
    }

    static func endpoint(_ row: any SQLRow) throws -> WebhookEndpoint {
        let events = try JSONDecoder().decode([String].self, from: Data(try row.decode(column: "events", as: String.self).utf8))
        return WebhookEndpoint(
            id: try row.decode(column: "id", as: String.self), projectID: try row.decode(column: "project_id", as: String.self),
            url: try row.decode(column: "url", as: String.self), events: events.compactMap(WebhookEvent.init(rawValue:)),
            description: try row.decode(column: "description", as: String?.self),
            sealedSecret: try row.decode(column: "sealed_secret", as: String.self),
            sealedPreviousSecret: try row.decode(column: "sealed_previous_secret", as: String?.self),
            previousSecretExpiresAt: try row.decode(column: "previous_secret_expires_at", as: Int64?.self),
            createdAt: try row.decode(column: "created_at", as: Int64.self)
        )
    }

    static func delivery(_ row: any SQLRow) throws -> WebhookDelivery {
        WebhookDelivery(
            id: try row.decode(column: "id", as: String.self), endpointID: try row.decode(column: "endpoint_id", as: String.self),
            projectID: try row.decode(column: "project_id", as: String.self), eventID: try row.decode(column: "event_id", as: String.self),
            eventType: try row.decode(column: "event_type", as: String.self), subjectID: try row.decode(column: "subject_id", as: String.self),
            status: DeliveryStatus(rawValue: try row.decode(column: "status", as: String.self)) ?? .abandoned,
            attempts: Int(try row.decode(column: "attempts", as: Int64.self)),
            lastStatusCode: try row.decode(column: "last_status_code", as: Int64?.self).map(Int.init),
            lastError: try row.decode(column: "last_error", as: String?.self), createdAt: try row.decode(column: "created_at", as: Int64.self),
            deliveredAt: try row.decode(column: "delivered_at", as: Int64?.self)
        )
    }
}
