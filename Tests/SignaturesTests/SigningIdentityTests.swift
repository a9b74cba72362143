import Crypto
import Foundation
import Signatures
import Testing
import X509

@Suite struct SigningIdentityTests {
    @Test func generatedIdentityIsSelfSignedP256WithSigningKeyUsage() throws {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let identity = try SigningIdentity.generate(projectName: "Acme Inc", now: now)
        let certificate = identity.certificate
        #expect(certificate.subject == certificate.issuer)
        #expect(certificate.subject.description.contains("CN=Acme Inc (Craftkit Server)"))
        #expect(certificate.signatureAlgorithm == .ecdsaWithSHA256)
        #expect(certificate.publicKey.isValidSignature(certificate.signature, for: certificate))
        let usage = try #require(try certificate.extensions.keyUsage)
        #expect(usage.digitalSignature && usage.nonRepudiation && !usage.keyCertSign)
        #expect(certificate.notValidAfter.timeIntervalSince(now) > 9.9 * 365 * 86_400)
        #expect(certificate.notValidBefore <= now)
    }

    @Test func pemRoundTripKeepsCertificateAndKey() throws {
        let identity = try SigningIdentity.generate(projectName: "Round trip")
        let loaded = try SigningIdentity(certificatePEM: try identity.certificatePEM, privateKeyPEM: try identity.privateKeyPEM)
        #expect(loaded.certificate == identity.certificate)
        #expect(loaded.privateKey.publicKey == identity.privateKey.publicKey)
        let fromDER = try SigningIdentity(certificateDER: try identity.certificateDER, privateKeyDER: try identity.privateKeyDER)
        #expect(fromDER.certificate == identity.certificate)
        #expect(try fromDER.fingerprint == identity.fingerprint)
    }

    @Test func mismatchedOrGarbageMaterialIsATypedError() throws {
        let one = try SigningIdentity.generate(projectName: "One")
        let two = try SigningIdentity.generate(projectName: "Two")
        #expect(throws: SigningIdentity.Failure.keyDoesNotMatchCertificate) {
            try SigningIdentity(certificatePEM: try one.certificatePEM, privateKeyPEM: try two.privateKeyPEM)
        }
        #expect(throws: SigningIdentity.Failure.self) { try SigningIdentity(certificatePEM: "nope", privateKeyPEM: try one.privateKeyPEM) }
        #expect(throws: SigningIdentity.Failure.self) { try SigningIdentity(certificatePEM: try one.certificatePEM, privateKeyPEM: "nope") }
        #expect(throws: SigningIdentity.Failure.self) {
            try SigningIdentity(certificateDER: [0x30, 0x03, 0x02, 0x01, 0x01], privateKeyDER: [0x30, 0x00])
        }
    }

    @Test func longOrOddProjectNamesStayWithinTheCommonNameBound() throws {
        let identity = try SigningIdentity.generate(projectName: String(repeating: "x", count: 300) + "\n")
        let cn = identity.certificate.subject.description
        #expect(cn.contains("(Craftkit Server)"))
        let empty = try SigningIdentity.generate(projectName: "  ")
        #expect(empty.certificate.subject.description.contains("CN=Project (Craftkit Server)"))
    }
}
