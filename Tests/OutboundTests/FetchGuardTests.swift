import Foundation
import Testing

@testable import Outbound

@Suite("SSRF guard")
struct FetchGuardTests {
    @Test(
        "internal, reserved, multicast and IPv4-carrying IPv6 addresses are refused",
        arguments: [
            "0.0.0.0", "0.1.2.3", "10.0.0.1", "100.64.0.1", "100.127.255.254", "127.0.0.1", "127.255.255.254", "169.254.169.254", "172.16.0.1",
            "172.31.255.255", "192.168.1.1", "192.0.0.8", "198.18.0.1", "198.19.255.255", "224.0.0.1", "239.255.255.250", "240.0.0.1",
            "255.255.255.255", "::", "::1", "::127.0.0.1", "::8.8.8.8", "::ffff:127.0.0.1", "::ffff:10.0.0.1", "::ffff:169.254.169.254",
            "::ffff:100.64.0.1", "::ffff:255.255.255.255", "64:ff9b::a00:1", "64:ff9b::808:808", "64:ff9b:1::1", "fc00::1", "fd12:3456::1",
            "fe80::1", "febf::1", "fec0::1", "feff::1", "ff02::1", "ff05::1:3", "[::1]",
        ]
    )
    func blocked(address: String) throws {
        let parsed = try #require(IPAddress(address))
        #expect(FetchGuard.isBlocked(parsed))
    }

    @Test(
        "public addresses, including the ones next to refused ranges, pass",
        arguments: [
            "8.8.8.8", "1.1.1.1", "93.184.216.34", "203.0.113.7", "1.0.0.1", "100.63.255.255", "100.128.0.1", "172.15.255.255", "172.32.0.1",
            "198.17.255.255", "198.20.0.1", "223.255.255.255", "2606:4700:4700::1111", "::ffff:8.8.8.8", "2a00:1450:4001::200e",
        ]
    )
    func allowedAddress(address: String) throws {
        let parsed = try #require(IPAddress(address))
        #expect(!FetchGuard.isBlocked(parsed))
    }

    @Test(
        "internal and private URL targets are refused",
        arguments: [
            "http://127.0.0.1/x.png", "http://localhost/x.png", "http://10.1.2.3/x", "http://192.168.0.1/x", "http://172.16.5.4/x",
            "http://169.254.169.254/latest/meta-data", "http://[::1]/x", "http://0.0.0.0/x", "file:///etc/passwd", "ftp://example.com/x",
            "http://100.64.0.1/x", "http://[::ffff:127.0.0.1]/x", "http://[64:ff9b::a9fe:a9fe]/x", "http://255.255.255.255/x",
        ]
    )
    func refused(url: String) {
        #expect(FetchGuard.problem(with: URL(string: url)!, allowPrivate: false) != nil)
    }

    @Test("public URLs pass, and the test switch lets loopback through")
    func allowed() {
        #expect(FetchGuard.problem(with: URL(string: "http://93.184.216.34/logo.png")!, allowPrivate: false) == nil)
        #expect(FetchGuard.problem(with: URL(string: "http://127.0.0.1:8080/logo.png")!, allowPrivate: true) == nil)
        #expect(FetchGuard.problem(with: URL(string: "ftp://127.0.0.1/logo.png")!, allowPrivate: true) != nil)
    }

    @Test("addresses print back as they were written")
    func printing() {
        #expect(IPAddress("203.0.113.7")?.description == "203.0.113.7")
        #expect(IPAddress("[::1]")?.description == "::1")
        #expect(IPAddress("example.com") == nil)
    }

    @Test("log lines drop the query string and fragment")
    func redaction() {
        #expect(FetchGuard.redacted("https://cdn.example/logo.png?sig=secret#x") == "https://cdn.example/logo.png")
        #expect(FetchGuard.redacted("https://cdn.example/logo.png#x?y") == "https://cdn.example/logo.png")
    }
}
