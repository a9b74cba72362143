import Core
import Foundation
import NIOConcurrencyHelpers
import Testing

@testable import Outbound

@Suite("Recently fetched images")
struct ImageCacheTests {
    func loader(_ cache: TTLCache<String, Data>) -> HTTPImageLoader {
        let configuration = PinnedHTTPClient.Configuration(
            allowPrivate: true, connectTimeout: .seconds(60), requestTimeout: .seconds(120), maxRedirects: 3)
        return HTTPImageLoader(client: PinnedHTTPClient(configuration: configuration), limiter: AsyncLimiter(limit: 4), cache: cache)
    }

    func serve(cacheControl: String?) -> LoopbackServer.Respond {
        { _, writer in
            let extra = cacheControl.map { "\nCache-Control: \($0)" } ?? ""
            try await writer.send("HTTP/1.1 200 OK\nContent-Type: image/png\nContent-Length: \(png.count)\(extra)", body: png)
        }
    }

    @Test("the same image URL twice within the minute is fetched once; another URL is fetched")
    func fetchedOnce() async throws {
        try await LoopbackServer.run(respond: serve(cacheControl: nil)) { port, server in
            let images = loader(TTLCache(ttlMillis: 60_000, capacity: 8))
            for _ in 0..<3 { #expect([UInt8](try await images.load(.url("http://127.0.0.1:\(port)/logo.png"))) == png) }
            _ = try await images.load(.url("http://127.0.0.1:\(port)/other.png"))
            #expect(server.heads.withLockedValue { $0.count } == 2)
        }
    }

    @Test(
        "a response marked no-store, no-cache, private or max-age=0 is fetched every time",
        arguments: ["no-store", "no-cache", "private", "max-age=0"])
    func notCached(directive: String) async throws {
        try await LoopbackServer.run(respond: serve(cacheControl: directive)) { port, server in
            let images = loader(TTLCache(ttlMillis: 60_000, capacity: 8))
            for _ in 0..<2 { _ = try await images.load(.url("http://127.0.0.1:\(port)/logo.png")) }
            #expect(server.heads.withLockedValue { $0.count } == 2)
        }
    }

    @Test("Cache-Control is read as RFC 9111 says")
    func freshness() {
        #expect(HTTPImageLoader.freshness(nil) == .max)
        #expect(HTTPImageLoader.freshness("public, max-age=30") == 30_000)
        #expect(HTTPImageLoader.freshness("max-age=\"5\"") == 5_000)
        #expect(HTTPImageLoader.freshness("No-Store") == nil)
        #expect(HTTPImageLoader.freshness("max-age=soon") == nil)
    }
}

@Suite("Attachments fetched by URL")
struct AttachmentFetchTests {
    @Test("a file is fetched whatever its type; a private address is refused unless allowed, and every failure reads the same")
    func fetches() async throws {
        let xml = Array("<invoice/>".utf8)
        let serveXML: LoopbackServer.Respond = { _, writer in
            try await writer.send("HTTP/1.1 200 OK\nContent-Type: text/xml\nContent-Length: \(xml.count)", body: xml)
        }
        try await LoopbackServer.run(respond: serveXML) { port, server in
            let open = HTTPAttachmentFetcher(
                client: PinnedHTTPClient(configuration: .init(allowPrivate: true, connectTimeout: .seconds(60), requestTimeout: .seconds(120))))
            let fetched = try await open.fetch("http://127.0.0.1:\(port)/invoice.xml")
            #expect([UInt8](fetched) == xml)
            let guarded = HTTPAttachmentFetcher(allowPrivate: false)
            let refused = await failure { try await guarded.fetch("http://127.0.0.1:\(port)/invoice.xml") }
            let closedPort = try await LoopbackServer.closedPort()
            let closed = await failure { try await open.fetch("http://127.0.0.1:\(closedPort)/x") }
            #expect(refused as? OutboundFailure == .transport("attachment could not be fetched"))
            #expect(closed as? OutboundFailure == .transport("attachment could not be fetched"))
            #expect(server.requests.withLockedValue { $0 } == 1)
        }
    }
}
