import Crypto
import Foundation
import SwiftASN1
import X509

/// A detached CMS SignedData (RFC 5652) in the CAdES form PAdES asks for (ETSI.CAdES.detached): SHA-256,
/// one signer identified by issuer and serial number, signed attributes content-type, message-digest,
/// signing-time (optional) and ESS signing-certificate-v2 (RFC 5035), the certificate and its chain
/// included. swift-certificates' `CMS.sign` cannot add signing-certificate-v2 and its CMS types are not
/// public, so the structures are written here with SwiftASN1's DER serializer.
enum CMSSignedData {
    enum OID {
        static let data: ASN1ObjectIdentifier = [1, 2, 840, 113549, 1, 7, 1]
        static let signedData: ASN1ObjectIdentifier = [1, 2, 840, 113549, 1, 7, 2]
        static let contentType: ASN1ObjectIdentifier = [1, 2, 840, 113549, 1, 9, 3]
        static let messageDigest: ASN1ObjectIdentifier = [1, 2, 840, 113549, 1, 9, 4]
        static let signingTime: ASN1ObjectIdentifier = [1, 2, 840, 113549, 1, 9, 5]
        static let signingCertificateV2: ASN1ObjectIdentifier = [1, 2, 840, 113549, 1, 9, 16, 2, 47]
        static let sha256: ASN1ObjectIdentifier = [2, 16, 840, 1, 101, 3, 4, 2, 1]
        static let ecdsaWithSHA256: ASN1ObjectIdentifier = [1, 2, 840, 10045, 4, 3, 2]
        static let sha256WithRSAEncryption: ASN1ObjectIdentifier = [1, 2, 840, 113549, 1, 1, 11]
    }

    /// `AlgorithmIdentifier ::= SEQUENCE { algorithm OID, parameters ANY OPTIONAL }`; parameters are
    /// absent (SHA-256, ECDSA: RFC 5754, RFC 5758) or NULL (RSA: RFC 4055).
    struct AlgorithmIdentifier: DERSerializable {
        var algorithm: ASN1ObjectIdentifier
        var nullParameters = false

        func serialize(into coder: inout DER.Serializer) throws {
            try coder.appendConstructedNode(identifier: .sequence) { coder in
                try coder.serialize(algorithm)
                if nullParameters { try coder.serialize(ASN1Null()) }
            }
        }
    }

    /// `Attribute ::= SEQUENCE { attrType OID, attrValues SET OF ANY }`.
    struct Attribute: DERSerializable {
        var type: ASN1ObjectIdentifier
        var values: [ASN1Any]

        func serialize(into coder: inout DER.Serializer) throws {
            try coder.appendConstructedNode(identifier: .sequence) { coder in
                try coder.serialize(type)
                try coder.serializeSetOf(values)
            }
        }
    }

    /// `IssuerAndSerialNumber ::= SEQUENCE { issuer Name, serialNumber INTEGER }`.
    struct IssuerAndSerialNumber: DERSerializable {
        var certificate: Certificate

        func serialize(into coder: inout DER.Serializer) throws {
            try coder.appendConstructedNode(identifier: .sequence) { coder in
                try coder.serialize(certificate.issuer)
                try coder.serialize(certificate.serialNumber.bytes)
            }
        }
    }

    /// `SigningCertificateV2 ::= SEQUENCE { certs SEQUENCE OF ESSCertIDv2 }` with one
    /// `ESSCertIDv2 ::= SEQUENCE { certHash OCTET STRING, issuerSerial IssuerSerial }` (hashAlgorithm
    /// left out: its DEFAULT is SHA-256, and DER omits defaults), where
    /// `IssuerSerial ::= SEQUENCE { issuer GeneralNames, serialNumber INTEGER }` and the one GeneralName
    /// is a `directoryName [4]` (explicit: Name is a CHOICE).
    struct SigningCertificateV2: DERSerializable {
        var certificate: Certificate
        var certificateHash: [UInt8]

        func serialize(into coder: inout DER.Serializer) throws {
            try coder.appendConstructedNode(identifier: .sequence) { coder in
                try coder.appendConstructedNode(identifier: .sequence) { coder in
                    try coder.appendConstructedNode(identifier: .sequence) { coder in
                        try coder.serialize(ASN1OctetString(contentBytes: certificateHash[...]))
                        try coder.appendConstructedNode(identifier: .sequence) { coder in
                            try coder.appendConstructedNode(identifier: .sequence) { coder in
                                try coder.serialize(
                                    certificate.issuer,
                                    explicitlyTaggedWithIdentifier: ASN1Identifier(tagWithNumber: 4, tagClass: .contextSpecific)
                                )
                            }
                            try coder.serialize(certificate.serialNumber.bytes)
                        }
                    }
                }
            }
        }
    }

    /// The signed attributes for `digest` (SHA-256 of the signed bytes).
    static func signedAttributes(digest: [UInt8], certificate: Certificate, signingTime: Date?) throws -> [Attribute] {
        var certificateDER = DER.Serializer()
        try certificateDER.serialize(certificate)
        var attributes = [
            Attribute(type: OID.contentType, values: [try ASN1Any(erasing: OID.data)]),
            Attribute(type: OID.messageDigest, values: [try ASN1Any(erasing: ASN1OctetString(contentBytes: digest[...]))]),
        ]
        if let signingTime { attributes.append(Attribute(type: OID.signingTime, values: [try time(signingTime)])) }
        let essCertificate = SigningCertificateV2(
            certificate: certificate,
            certificateHash: Array(SHA256.hash(data: certificateDER.serializedBytes))
        )
        attributes.append(Attribute(type: OID.signingCertificateV2, values: [try ASN1Any(erasing: essCertificate)]))
        return attributes
    }

    /// RFC 5652 §11.3: UTCTime for 1950–2049, GeneralizedTime otherwise. Whole seconds, UTC.
    static func time(_ date: Date) throws -> ASN1Any {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        let (year, month, day) = (c.year ?? 2000, c.month ?? 1, c.day ?? 1)
        let (hours, minutes, seconds) = (c.hour ?? 0, c.minute ?? 0, c.second ?? 0)
        if (1950...2049).contains(year) {
            return try ASN1Any(erasing: UTCTime(year: year, month: month, day: day, hours: hours, minutes: minutes, seconds: seconds))
        }
        return try ASN1Any(
            erasing: GeneralizedTime(year: year, month: month, day: day, hours: hours, minutes: minutes, seconds: seconds, fractionalSeconds: 0)
        )
    }

    /// `ContentInfo { signedData, [0] SignedData }` signing `digest` with `identity`, DER.
    static func sign(digest: [UInt8], identity: SigningIdentity, signingTime: Date?) throws -> [UInt8] {
        let attributes = try signedAttributes(digest: digest, certificate: identity.certificate, signingTime: signingTime)
        // RFC 5652 §5.4: the signature covers the DER of the attributes as a SET OF (tag 0x31), not the
        // [0] IMPLICIT form they are stored in; serializeSetOf sorts both the same way.
        var toSign = DER.Serializer()
        try toSign.serializeSetOf(attributes)
        let algorithm = try identity.signatureAlgorithm
        let signature = try identity.privateKey.sign(bytes: toSign.serializedBytes, signatureAlgorithm: algorithm).rawRepresentation
        let signatureAlgorithm =
            algorithm == .ecdsaWithSHA256
            ? AlgorithmIdentifier(algorithm: OID.ecdsaWithSHA256) : AlgorithmIdentifier(algorithm: OID.sha256WithRSAEncryption, nullParameters: true)
        let digestAlgorithm = AlgorithmIdentifier(algorithm: OID.sha256)
        let contextZero = ASN1Identifier(tagWithNumber: 0, tagClass: .contextSpecific)

        var coder = DER.Serializer()
        try coder.appendConstructedNode(identifier: .sequence) { coder in
            try coder.serialize(OID.signedData)
            try coder.appendConstructedNode(identifier: contextZero) { coder in
                // SignedData
                try coder.appendConstructedNode(identifier: .sequence) { coder in
                    try coder.serialize(1)  // version: issuerAndSerialNumber, id-data content
                    try coder.serializeSetOf([digestAlgorithm])
                    try coder.appendConstructedNode(identifier: .sequence) { coder in try coder.serialize(OID.data) }  // detached
                    try coder.serializeSetOf([identity.certificate] + identity.chain, identifier: contextZero)
                    try coder.appendConstructedNode(identifier: .set) { coder in
                        // SignerInfo
                        try coder.appendConstructedNode(identifier: .sequence) { coder in
                            try coder.serialize(1)
                            try coder.serialize(IssuerAndSerialNumber(certificate: identity.certificate))
                            try coder.serialize(digestAlgorithm)
                            try coder.serializeSetOf(attributes, identifier: contextZero)
                            try coder.serialize(signatureAlgorithm)
                            try coder.serialize(ASN1OctetString(contentBytes: signature[...]))
                        }
                    }
                }
            }
        }
        return coder.serializedBytes
    }
}
