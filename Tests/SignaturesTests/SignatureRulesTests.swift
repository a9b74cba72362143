import Core
import Foundation
import Signatures
import Testing

/// The signing rules without a database: the audit chain, the create body, the signing body and whose
/// turn it is.
@Suite("Signature rules")
struct SignatureRulesTests {
    func chain(_ count: Int) -> [AuditEvent] {
        var events: [AuditEvent] = []
        for index in 0..<count {
            events.append(
                AuditTrail.next(
                    after: events.last, requestID: "r", projectID: "p", type: index == 0 ? .created : .viewed, recipientIndex: index == 0 ? nil : 0,
                    at: Int64(index), ipHash: "abc", userAgent: "UA", detail: ["status": .string("sent")]))
        }
        return events
    }

    @Test("the hash chain holds, and shows an edited, deleted or reordered event")
    func hashChain() {
        let events = chain(4)
        #expect(events[0].previousHash == AuditTrail.genesis)
        #expect(AuditTrail.problems(in: events).isEmpty)
        var edited = events
        edited[2].userAgent = "forged"
        #expect(AuditTrail.problems(in: edited).contains { $0.contains("event 3 (viewed): hash does not match") })
        var deleted = events
        deleted.remove(at: 1)
        #expect(!AuditTrail.problems(in: deleted).isEmpty)
        #expect(!AuditTrail.problems(in: [events[0], events[2], events[1], events[3]]).isEmpty)
        #expect(AuditTrail.problems(in: []) == ["the audit trail is empty"])
        // The canonical JSON is stable: sorted keys, no whitespace.
        #expect(AuditTrail.canonical(events[0]).hasPrefix(#"{"at":0,"detail":{"status":"sent"},"id":""#))
    }

    func input(_ json: String) throws -> SignatureRequestInput { try SignatureRequestInput(json: try JSONValue.parse(Data(json.utf8))) }

    func issues(_ json: String) -> [String: [String]] {
        do {
            _ = try input(json)
            return [:]
        } catch let error as AppError {
            return error.issues?.fieldErrors ?? [:]
        } catch {
            return [:]
        }
    }

    static let render = "0193c2c3-1111-7aaa-8bbb-000000000001"
    static let field = #"{"page":1,"x":10,"y":10,"width":10,"height":5,"type":"signature","recipientIndex":0}"#

    @Test("the create body: defaults, and every rule named by its path")
    func createBody() throws {
        let parsed = try input(
            #"{"renderId":"\#(Self.render)","recipients":[{"firstName":"Ada","email":"ada@example.com"}],"fields":[\#(Self.field)]}"#)
        #expect(parsed.expirationHours == 168)
        #expect(parsed.recipients[0].designation == "Signer")
        #expect(parsed.fields[0].required)
        #expect(parsed.name == nil)
        let two = #"[{"firstName":"A","email":"a@example.com","order":2},{"firstName":"B","email":"b@example.com","order":2}]"#
        #expect(issues(#"{"renderId":"\#(Self.render)","recipients":\#(two),"fields":[\#(Self.field)]}"#)["recipients"] != nil)
        let partial = #"[{"firstName":"A","email":"a@example.com","order":1},{"firstName":"B","email":"b@example.com"}]"#
        #expect(issues(#"{"renderId":"\#(Self.render)","recipients":\#(partial),"fields":[\#(Self.field)]}"#)["recipients"] != nil)
        #expect(
            issues(
                #"{"renderId":"\#(Self.render)","recipients":[{"firstName":"A","email":"a@example.com"}],"fields":[{"page":1,"x":50,"y":0,"width":60,"height":5,"type":"text","recipientIndex":0}]}"#
            )[
                "fields[0].width"] != nil)
        #expect(
            issues(
                #"{"renderId":"\#(Self.render)","recipients":[{"firstName":"A","email":"a@example.com"}],"fields":[{"page":1,"x":1,"y":1,"width":6,"height":5,"type":"stamp","recipientIndex":0}]}"#
            )[
                "fields[0].type"] != nil)
        #expect(issues(#"{"renderId":"nope","recipients":[{"firstName":"A","email":"a@example.com"}],"fields":[\#(Self.field)]}"#)["renderId"] != nil)
        #expect(
            issues(#"{"renderId":"\#(Self.render)","recipients":[{"firstName":"A","email":"a@b@c"}],"fields":[\#(Self.field)]}"#)[
                "recipients[0].email"] != nil)
        // The hash ignores key order and whitespace, not content.
        let a = try input(#"{"renderId":"\#(Self.render)","recipients":[{"firstName":"Ada","email":"ada@example.com"}],"fields":[\#(Self.field)]}"#)
        let b = try input(
            #"{ "fields":[\#(Self.field)], "recipients":[{"email":"ada@example.com","firstName":"Ada"}], "renderId":"\#(Self.render)" }"#)
        #expect(a.requestHash == b.requestHash)
    }

    @Test("the signing body: a PNG data URL is sniffed, values are unique")
    func signBody() throws {
        let png = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
        let parsed = try SignInput(
            json: try JSONValue.parse(
                Data(#"{"consent":true,"values":[{"field":0,"image":"data:image/png;base64,\#(png)"},{"field":1,"text":"x"}]}"#.utf8)))
        #expect(parsed.values[0].image?.count == 70)
        let gif = Data("GIF89a-not-a-png".utf8).base64EncodedString()
        #expect(throws: AppError.self) {
            try SignInput(json: try JSONValue.parse(Data(#"{"consent":true,"values":[{"field":0,"image":"data:image/png;base64,\#(gif)"}]}"#.utf8)))
        }
        #expect(throws: AppError.self) {
            try SignInput(json: try JSONValue.parse(Data(#"{"consent":true,"values":[{"field":0,"text":"a"},{"field":0,"text":"b"}]}"#.utf8)))
        }
    }

    @Test("in sequential order a recipient may sign once everyone before them signed")
    func turns() {
        func recipient(_ index: Int, order: Int?, status: RecipientStatus = .pending) -> SignatureRecipientRecord {
            SignatureRecipientRecord(
                id: "\(index)", requestID: "r", index: index, order: order, firstName: "R\(index)", lastName: nil, email: "r\(index)@example.com",
                designation: "Signer", tokenHash: "h\(index)", sealedToken: "s", status: status)
        }
        let request = SignatureRequestRecord(
            id: "r", projectID: "p", renderID: "x", name: "n", status: .sent, expirationHours: 1, expiresAt: 10, idempotencyKey: nil,
            requestHash: "h", sha256Before: "", pageSizes: [], createdAt: 0)
        var detail = SignatureRequestDetail(request: request, recipients: [recipient(0, order: 2), recipient(1, order: 1)], fields: [])
        #expect(detail.isSequential)
        #expect(detail.dueInvitations.map(\.index) == [1])
        #expect(!detail.canSign(detail.recipients[0]))
        detail.recipients[1].status = .signed
        #expect(detail.canSign(detail.recipients[0]))
        detail.request.status = .cancelled
        #expect(!detail.canSign(detail.recipients[0]))
        #expect(detail.dueInvitations.isEmpty)
        let parallel = SignatureRequestDetail(request: request, recipients: [recipient(0, order: nil), recipient(1, order: nil)], fields: [])
        #expect(parallel.dueInvitations.count == 2)
    }
}
