import Core
import Foundation
import HTTPTypes
import HummingbirdTesting
import Logging
import PartnerAPI
import Render
import Renders
import SQLKit
import Storage
import Templates
import TestSupport
import Testing

/// Serves attachment URLs from memory; a missing URL fails like an unreachable host.
struct StubFetcher: EmbeddedFileFetcher {
    let files: [String: Data]

    func fetch(_ url: String) async throws -> Data {
        guard let data = files[url] else { throw URLError(.cannotConnectToHost) }
        return data
    }
}

@Suite("Archival renders and embedded files")
struct ArchivalRenderTests {
    static let xml = Data(
        #"<?xml version="1.0"?><rsm:CrossIndustryInvoice xmlns:rsm="urn:x"><ram:ID>urn:cen.eu:en16931:2017</ram:ID></rsm:CrossIndustryInvoice>"#.utf8)

    func setUp(_ client: any TestClientProtocol) async throws -> String {
        let key = try await provisionKey(client)
        let created = try await client.call(.post, "/v1/templates", bearer: key, json: #"{"name":"Invoice","manifest":\#(invoiceManifest)}"#)
        #expect(created.status == 201)
        return key
    }

    func body(pdfa: String?, attachments: String) -> String {
        let options = pdfa.map { #","options":{"pdfa":"\#($0)"}"# } ?? ""
        return
            #"{"data":{"customer":{"name":"Ada Lovelace"},"invoice":{"total":4200},"items":[{"description":"Engine","qty":"2"}]}\#(options),"attachments":\#(attachments)}"#
    }

    static func attachment(
        _ name: String = "factur-x.xml", type: String = "text/xml", content: Data = xml, relationship: String = "Alternative"
    )
        -> String
    {
        #"{"filename":"\#(name)","mimeType":"\#(type)","relationship":"\#(relationship)","content":"\#(content.base64EncodedString())"}"#
    }

    @Test("PDF/A-3b with a Factur-X XML: stored with the render, embedded in the downloaded PDF, shown on the render", arguments: DatabaseLeg.all)
    func facturX(leg: DatabaseLeg) async throws {
        try await TestApp.run(leg) { client, services in
            let key = try await setUp(client)
            let queued = try await client.call(
                .post, "/v1/templates/invoice/render", bearer: key, json: body(pdfa: "3b", attachments: "[\(Self.attachment())]"))
            #expect(queued.status == 202, "\(queued.body)")
            #expect(queued.string("pdfa") == "3b")
            #expect(queued.json["attachmentCount"] == .number(1))
            let id = try #require(queued.string("id"))
            while try await services.renderWorker.runOnce(owner: "test-worker") {}
            let done = try await client.call(.get, "/v1/renders/\(id)", bearer: key)
            #expect(done.string("status") == "succeeded", "\(done.body)")
            let download = try await client.execute(uri: "/v1/renders/\(id)/download", method: .get, headers: [.authorization: "Bearer \(key)"]) {
                $0
            }
            let pdf = String(decoding: Data(download.body.readableBytesView), as: UTF8.self)
            #expect(pdf.contains("<pdfaid:part>3</pdfaid:part>"))
            #expect(pdf.contains("/AFRelationship /Alternative"))
            #expect(pdf.contains("/GTS_PDFA1"))
            #expect(pdf.contains("<fx:DocumentFileName>factur-x.xml</fx:DocumentFileName>"))
        }
    }

    @Test("the same request with the same Idempotency-Key replays; different attachments under that key are refused")
    func idempotency() async throws {
        try await TestApp.run(.sqlite) { client, _ in
            let key = try await setUp(client)
            let first = body(pdfa: "3b", attachments: "[\(Self.attachment())]")
            let a = try await client.call(.post, "/v1/templates/invoice/render", bearer: key, json: first, headers: [.idempotencyKey: "k1"])
            let b = try await client.call(.post, "/v1/templates/invoice/render", bearer: key, json: first, headers: [.idempotencyKey: "k1"])
            #expect(a.status == 202)
            #expect(b.status == 200)
            #expect(a.string("id") == b.string("id"))
            let other = body(pdfa: "3b", attachments: "[\(Self.attachment(content: Data("<x/>".utf8)))]")
            let c = try await client.call(.post, "/v1/templates/invoice/render", bearer: key, json: other, headers: [.idempotencyKey: "k1"])
            #expect(c.status == 409)
        }
    }

    @Test("bad attachments get field errors and nothing is stored", arguments: DatabaseLeg.all)
    func refused(leg: DatabaseLeg) async throws {
        try await TestApp.run(leg) { client, services in
            let key = try await setUp(client)
            let cases: [(String, String)] = [
                (body(pdfa: "2b", attachments: "[\(Self.attachment())]"), "attachments"),
                (body(pdfa: "1a", attachments: "[]"), "options.pdfa"),
                (body(pdfa: nil, attachments: "[\(Self.attachment(type: "application/x-msdownload"))]"), "attachments[0].mimeType"),
                (body(pdfa: nil, attachments: "[\(Self.attachment(content: Data("MZ\u{0}\u{0}binary".utf8)))]"), "attachments[0].content"),
                (body(pdfa: nil, attachments: "[\(Self.attachment("../etc/passwd"))]"), "attachments[0].filename"),
                (body(pdfa: nil, attachments: "[\(Self.attachment(relationship: "Owner"))]"), "attachments[0].relationship"),
                (body(pdfa: nil, attachments: "[\(Self.attachment()),\(Self.attachment())]"), "attachments[1].filename"),
                (body(pdfa: nil, attachments: "[" + Array(repeating: Self.attachment(), count: 11).joined(separator: ",") + "]"), "attachments"),
                (
                    body(pdfa: nil, attachments: #"[{"filename":"a.xml","mimeType":"text/xml","url":"ftp://example.com/a.xml"}]"#),
                    "attachments[0].url"
                ),
                (
                    body(pdfa: nil, attachments: #"[{"filename":"a.xml","mimeType":"text/xml","url":"https://example.com/a","content":"PHgvPg=="}]"#),
                    "attachments[0].url"
                ),
                (body(pdfa: nil, attachments: #"[{"filename":"a.xml","mimeType":"text/xml"}]"#), "attachments[0].content"),
            ]
            for (request, path) in cases {
                let refused = try await client.call(.post, "/v1/templates/invoice/render", bearer: key, json: request)
                #expect(refused.status == 400, "\(path): \(refused.body)")
                #expect(refused.json["error"]?["issues"]?["fieldErrors"]?[path] != nil, "\(path): \(refused.body)")
            }
            let rows = try await services.database.sql.raw("SELECT COUNT(*) AS n FROM renders").first()
            #expect(try rows?.decode(column: "n", as: Int64.self) == 0)
            let files = try await services.database.sql.raw("SELECT COUNT(*) AS n FROM render_attachments").first()
            #expect(try files?.decode(column: "n", as: Int64.self) == 0)
        }
    }

    func worker(_ services: AppServices, fetcher: StubFetcher) throws -> RenderWorker {
        RenderWorker(
            queue: SQLJobQueue(database: services.database), renders: SQLRenderRepository(database: services.database),
            work: SQLUnitOfWork(database: services.database), templates: SQLTemplateRepository(database: services.database),
            blobs: services.blobs, engine: try TestApp.sharedEngine(), images: NoImageLoader(), attachmentFetcher: fetcher, signal: JobSignal(),
            settings: TestApp.workerSettings, logger: Logger(label: "test"))
    }

    @Test("an attachment named by URL is fetched when the render runs and embedded; an unreachable or wrong file fails the render clearly")
    func byURL() async throws {
        try await TestApp.run(.sqlite) { client, services in
            let key = try await setUp(client)
            let fetcher = StubFetcher(files: ["https://erp.example/invoice.xml": Self.xml, "https://erp.example/not-xml": Data("MZ\u{0}".utf8)])
            let worker = try worker(services, fetcher: fetcher)
            func attachment(_ url: String) -> String { #"[{"filename":"factur-x.xml","mimeType":"text/xml","url":"\#(url)"}]"# }

            let queued = try await client.call(
                .post, "/v1/templates/invoice/render", bearer: key, json: body(pdfa: "3b", attachments: attachment("https://erp.example/invoice.xml"))
            )
            #expect(queued.status == 202, "\(queued.body)")
            let id = try #require(queued.string("id"))
            let done = try await settleRender(worker, client, key: key, id: id)
            #expect(done.string("status") == "succeeded", "\(done.body)")
            let download = try await client.execute(uri: "/v1/renders/\(id)/download", method: .get, headers: [.authorization: "Bearer \(key)"]) {
                $0
            }
            #expect(String(decoding: Data(download.body.readableBytesView), as: UTF8.self).contains("<fx:DocumentFileName>factur-x.xml"))

            let wrong = try await client.call(
                .post, "/v1/templates/invoice/render", bearer: key, json: body(pdfa: nil, attachments: attachment("https://erp.example/not-xml")))
            let failed = try await settleRender(worker, client, key: key, id: try #require(wrong.string("id")))
            #expect(failed.string("status") == "failed")
            #expect(failed.string("errorMessage")?.contains("not text/xml") == true, "\(failed.body)")

            let missing = try await client.call(
                .post, "/v1/templates/invoice/render", bearer: key, json: body(pdfa: nil, attachments: attachment("https://erp.example/gone")))
            let gone = try await settleRender(worker, client, key: key, id: try #require(missing.string("id")))
            #expect(gone.string("status") == "failed")
            #expect(gone.string("errorMessage") == "Attachment factur-x.xml could not be fetched from its URL.", "\(gone.body)")
        }
    }
}
