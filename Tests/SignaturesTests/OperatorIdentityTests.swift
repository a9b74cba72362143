import Crypto
import Foundation
import Signatures
import SwiftASN1
import Testing
import X509

/// Certificates an operator brings (`CRAFTKIT_SIGNING_CERT`/`_KEY`): RSA keys, and a leaf issued by a CA
/// whose certificate travels in the signature.
@Suite struct OperatorIdentityTests {
    @Test func anRSACertificateFromOpenSSLSignsAndPdfsigVerifies() async throws {
        // openssl is one of the test tools scripts/install-deps.sh installs; it makes the RSA pair here.
        guard Tool.path("openssl") != nil else { return }
        let (certificatePEM, keyPEM) = try Tool.inTemporaryDirectory { directory in
            let key = directory.appendingPathComponent("key.pem").path
            let certificate = directory.appendingPathComponent("cert.pem").path
            let result = try Tool.exec(
                "openssl",
                [
                    "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", certificate, "-days", "30",
                    "-subj", "/O=Operator Ltd/CN=Operator Seal", "-addext", "keyUsage=critical,digitalSignature,nonRepudiation",
                ]
            )
            try #require(result.status == 0, "\(result.output)")
            return (try String(contentsOfFile: certificate, encoding: .utf8), try String(contentsOfFile: key, encoding: .utf8))
        }
        let identity = try SigningIdentity(certificatePEM: certificatePEM, privateKeyPEM: keyPEM)
        let original = [UInt8](try await Engine.invoice.value.bytes)
        let signed = try PDFSigner(identity: identity).sign(original)
        let report = try #require(try Tool.pdfsig(signed.pdf).first)
        #expect(report.contains("Signature Validation: Signature is Valid."), "\(report)")
        #expect(report.contains("Signer Certificate Common Name: Operator Seal"), "\(report)")
        #expect(report.contains("Total document signed"), "\(report)")
        // The stored form loads again.
        let again = try SigningIdentity(certificatePEM: try identity.certificatePEM, privateKeyPEM: try identity.privateKeyPEM)
        #expect(again.certificate == identity.certificate)
    }

    /// A random positive serial of 16 octets. Not `SerialNumber()`: its 20 random octets get a 21st (a
    /// leading zero) when the top bit is set, beyond RFC 5280's 20, and NSS (pdfsig) then cannot read the
    /// certificate.
    func serial() -> Certificate.SerialNumber {
        var bytes = (0..<16).map { _ in UInt8.random(in: 0...255) }
        bytes[0] = bytes[0] & 0x7F | 0x01
        return Certificate.SerialNumber(bytes: bytes)
    }

    @Test func aLeafIssuedByACAShipsTheChainAndPdfsigVerifies() async throws {
        let caKey = Certificate.PrivateKey(P256.Signing.PrivateKey())
        let caName = try DistinguishedName {
            OrganizationName("Example Trust")
            CommonName("Example Issuing CA")
        }
        let now = Date()
        let ca = try Certificate(
            version: .v3, serialNumber: serial(), publicKey: caKey.publicKey, notValidBefore: now - 3600, notValidAfter: now + 86_400,
            issuer: caName, subject: caName, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
                Critical(KeyUsage(keyCertSign: true))
            },
            issuerPrivateKey: caKey
        )
        let leafKey = Certificate.PrivateKey(P256.Signing.PrivateKey())
        let leaf = try Certificate(
            version: .v3, serialNumber: serial(), publicKey: leafKey.publicKey, notValidBefore: now - 3600, notValidAfter: now + 86_400,
            issuer: caName, subject: try DistinguishedName { CommonName("Acme Document Seal") }, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions { Critical(KeyUsage(digitalSignature: true, nonRepudiation: true)) },
            issuerPrivateKey: caKey
        )
        let bundle = try leaf.serializeAsPEM().pemString + "\n" + ca.serializeAsPEM().pemString + "\n"
        let identity = try SigningIdentity(certificatePEM: bundle, privateKeyPEM: try leafKey.serializeAsPEM().pemString)
        #expect(identity.chain == [ca])
        let signed = try PDFSigner(identity: identity).sign([UInt8](try await Engine.invoice.value.bytes))
        let report = try #require(try Tool.pdfsig(signed.pdf).first)
        #expect(report.contains("Signature Validation: Signature is Valid."), "\(report)")
        #expect(report.contains("Signer Certificate Common Name: Acme Document Seal"), "\(report)")
        // Both certificates are in the CMS.
        let hex = String(decoding: signed.pdf[(signed.byteRange[1] + 1)..<(signed.byteRange[2] - 1)], as: UTF8.self)
        for certificate in [leaf, ca] {
            var serializer = DER.Serializer()
            try serializer.serialize(certificate)
            #expect(hex.contains(serializer.serializedBytes.map { String(format: "%02X", $0) }.joined()))
        }
    }

    @Test func aSerialNumberBeyondTwentyOctetsIsRefused() throws {
        let key = Certificate.PrivateKey(P256.Signing.PrivateKey())
        let name = try DistinguishedName { CommonName("Long serial") }
        let certificate = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(bytes: [0x80] + [UInt8](repeating: 1, count: 19)), publicKey: key.publicKey,
            notValidBefore: Date() - 60, notValidAfter: Date() + 3600, issuer: name, subject: name, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: Certificate.Extensions(), issuerPrivateKey: key
        )
        #expect(throws: SigningIdentity.Failure.invalidCertificate("serial number longer than 20 octets (RFC 5280 §4.1.2.2)")) {
            try SigningIdentity(certificate: certificate, privateKey: key)
        }
    }
}
