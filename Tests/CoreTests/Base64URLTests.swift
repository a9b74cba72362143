import Core
import Foundation
import Testing

@Suite("Base64URL")
struct Base64URLTests {
    @Test("encoding matches Foundation's base64 with the URL alphabet and no padding, and decodes back", arguments: 0..<40)
    func roundTrip(length: Int) throws {
        let bytes = Data((0..<length).map { UInt8(truncatingIfNeeded: $0 &* 97 &+ 251) })
        let expected = bytes.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
        #expect(Base64URL.encode(bytes) == expected)
        #expect(Base64URL.decode(expected) == bytes)
        #expect(
            Base64URL.decode(bytes.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")) == bytes)
    }

    @Test("characters outside the alphabet, impossible lengths and non-zero padding bits are refused")
    func refusals() {
        #expect(Base64URL.decode("ab+c") == nil)
        #expect(Base64URL.decode("ab/c") == nil)
        #expect(Base64URL.decode("abcde") == nil)
        #expect(Base64URL.decode("QR") == nil)  // "Q" alone leaves non-zero bits
        #expect(Base64URL.decode("QQ") == Data([0x41]))
        #expect(Base64URL.decode("") == Data())
    }
}
