import Core
import Delivery
import Foundation
import Hummingbird
import Renders

/// A finished render's after-life for the project key (docs/api.md#share-a-document): shares, email,
/// engagement and partner-side events.
struct ShareRoutes {
    let services: AppServices

    struct ShareBody: Encodable {
        let id: String
        let shareToken: String
        let shareUrl: String
        let channel: String
        @Nullable var recipientEmail: String?
        @Nullable var message: String?
        @Nullable var expiresAt: Timestamp?
        @Nullable var revokedAt: Timestamp?
        let createdAt: Timestamp
        /// List only.
        var revokedReason: Nullable<String>?
        var clickCount: Int?
    }

    struct ShareListBody: Encodable {
        let shares: [ShareBody]
    }

    struct RevokedBody: Encodable {
        let id: String
        let revokedAt: Timestamp
    }

    struct EmailBody: Encodable {
        let id: String
        let shareToken: String
        let shareUrl: String
        let emailMessageId: String
        let sentAt: Timestamp
    }

    struct EventBody: Encodable {
        let id: String
        let eventType: String
        let actorKind: String
        @Nullable var shareId: String?
        /// The viewer's keyed IP hash, never the address (docs/decisions/0015-delivery.md).
        @Nullable var sourceIp: String?
        @Nullable var userAgent: String?
        @Nullable var metadata: JSONValue?
        let createdAt: Timestamp
    }

    struct EngagementBody: Encodable {
        let counts: [String: Int]
        let linkOpens: Int
        let total: Int
        let recent: [EventBody]
    }

    struct RecordedBody: Encodable {
        let recorded: Bool
    }

    func register(on group: RouterGroup<AppRequestContext>, routes: RouteTable, prefix: String) {
        routes.add(group, .post, "/renders/:id/shares", under: prefix) { request, context in
            let render = try await deliverable(context)
            let input = try ShareInput(json: try await JSONBody.read(request, limit: 64 * 1024))
            let issued = try await services.delivery.createShare(render: render, input: input, now: Date().epochMillis)
            return JSONBody.response(status: .created, shareBody(issued.share, token: issued.token))
        }
        routes.add(group, .get, "/renders/:id/shares", under: prefix) { _, context in
            let render = try await deliverable(context)
            let shares = try await services.delivery.listShares(render: render).map { listed, token in
                var body = shareBody(listed.share, token: token)
                body.revokedReason = Nullable(wrappedValue: listed.share.revokedReason)
                body.clickCount = listed.clickCount
                return body
            }
            return JSONBody.response(status: .ok, ShareListBody(shares: shares))
        }
        routes.add(group, .delete, "/renders/:id/shares/:shareId", under: prefix) { _, context in
            let render = try await deliverable(context)
            let share = try await services.delivery.revoke(
                render: render, shareID: context.parameters.get("shareId") ?? "", now: Date().epochMillis)
            return JSONBody.response(status: .ok, RevokedBody(id: share.id, revokedAt: Timestamp(share.revokedAt ?? 0)))
        }
        routes.add(group, .post, "/renders/:id/email", under: prefix) { request, context in
            let render = try await deliverable(context)
            let input = try EmailInput(json: try await JSONBody.read(request, limit: 64 * 1024))
            let sent = try await ShareEmailing(services: services).send(render: render, input: input)
            return JSONBody.response(
                status: .created,
                EmailBody(
                    id: sent.issued.share.id, shareToken: sent.issued.token, shareUrl: shareURL(sent.issued.token),
                    emailMessageId: sent.messageID, sentAt: Timestamp(sent.issued.share.sentAt ?? 0)))
        }
        routes.add(group, .get, "/renders/:id/engagement", under: prefix) { _, context in
            let render = try await deliverable(context)
            let summary = try await services.delivery.engagement(render: render)
            return JSONBody.response(
                status: .ok,
                EngagementBody(
                    counts: Dictionary(uniqueKeysWithValues: summary.counts.map { ($0.key.rawValue, $0.value) }), linkOpens: summary.linkOpens,
                    total: summary.total, recent: summary.recent.map(Self.eventBody)))
        }
        routes.add(group, .post, "/renders/:id/events", under: prefix) { request, context in
            let render = try await deliverable(context)
            let input = try PartnerEventInput(json: try await JSONBody.read(request, limit: 64 * 1024))
            let recorded = try await services.delivery.recordPartner(
                input, render: render, viewer: services.viewerHash(context.clientAddress), userAgent: request.headers[.userAgent],
                now: Date().epochMillis)
            return JSONBody.response(status: .ok, RecordedBody(recorded: recorded))
        }
    }

    /// The project's render named in the path (404 for another project's).
    func deliverable(_ context: AppRequestContext) async throws -> DeliverableRender {
        let project = try context.requireProject()
        let render = try await services.renders.get(projectID: project.projectID, id: context.parameters.get("id") ?? "")
        return Self.deliverable(render)
    }

    static func deliverable(_ render: RenderRecord) -> DeliverableRender {
        DeliverableRender(
            id: render.id, projectID: render.projectID, templateID: render.templateID,
            succeeded: render.status == .succeeded && render.blobKey != nil,
            filename: render.filename)
    }

    func shareURL(_ token: String) -> String { "\(services.config.shareBaseURL)/share/\(token)" }

    func shareBody(_ share: Share, token: String) -> ShareBody {
        ShareBody(
            id: share.id, shareToken: token, shareUrl: shareURL(token), channel: share.channel.rawValue, recipientEmail: share.recipientEmail,
            message: share.message, expiresAt: share.expiresAt.timestamp, revokedAt: share.revokedAt.timestamp, createdAt: Timestamp(share.createdAt)
        )
    }

    static func eventBody(_ event: EngagementEvent) -> EventBody {
        EventBody(
            id: event.id, eventType: event.type.rawValue, actorKind: event.actorKind.rawValue, shareId: event.shareID, sourceIp: event.viewer,
            userAgent: event.userAgent, metadata: event.metadataValue,
            createdAt: Timestamp(event.createdAt))
    }
}
