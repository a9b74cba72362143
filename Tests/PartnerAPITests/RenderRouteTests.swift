import Core
import Foundation
import HTTPTypes
import HummingbirdTesting
import PartnerAPI
import SQLKit
import TestSupport
import Testing

@Suite("Renders")
struct RenderRouteTests {
    let data = #"{"data":{"customer":{"name":"Ada Lovelace"},"invoice":{"total":4200},"items":[{"description":"Analytical engine","qty":"2"}]}}"#

    func setUp(_ client: any TestClientProtocol) async throws -> String {
        let key = try await provisionKey(client)
        let created = try await client.call(.post, "/v1/templates", bearer: key, json: #"{"name":"Invoice","manifest":\#(invoiceManifest)}"#)
        #expect(created.status == 201)
        return key
    }

    /// Runs queued jobs until none is left.
    func drain(_ services: AppServices) async throws {
        while try await services.renderWorker.runOnce(owner: "test-worker") {}
    }

    @Test("the quickstart: render, poll, succeeded, and the download is a PDF holding the data", arguments: DatabaseLeg.all)
    func quickstart(leg: DatabaseLeg) async throws {
        try await TestApp.run(leg) { client, services in
            let key = try await setUp(client)
            let queued = try await client.call(.post, "/v1/templates/invoice/render", bearer: key, json: data)
            #expect(queued.status == 202)
            #expect(queued.string("status") == "queued")
            #expect(queued.json["downloadUrl"] == .null)
            #expect(queued.json["errorMessage"] == .null)
            let id = try #require(queued.string("id"))
            #expect(queued.string("pollUrl")?.hasSuffix("/v1/renders/\(id)") == true)

            try await drain(services)
            let done = try await client.call(.get, "/v1/renders/\(id)", bearer: key)
            #expect(done.string("status") == "succeeded")
            #expect(done.json["pageCount"] == .number(1))
            #expect(done.string("downloadUrl")?.hasSuffix("/v1/renders/\(id)/download") == true)
            #expect(done.string("completedAt") != nil)

            let download = try await client.execute(uri: "/v1/renders/\(id)/download", method: .get, headers: [.authorization: "Bearer \(key)"]) {
                $0
            }
            #expect(download.status == .ok)
            #expect(download.headers[.contentType] == "application/pdf")
            #expect(download.headers[.contentDisposition] == "attachment; filename=\"\(id).pdf\"")
            let pdf = Data(download.body.readableBytesView)
            #expect(pdf.starts(with: Data("%PDF-".utf8)))
            let text = try PDFText.extract(pdf)
            #expect(text.contains("Ada Lovelace"))
            #expect(text.contains("Analytical engine"))
            #expect(text.contains("4,200.00"))
        }
    }

    @Test("twenty concurrent renders with one Idempotency-Key make one render", arguments: DatabaseLeg.all)
    func idempotentConcurrency(leg: DatabaseLeg) async throws {
        try await TestApp.run(leg) { client, services in
            let key = try await setUp(client)
            let results = try await withThrowingTaskGroup(of: TestResult.self) { group in
                for _ in 0..<20 {
                    group.addTask {
                        try await client.call(.post, "/v1/templates/invoice/render", bearer: key, json: data, headers: [.idempotencyKey: "order-42"])
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(Set(results.compactMap { $0.string("id") }).count == 1)
            #expect(results.filter { $0.status == 202 }.count == 1)
            #expect(results.filter { $0.status == 200 }.count == 19)
            let count = try await services.database.sql.raw("SELECT COUNT(*) AS n FROM renders").first()
            #expect(try count?.decode(column: "n", as: Int64.self) == 1)
        }
    }

    @Test("a replay returns the render's current state; the same key with other data is 409 idempotency_key_reused")
    func replayAndReuse() async throws {
        try await TestApp.run(.sqlite) { client, services in
            let key = try await setUp(client)
            let first = try await client.call(.post, "/v1/templates/invoice/render", bearer: key, json: data, headers: [.idempotencyKey: "k1"])
            try await drain(services)
            let replay = try await client.call(.post, "/v1/templates/invoice/render", bearer: key, json: data, headers: [.idempotencyKey: "k1"])
            #expect(replay.status == 200)
            #expect(replay.string("id") == first.string("id"))
            #expect(replay.string("status") == "succeeded")
            let other = #"{"data":{"customer":{"name":"Grace Hopper"},"invoice":{"total":1}}}"#
            let reused = try await client.call(.post, "/v1/templates/invoice/render", bearer: key, json: other, headers: [.idempotencyKey: "k1"])
            #expect(reused.status == 409)
            #expect(reused.errorCode == "idempotency_key_reused")
            // The body's jobId is the key when no header is sent.
            let byJobID = #"{"jobId":"j1","data":{"customer":{"name":"Ada"},"invoice":{"total":1}}}"#
            let a = try await client.call(.post, "/v1/templates/invoice/render", bearer: key, json: byJobID)
            let b = try await client.call(.post, "/v1/templates/invoice/render", bearer: key, json: byJobID)
            #expect(a.status == 202 && b.status == 200 && a.string("id") == b.string("id"))
        }
    }

    @Test("data that does not match the manifest is 400 invalid_input_data with precise paths")
    func invalidData() async throws {
        try await TestApp.run(.sqlite) { client, _ in
            let key = try await setUp(client)
            let bad = #"{"data":{"customer":{},"invoice":{"total":"lots","date":"31/12/2026"},"items":[{"qty":1},{"description":"x","qty":"two"}]}}"#
            let result = try await client.call(.post, "/v1/templates/invoice/render", bearer: key, json: bad)
            #expect(result.status == 400)
            #expect(result.errorCode == "invalid_input_data")
            let fields = result.json["error"]?["issues"]?["fieldErrors"]
            #expect(fields?["customer.name"] == .array([.string("Required")]))
            #expect(fields?["invoice.total"] != nil)
            #expect(fields?["invoice.date"] != nil)
            #expect(fields?["items[0].description"] == .array([.string("Required")]))
            #expect(fields?["items[1].qty"] != nil)
        }
    }

    @Test(
        "render requests with bad options or unknown targets get the documented errors",
        arguments: [
            (
                "/v1/templates/invoice/render", #"{"data":{"customer":{"name":"A"},"invoice":{"total":1}},"options":{"versionNumber":9}}"#, 404,
                "version_not_found"
            ),
            ("/v1/templates/nope/render", #"{"data":{}}"#, 404, "template_not_found"),
            ("/v1/templates/invoice/render", #"{"options":{}}"#, 400, "invalid_request"),
            ("/v1/templates/invoice/render", #"{"data":[]}"#, 400, "invalid_request"),
            ("/v1/templates/invoice/render", #"{"data":{},"options":{"versionNumber":"1"}}"#, 400, "invalid_request"),
            ("/v1/templates/invoice/render", "{", 400, "invalid_json"),
        ]
    )
    func badRequests(path: String, body: String, status: Int, code: String) async throws {
        try await TestApp.run(.sqlite) { client, _ in
            let key = try await setUp(client)
            let result = try await client.call(.post, path, bearer: key, json: body)
            #expect(result.status == status, "\(result.body)")
            #expect(result.errorCode == code)
        }
    }

    @Test("with the database down, a render request is 503 queue_unavailable (retryable), not a 500")
    func queueUnavailable() async throws {
        try await TestApp.run(.sqlite) { client, services in
            let key = try await setUp(client)
            // Authenticate once so the key is cached, then take the database away.
            #expect(try await client.call(.get, "/v1/keys", bearer: key).status == 200)
            try await services.database.shutdown()
            let result = try await client.call(.post, "/v1/templates/invoice/render", bearer: key, json: data)
            #expect(result.status == 503)
            #expect(result.errorCode == "queue_unavailable")
        }
    }

    @Test("a template without a published version is 409 no_published_version")
    func unpublished() async throws {
        try await TestApp.run(.sqlite) { client, services in
            let key = try await setUp(client)
            try await services.database.sql.raw("UPDATE templates SET current_version_number = NULL").run()
            let result = try await client.call(.post, "/v1/templates/invoice/render", bearer: key, json: data)
            #expect(result.status == 409)
            #expect(result.errorCode == "no_published_version")
            let read = try await client.call(.get, "/v1/templates/invoice", bearer: key)
            #expect(read.json["published"] == .bool(false))
            #expect(read.json["manifest"] == .null)
            #expect(read.json["jsonSchema"] == .null)
        }
    }

    @Test("renders of another project are 404, and downloads before success are 409 not_ready", arguments: DatabaseLeg.all)
    func scopingAndNotReady(leg: DatabaseLeg) async throws {
        try await TestApp.run(leg) { client, _ in
            let key = try await setUp(client)
            let other = try await provisionKey(client, org: "other")
            let id = try #require(try await client.call(.post, "/v1/templates/invoice/render", bearer: key, json: data).string("id"))
            #expect(try await client.call(.get, "/v1/renders/\(id)/download", bearer: key).errorCode == "not_ready")
            for path in ["/v1/renders/\(id)", "/v1/renders/\(id)/download", "/v1/embed/renders/\(id)/download", "/v1/renders/garbage"] {
                let result = try await client.call(.get, path, bearer: other)
                #expect(result.status == 404, "\(path)")
                #expect(result.errorCode == "not_found")
            }
        }
    }

    @Test("the render list pages newest first with a cursor")
    func list() async throws {
        try await TestApp.run(.sqlite) { client, _ in
            let key = try await setUp(client)
            var ids: [String] = []
            for _ in 0..<5 {
                ids.append(try #require(try await client.call(.post, "/v1/templates/invoice/render", bearer: key, json: data).string("id")))
            }
            let first = try await client.call(.get, "/v1/renders?limit=3", bearer: key)
            guard case .array(let page1)? = first.json["data"], case .string(let cursor)? = first.json["nextCursor"] else {
                Issue.record("no page: \(first.body)")
                return
            }
            let second = try await client.call(.get, "/v1/renders?limit=3&cursor=\(cursor)", bearer: key)
            guard case .array(let page2)? = second.json["data"] else { return }
            #expect((page1 + page2).compactMap { if case .string(let id)? = $0["id"] { id } else { nil } } == ids.reversed())
            #expect(second.json["nextCursor"] == .null)
            #expect(try await client.call(.get, "/v1/renders?limit=0", bearer: key).errorCode == "invalid_request")
        }
    }

    @Test("options.filename names the download; a public blob URL becomes the downloadUrl")
    func filenameAndPublicURL() async throws {
        try await TestApp.run(.sqlite, environment: ["CRAFTKIT_PUBLIC_BLOB_URL": "https://cdn.example.com/craftkit/"]) { client, services in
            let key = try await setUp(client)
            let body = #"{"data":{"customer":{"name":"A"},"invoice":{"total":1}},"options":{"filename":"Invoice 42","sync":true}}"#
            let id = try #require(try await client.call(.post, "/v1/templates/invoice/render", bearer: key, json: body).string("id"))
            try await drain(services)
            let render = try await client.call(.get, "/v1/renders/\(id)", bearer: key)
            #expect(render.string("downloadUrl")?.hasPrefix("https://cdn.example.com/craftkit/renders/") == true)
            let download = try await client.call(.get, "/v1/renders/\(id)/download", bearer: key)
            #expect(download.headers[.contentDisposition] == "attachment; filename=\"Invoice 42.pdf\"")
            let bad = #"{"data":{"customer":{"name":"A"},"invoice":{"total":1}},"options":{"filename":"../etc/passwd"}}"#
            #expect(try await client.call(.post, "/v1/templates/invoice/render", bearer: key, json: bad).errorCode == "invalid_request")
        }
    }

    @Test("a PDF larger than one chunk is streamed whole, its length announced up front")
    func streamedDownload() async throws {
        try await TestApp.run(.sqlite) { client, services in
            let key = try await setUp(client)
            let id = try #require(try await client.call(.post, "/v1/templates/invoice/render", bearer: key, json: data).string("id"))
            try await drain(services)
            let row = try await services.database.sql.raw("SELECT blob_key FROM renders WHERE id = \(bind: id)").first()
            let blobKey = try #require(try row?.decode(column: "blob_key", as: String.self))
            // Stand in a 1 MB body (four chunks) for the rendered PDF.
            let big = Data((0..<1_000_003).map { UInt8(truncatingIfNeeded: $0 &* 31) })
            try await services.blobs.put(big, key: blobKey)
            let download = try await client.execute(uri: "/v1/renders/\(id)/download", method: .get, headers: [.authorization: "Bearer \(key)"]) {
                $0
            }
            #expect(download.status == .ok)
            #expect(download.headers[.contentLength] == "1000003")
            #expect(Data(download.body.readableBytesView) == big)
            // A blob gone from storage is a clean 500 before any byte is sent.
            try await services.blobs.delete(key: blobKey)
            #expect(try await client.call(.get, "/v1/renders/\(id)/download", bearer: key).errorCode == "internal")
        }
    }

    @Test("on S3 storage with CRAFTKIT_PUBLIC_BLOB_URL=presigned, downloadUrl is a presigned GET of the object")
    func presignedDownloadURL() async throws {
        let environment = [
            "CRAFTKIT_STORAGE_URL": "s3://pdfs/tenant-a?endpoint=http://127.0.0.1:9000&region=eu-west-1&path_style=1",
            "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY": "secret", "CRAFTKIT_PUBLIC_BLOB_URL": "presigned",
            "CRAFTKIT_PRESIGNED_URL_SECONDS": "120",
        ]
        try await TestApp.run(.sqlite, environment: environment) { client, services in
            let key = try await setUp(client)
            let id = try #require(try await client.call(.post, "/v1/templates/invoice/render", bearer: key, json: data).string("id"))
            try await drain(services)
            let url = try #require(try await client.call(.get, "/v1/renders/\(id)", bearer: key).string("downloadUrl"))
            #expect(url.hasPrefix("http://127.0.0.1:9000/pdfs/tenant-a/renders/"), "\(url)")
            #expect(url.contains("X-Amz-Expires=120") && url.contains("X-Amz-Signature="), "\(url)")
        }
    }

    @Test("the same version and data give byte-identical PDFs", arguments: DatabaseLeg.all)
    func deterministic(leg: DatabaseLeg) async throws {
        try await TestApp.run(leg) { client, services in
            let key = try await setUp(client)
            let a = try #require(try await client.call(.post, "/v1/templates/invoice/render", bearer: key, json: data).string("id"))
            let b = try #require(try await client.call(.post, "/v1/templates/invoice/render", bearer: key, json: data).string("id"))
            try await drain(services)
            let first = try await client.call(.get, "/v1/renders/\(a)", bearer: key)
            let second = try await client.call(.get, "/v1/renders/\(b)", bearer: key)
            #expect(first.string("sha256") != nil)
            #expect(first.string("sha256") == second.string("sha256"))
        }
    }
}
