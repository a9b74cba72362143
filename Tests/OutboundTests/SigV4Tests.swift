import Foundation
import Outbound
import Testing

/// AWS's published Signature V4 test vectors: the aws-sig-v4-test-suite (credentials AKIDEXAMPLE,
/// us-east-1, service "service", 2015-08-30 12:36:00 UTC) and the worked S3 examples of the S3 API
/// reference (examplebucket, 2013-05-24). The expected strings are AWS's, not computed here.
@Suite("SigV4 signing against AWS's published vectors")
struct SigV4Tests {
    static let suite = SigV4(
        accessKeyID: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", region: "us-east-1", service: "service")
    static let suiteDate = Date(timeIntervalSince1970: 1_440_938_160)  // 20150830T123600Z
    static let s3 = SigV4(
        accessKeyID: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", region: "us-east-1", service: "s3")
    static let s3Date = Date(timeIntervalSince1970: 1_369_353_600)  // 20130524T000000Z

    struct Vector: Sendable, CustomStringConvertible {
        var name: String
        var method: String
        var query: [(String, String)]
        var canonicalRequest: String
        var stringToSign: String
        var authorization: String
        var description: String { name }
    }

    static let vectors = [
        Vector(
            name: "get-vanilla", method: "GET", query: [],
            canonicalRequest: """
                GET
                /

                host:example.amazonaws.com
                x-amz-date:20150830T123600Z

                host;x-amz-date
                e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
                """,
            stringToSign: """
                AWS4-HMAC-SHA256
                20150830T123600Z
                20150830/us-east-1/service/aws4_request
                bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63
                """,
            authorization:
                "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"
        ),
        Vector(
            name: "post-vanilla", method: "POST", query: [],
            canonicalRequest: """
                POST
                /

                host:example.amazonaws.com
                x-amz-date:20150830T123600Z

                host;x-amz-date
                e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
                """,
            stringToSign: """
                AWS4-HMAC-SHA256
                20150830T123600Z
                20150830/us-east-1/service/aws4_request
                553f88c9e4d10fc9e109e2aeb65f030801b70c2f6468faca261d401ae622fc87
                """,
            authorization:
                "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"
        ),
        Vector(
            name: "get-vanilla-query-order-key-case", method: "GET", query: [("Param2", "value2"), ("Param1", "value1")],
            canonicalRequest: """
                GET
                /
                Param1=value1&Param2=value2
                host:example.amazonaws.com
                x-amz-date:20150830T123600Z

                host;x-amz-date
                e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
                """,
            stringToSign: """
                AWS4-HMAC-SHA256
                20150830T123600Z
                20150830/us-east-1/service/aws4_request
                816cd5b414d056048ba4f7c5386d6e0533120fb1fcfa93762cf0fc39e2cf19e0
                """,
            authorization:
                "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"
        ),
    ]

    @Test("aws-sig-v4-test-suite vector", arguments: vectors)
    func testSuite(vector: Vector) {
        let signed = Self.suite.sign(
            method: vector.method, path: "/", query: vector.query, headers: [("Host", "example.amazonaws.com")],
            payloadHash: SigV4.emptyPayloadHash, date: Self.suiteDate)
        #expect(signed.canonicalRequest == vector.canonicalRequest)
        #expect(signed.stringToSign == vector.stringToSign)
        #expect(signed.authorization == vector.authorization)
        #expect(signed.headers.contains { $0.0 == "x-amz-date" && $0.1 == "20150830T123600Z" })
    }

    @Test("S3 presigned GET URL: examplebucket/test.txt for 86400 s")
    func presignedURL() {
        let (query, signed) = Self.s3.presignedQuery(
            method: "GET", path: "/test.txt", host: "examplebucket.s3.amazonaws.com", expires: 86400, date: Self.s3Date)
        #expect(
            signed.canonicalRequest == """
                GET
                /test.txt
                X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host
                host:examplebucket.s3.amazonaws.com

                host
                UNSIGNED-PAYLOAD
                """)
        #expect(
            signed.stringToSign == """
                AWS4-HMAC-SHA256
                20130524T000000Z
                20130524/us-east-1/s3/aws4_request
                3bfa292879f6447bbcda7001decf97f4a54dc650c8942174ae0a9121cf58ad04
                """)
        #expect(signed.signature == "aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404")
        #expect(
            query
                == "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404"
        )
    }

    @Test("S3 header-signed GET Object with a Range (the S3 reference's example)")
    func s3GetObject() {
        let signed = Self.s3.sign(
            method: "GET", path: "/test.txt",
            headers: [
                ("Host", "examplebucket.s3.amazonaws.com"), ("Range", "bytes=0-9"), ("x-amz-content-sha256", SigV4.emptyPayloadHash),
            ],
            payloadHash: SigV4.emptyPayloadHash, date: Self.s3Date)
        #expect(
            signed.authorization
                == "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"
        )
    }

    @Test("a session token is sent and signed as x-amz-security-token")
    func sessionToken() {
        var signer = Self.suite
        signer.sessionToken = "token/with+chars"
        let signed = signer.sign(
            method: "GET", path: "/", headers: [("host", "example.amazonaws.com")], payloadHash: SigV4.emptyPayloadHash, date: Self.suiteDate)
        #expect(signed.authorization.contains("SignedHeaders=host;x-amz-date;x-amz-security-token,"))
        #expect(signed.headers.contains { $0.0 == "x-amz-security-token" && $0.1 == "token/with+chars" })
        let (query, _) = signer.presignedQuery(method: "GET", path: "/k", host: "h", expires: 60, date: Self.suiteDate)
        #expect(query.contains("X-Amz-Security-Token=token%2Fwith%2Bchars"))
    }

    @Test("URI encoding keeps only unreserved characters (and slashes in paths)")
    func encoding() {
        #expect(SigV4.encode("a b/c~d*e") == "a%20b%2Fc~d%2Ae")
        #expect(SigV4.encode("a b/c", keepingSlash: true) == "a%20b/c")
        #expect(SigV4.encode("ሴ") == "%E1%88%B4")
    }
}
