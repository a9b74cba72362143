import Core
import Foundation
import Render

/// A numeric IPv4 (4 bytes) or IPv6 (16 bytes) address: what the guard judges and what the client
/// connects to, so the address that was checked is the address that is used.
public struct IPAddress: Sendable, Hashable, CustomStringConvertible {
    public let bytes: [UInt8]

    /// Parses a numeric address (`203.0.113.7`, `::1`, `[::1]`); nil for host names.
    public init?(_ text: String) {
        let bare = text.hasPrefix("[") && text.hasSuffix("]") ? String(text.dropFirst().dropLast()) : text
        var v4 = in_addr()
        if inet_pton(AF_INET, bare, &v4) == 1 {
            bytes = withUnsafeBytes(of: v4) { Array($0) }
            return
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, bare, &v6) == 1 {
            bytes = withUnsafeBytes(of: v6) { Array($0) }
            return
        }
        return nil
    }

    /// 4 or 16 bytes in network order.
    public init?(bytes: [UInt8]) {
        guard bytes.count == 4 || bytes.count == 16 else { return nil }
        self.bytes = bytes
    }

    public var isIPv4: Bool { bytes.count == 4 }

    public var description: String {
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        let ok = bytes.withUnsafeBytes { raw in inet_ntop(isIPv4 ? AF_INET : AF_INET6, raw.baseAddress, &text, socklen_t(text.count)) != nil }
        guard ok else { return "?" }
        return String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// The SSRF rules for URLs the server fetches: http(s) only, and no address inside the operator's
/// network or otherwise not meant to be reached from the internet (see docs/security.md).
public enum FetchGuard {
    /// nil when `url` may be fetched, else why not. Used where a URL is accepted (webhook endpoints at
    /// registration); the fetch itself re-resolves and re-checks through `PinnedHTTPClient`.
    public static func problem(with url: URL, allowPrivate: Bool) -> String? {
        guard let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https" else { return "only http(s) URLs can be fetched" }
        guard let host = url.host, !host.isEmpty else { return "the URL has no host" }
        if allowPrivate { return nil }
        let addresses = IPAddress(host).map { [$0] } ?? lookup(host)
        guard !addresses.isEmpty else { return "the host does not resolve" }
        if addresses.contains(where: isBlocked) { return "the host resolves to a private or internal address" }
        return nil
    }

    /// Whether `address` is refused: unspecified, loopback, private, shared (CGNAT), link-local,
    /// benchmarking, multicast, reserved and broadcast IPv4; the IPv6 equivalents; and the IPv6 forms
    /// that carry an IPv4 address (mapped, compatible, NAT64), because the network may route them to
    /// that IPv4 address.
    public static func isBlocked(_ address: IPAddress) -> Bool {
        let b = address.bytes
        if address.isIPv4 { return isBlockedIPv4(b[0], b[1], b[2]) }
        // ::ffff:a.b.c.d reaches a.b.c.d on a dual-stack socket: judge the embedded IPv4.
        if b[0..<10].allSatisfy({ $0 == 0 }) && b[10] == 0xFF && b[11] == 0xFF { return isBlockedIPv4(b[12], b[13], b[14]) }
        // ::/96: unspecified, loopback and the deprecated IPv4-compatible ::a.b.c.d, never a public host.
        if b[0..<12].allSatisfy({ $0 == 0 }) { return true }
        // 64:ff9b::/96 (well-known NAT64) and 64:ff9b:1::/48 (local NAT64) translate to IPv4 we cannot judge.
        if b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xFF && b[3] == 0x9B {
            if b[4..<12].allSatisfy({ $0 == 0 }) { return true }
            if b[4] == 0x00 && b[5] == 0x01 { return true }
        }
        if (b[0] & 0xFE) == 0xFC { return true }  // fc00::/7 unique local
        if b[0] == 0xFE && (b[1] & 0xC0) == 0x80 { return true }  // fe80::/10 link-local
        if b[0] == 0xFE && (b[1] & 0xC0) == 0xC0 { return true }  // fec0::/10 site-local (deprecated, still routed internally)
        if b[0] == 0xFF { return true }  // ff00::/8 multicast
        return false
    }

    private static func isBlockedIPv4(_ a: UInt8, _ b: UInt8, _ c: UInt8) -> Bool {
        switch a {
        case 0: return true  // 0.0.0.0/8 "this network": 0.0.0.0 connects to the local host
        case 10: return true  // RFC 1918
        case 100: return (64...127).contains(b)  // 100.64.0.0/10 shared address space (CGNAT)
        case 127: return true  // loopback
        case 169: return b == 254  // link-local, incl. cloud metadata 169.254.169.254
        case 172: return (16...31).contains(b)  // RFC 1918
        case 192: return b == 168 || (b == 0 && c == 0)  // RFC 1918; 192.0.0.0/24 protocol assignments
        case 198: return b == 18 || b == 19  // 198.18.0.0/15 benchmarking, used inside data centres
        default: return a >= 224  // 224.0.0.0/4 multicast, 240.0.0.0/4 reserved, 255.255.255.255 broadcast
        }
    }

    /// Blocking getaddrinfo: every numeric address of `host` (empty when it does not resolve).
    static func lookup(_ host: String) -> [IPAddress] {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var result: UnsafeMutablePointer<addrinfo>?
        let name = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        guard getaddrinfo(name, nil, &hints, &result) == 0, let first = result else { return [] }
        defer { freeaddrinfo(result) }
        var addresses: [IPAddress] = []
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let info = cursor {
            if info.pointee.ai_family == AF_INET, let raw = info.pointee.ai_addr {
                raw.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { address in
                    IPAddress(bytes: withUnsafeBytes(of: address.pointee.sin_addr) { Array($0) }).map { addresses.append($0) }
                }
            } else if info.pointee.ai_family == AF_INET6, let raw = info.pointee.ai_addr {
                raw.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { address in
                    IPAddress(bytes: withUnsafeBytes(of: address.pointee.sin6_addr) { Array($0) }).map { addresses.append($0) }
                }
            }
            cursor = info.pointee.ai_next
        }
        // getaddrinfo lists an address once per protocol; connect attempts need each once, in order.
        var seen = Set<IPAddress>()
        return addresses.filter { seen.insert($0).inserted }
    }

    /// PNG, JPEG or WebP: what the render core draws.
    static func isSupportedImage(_ data: Data) -> Bool {
        guard let kind = ImageKind.sniff(data) else { return false }
        return kind != .gif
    }

    /// `url` without its query string and fragment, for logs: signed image URLs carry credentials there.
    public static func redacted(_ url: String) -> String {
        String(url.prefix { $0 != "?" && $0 != "#" })
    }
}
