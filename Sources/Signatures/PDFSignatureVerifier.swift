import Crypto
import Foundation
import Render
import SwiftASN1
import X509

/// Checks the last signature of a PDF this server sealed (docs/signatures.md#verifying): that its
/// `/ByteRange` covers the whole file but the signature's own hex string, that the CMS message digest is
/// the SHA-256 of those ranges, and that the signer's certificate signed the CMS signed attributes. It
/// does not judge trust in the certificate (a self-signed project certificate is expected).
public enum PDFSignatureVerifier {
    public struct Report: Sendable, Equatable {
        public var byteRange: [Int]
        /// Problems found; empty when the signature holds.
        public var problems: [String]
        public var signer: String?

        public var isValid: Bool { problems.isEmpty }
    }

    static let messageDigestOID: ASN1ObjectIdentifier = [1, 2, 840, 113_549, 1, 9, 4]

    public static func verify(_ pdf: [UInt8]) -> Report {
        var report = Report(byteRange: [], problems: [], signer: nil)
        guard let range = lastByteRange(pdf) else {
            report.problems.append("no /ByteRange: the file carries no signature")
            return report
        }
        report.byteRange = range
        let (a, b, c, d) = (range[0], range[1], range[2], range[3])
        guard a == 0, b > 0, c > b, d >= 0, c + d == pdf.count else {
            report.problems.append("the signature does not cover the whole file (/ByteRange \(range), file \(pdf.count) bytes)")
            return report
        }
        guard pdf[b] == UInt8(ascii: "<"), pdf[c - 1] == UInt8(ascii: ">"), let der = hexBytes(pdf[(b + 1)..<(c - 1)]) else {
            report.problems.append("the gap between the byte ranges is not the signature's hex string")
            return report
        }
        let digest = Array(SHA256.hash(data: Array(pdf[a..<(a + b)]) + Array(pdf[c..<(c + d)])))
        do {
            let cms = try CMSParts(der: der)
            report.signer = cms.certificate.subject.description
            if cms.messageDigest != digest { report.problems.append("the CMS message digest is not the SHA-256 of the signed byte ranges") }
            let algorithms: [Certificate.SignatureAlgorithm] = [.ecdsaWithSHA256, .ecdsaWithSHA384, .ecdsaWithSHA512, .sha256WithRSAEncryption]
            if !algorithms.contains(where: {
                cms.certificate.publicKey.isValidSignature(cms.signature, for: cms.signedAttributes, signatureAlgorithm: $0)
            }) {
                report.problems.append("the CMS signature does not verify with the signer's certificate")
            }
        } catch {
            report.problems.append("the CMS signature could not be read: \(error)")
        }
        return report
    }

    /// The numbers of the file's last `/ByteRange [a b c d]`.
    static func lastByteRange(_ pdf: [UInt8]) -> [Int]? {
        let marker = Array("/ByteRange".utf8)
        var index = pdf.count - marker.count
        while index >= 0 {
            if pdf[index] == marker[0], Array(pdf[index..<(index + marker.count)]) == marker {
                let tail = pdf[(index + marker.count)..<min(pdf.count, index + marker.count + 80)]
                guard let open = tail.firstIndex(of: UInt8(ascii: "[")), let close = tail.firstIndex(of: UInt8(ascii: "]")), open < close else {
                    return nil
                }
                let numbers = String(decoding: pdf[(open + 1)..<close], as: UTF8.self).split(whereSeparator: \.isWhitespace).compactMap { Int($0) }
                return numbers.count == 4 ? numbers : nil
            }
            index -= 1
        }
        return nil
    }

    static func hexBytes(_ hex: ArraySlice<UInt8>) -> [UInt8]? {
        guard hex.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(hex.count / 2)
        var high: UInt8?
        for character in hex {
            guard let nibble = nibble(character) else { return nil }
            if let h = high {
                bytes.append(h << 4 | nibble)
                high = nil
            } else {
                high = nibble
            }
        }
        return bytes
    }

    static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case 0x30...0x39: c - 0x30
        case 0x41...0x46: c - 0x37
        case 0x61...0x66: c - 0x57
        default: nil
        }
    }

    /// The parts of a detached CMS SignedData the check needs (RFC 5652 §5), read from its DER (the hex
    /// string is padded with zeros past the DER's end, which the parser ignores).
    struct CMSParts {
        var certificate: Certificate
        var signedAttributes: [UInt8]
        var messageDigest: [UInt8]
        var signature: [UInt8]

        struct Malformed: Error, CustomStringConvertible {
            let description: String
        }

        init(der: [UInt8]) throws {
            // The DER's own length: the padding after it is not part of the structure.
            let whole = try DER.parse(Self.trimmed(der))
            guard case .constructed(let contentInfo) = whole.content, let explicit = Array(contentInfo).dropFirst().first,
                case .constructed(let wrapper) = explicit.content, let signedData = Array(wrapper).first,
                case .constructed(let fields) = signedData.content
            else { throw Malformed(description: "not a ContentInfo with SignedData") }
            let items = Array(fields)
            guard let certificates = items.first(where: { $0.identifier == ASN1Identifier(tagWithNumber: 0, tagClass: .contextSpecific) }),
                case .constructed(let certificateNodes) = certificates.content, let first = Array(certificateNodes).first
            else { throw Malformed(description: "no certificate") }
            certificate = try Certificate(derEncoded: Array(first.encodedBytes))
            guard let infos = items.last, case .constructed(let signerInfos) = infos.content, let signerInfo = Array(signerInfos).first,
                case .constructed(let infoFields) = signerInfo.content
            else { throw Malformed(description: "no SignerInfo") }
            let parts = Array(infoFields)
            guard let attributes = parts.first(where: { $0.identifier == ASN1Identifier(tagWithNumber: 0, tagClass: .contextSpecific) }),
                case .constructed(let attributeNodes) = attributes.content, let signatureNode = parts.last,
                case .primitive(let signatureBytes) = signatureNode.content
            else { throw Malformed(description: "no signed attributes or signature") }
            // The signature covers the attributes DER-encoded as a SET (tag 0x31), not as the [0] they are stored in.
            var encoded = Array(attributes.encodedBytes)
            encoded[0] = 0x31
            signedAttributes = encoded
            signature = Array(signatureBytes)
            var digest: [UInt8]?
            for attribute in attributeNodes {
                guard case .constructed(let pair) = attribute.content, let oid = Array(pair).first, let values = Array(pair).dropFirst().first,
                    (try? ASN1ObjectIdentifier(derEncoded: oid)) == PDFSignatureVerifier.messageDigestOID,
                    case .constructed(let valueNodes) = values.content, let value = Array(valueNodes).first,
                    case .primitive(let bytes) = value.content
                else { continue }
                digest = Array(bytes)
            }
            guard let digest else { throw Malformed(description: "no message-digest attribute") }
            messageDigest = digest
        }

        /// The bytes of the outermost DER element (a SEQUENCE with a definite length).
        static func trimmed(_ der: [UInt8]) throws -> [UInt8] {
            guard der.count >= 2, der[0] == 0x30 else { throw Malformed(description: "not a DER SEQUENCE") }
            let first = Int(der[1])
            if first < 0x80 { return Array(der.prefix(2 + first)) }
            let count = first & 0x7f
            guard count > 0, count <= 4, der.count >= 2 + count else { throw Malformed(description: "bad DER length") }
            let length = der[2..<(2 + count)].reduce(0) { $0 << 8 | Int($1) }
            guard der.count >= 2 + count + length else { throw Malformed(description: "truncated DER") }
            return Array(der.prefix(2 + count + length))
        }
    }
}
