import Core
import Crypto
import Foundation
import SwiftASN1
import X509

/// The certificate and private key that seal signed PDFs: either a per-project self-signed one created at
/// first use (`generate`), or one an operator provides (`init(certificatePEM:privateKeyPEM:)`, e.g. from
/// `CRAFTKIT_SIGNING_CERT`/`_KEY`). Storage is the caller's: `privateKeyPEM` is what to seal at rest
/// (`SecretBox`), `certificatePEM` is public. See docs/signatures.md.
public struct SigningIdentity: Sendable {
    public enum Failure: Error, Equatable, CustomStringConvertible {
        case invalidCertificate(String)
        case invalidPrivateKey(String)
        case keyDoesNotMatchCertificate
        case unsupportedKey(String)

        public var description: String {
            switch self {
            case .invalidCertificate(let reason): "signing certificate is not a PEM/DER X.509 certificate: \(reason)"
            case .invalidPrivateKey(let reason): "signing key is not a PEM/DER private key: \(reason)"
            case .keyDoesNotMatchCertificate: "signing key does not belong to the signing certificate"
            case .unsupportedKey(let kind): "signing key \(kind) is not supported (P-256, P-384, P-521 or RSA ≥ 2048 bits)"
            }
        }
    }

    public let certificate: Certificate
    public let privateKey: Certificate.PrivateKey
    /// The extra certificates (intermediate CAs) shipped in the signature so a verifier can build the chain.
    public let chain: [Certificate]

    /// The signature algorithm matching the key: ECDSA or RSA PKCS #1 v1.5, always with SHA-256.
    var signatureAlgorithm: Certificate.SignatureAlgorithm {
        get throws {
            let supported = privateKey.supportedSignatureAlgorithms
            if supported.contains(.ecdsaWithSHA256) { return .ecdsaWithSHA256 }
            if supported.contains(.sha256WithRSAEncryption) { return .sha256WithRSAEncryption }
            throw Failure.unsupportedKey(privateKey.description)
        }
    }

    public init(certificate: Certificate, privateKey: Certificate.PrivateKey, chain: [Certificate] = []) throws {
        guard certificate.publicKey == privateKey.publicKey else { throw Failure.keyDoesNotMatchCertificate }
        // RFC 5280 §4.1.2.2 caps serial numbers at 20 octets; NSS (poppler's pdfsig, Firefox) cannot read a
        // certificate with a longer one, so the signature would not verify there.
        let serial = certificate.serialNumber.bytes
        guard serial.count + ((serial.first ?? 0) >= 0x80 ? 1 : 0) <= 20 else {
            throw Failure.invalidCertificate("serial number longer than 20 octets (RFC 5280 §4.1.2.2)")
        }
        self.certificate = certificate
        self.privateKey = privateKey
        self.chain = chain
        _ = try signatureAlgorithm
    }

    /// A new self-signed identity for a project: P-256, subject `CN=<project name> (Craftkit Server)`,
    /// key usage digitalSignature + nonRepudiation, valid from an hour before `now` for `years` years.
    public static func generate(projectName: String, now: Date = Date(), years: Int = 10) throws -> SigningIdentity {
        let key = Certificate.PrivateKey(P256.Signing.PrivateKey())
        let name = try DistinguishedName {
            OrganizationName("Craftkit Server")
            CommonName(commonName(for: projectName))
        }
        var serial = [UInt8](repeating: 0, count: 16)
        var generator = SystemRandomNumberGenerator()
        for index in serial.indices { serial[index] = generator.next() }
        serial[0] &= 0x7F  // positive, and at most 20 octets as RFC 5280 §4.1.2.2 asks
        serial[0] |= 0x01  // never a leading zero octet
        let extensions = try Certificate.Extensions {
            Critical(KeyUsage(digitalSignature: true, nonRepudiation: true))
            Critical(BasicConstraints.notCertificateAuthority)
            SubjectKeyIdentifier(hash: key.publicKey)
        }
        let certificate = try Certificate(
            version: .v3,
            serialNumber: Certificate.SerialNumber(bytes: serial),
            publicKey: key.publicKey,
            notValidBefore: now.addingTimeInterval(-3600),
            notValidAfter: now.addingTimeInterval(Double(years) * 365.25 * 86_400),
            issuer: name,
            subject: name,
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: extensions,
            issuerPrivateKey: key
        )
        return try SigningIdentity(certificate: certificate, privateKey: key)
    }

    /// The subject common name: the project name (control characters dropped, cut so the whole name fits
    /// X.520's 64-character upper bound for a common name) plus " (Craftkit Server)".
    static func commonName(for projectName: String) -> String {
        let suffix = " (Craftkit Server)"
        let cleaned = String(projectName.unicodeScalars.filter { !CharacterSet.controlCharacters.contains($0) }.map(Character.init))
            .trimmingCharacters(in: .whitespaces)
        let base = cleaned.isEmpty ? "Project" : cleaned
        return String(base.prefix(64 - suffix.count)) + suffix
    }

    /// An operator-provided identity: a PEM certificate (optionally followed by its intermediate CAs, leaf
    /// first) and a PEM private key (PKCS #8, SEC 1 or PKCS #1).
    public init(certificatePEM: String, privateKeyPEM: String) throws {
        let documents: [PEMDocument]
        do {
            documents = try PEMDocument.parseMultiple(pemString: certificatePEM)
        } catch {
            throw Failure.invalidCertificate(String(describing: error))
        }
        guard !documents.isEmpty else { throw Failure.invalidCertificate("no PEM block") }
        let certificates: [Certificate]
        do {
            certificates = try documents.map { try Certificate(pemDocument: $0) }
        } catch {
            throw Failure.invalidCertificate(String(describing: error))
        }
        let key: Certificate.PrivateKey
        do {
            key = try Certificate.PrivateKey(pemEncoded: privateKeyPEM)
        } catch {
            throw Failure.invalidPrivateKey(String(describing: error))
        }
        try self.init(certificate: certificates[0], privateKey: key, chain: Array(certificates.dropFirst()))
    }

    /// Loads an identity from DER bytes (the certificate and a PKCS #8, SEC 1 or PKCS #1 key).
    public init(certificateDER: [UInt8], privateKeyDER: [UInt8]) throws {
        let certificate: Certificate
        do {
            certificate = try Certificate(derEncoded: certificateDER)
        } catch {
            throw Failure.invalidCertificate(String(describing: error))
        }
        let key: Certificate.PrivateKey
        if let pkcs8 = try? Certificate.PrivateKey(derBytes: privateKeyDER) {
            key = pkcs8
        } else if let sec1 = try? Certificate.PrivateKey(pemDocument: PEMDocument(type: "EC PRIVATE KEY", derBytes: privateKeyDER)) {
            key = sec1
        } else {
            do {
                key = try Certificate.PrivateKey(pemDocument: PEMDocument(type: "RSA PRIVATE KEY", derBytes: privateKeyDER))
            } catch {
                throw Failure.invalidPrivateKey(String(describing: error))
            }
        }
        try self.init(certificate: certificate, privateKey: key)
    }

    /// The certificate (and chain), PEM. Public: safe to store and show in the clear.
    public var certificatePEM: String {
        get throws {
            try ([certificate] + chain).map { try $0.serializeAsPEM().pemString }.joined(separator: "\n") + "\n"
        }
    }

    /// The private key, PEM (PKCS #8 for EC keys, PKCS #1 for RSA). A secret: seal it before storing
    /// (`SecretBox`).
    public var privateKeyPEM: String {
        get throws { try privateKey.serializeAsPEM().pemString + "\n" }
    }

    /// The certificate, DER.
    public var certificateDER: [UInt8] {
        get throws {
            var serializer = DER.Serializer()
            try serializer.serialize(certificate)
            return serializer.serializedBytes
        }
    }

    /// The private key, DER (the bytes of `privateKeyPEM`). A secret, like `privateKeyPEM`.
    public var privateKeyDER: [UInt8] {
        get throws { try privateKey.serializeAsPEM().derBytes }
    }

    /// SHA-256 of the certificate's DER, hex: the fingerprint to show next to a signed document.
    public var fingerprint: String {
        get throws { Hex.encode(SHA256.hash(data: try certificateDER)) }
    }
}
