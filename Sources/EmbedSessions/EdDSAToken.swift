import Core
import Crypto
import Foundation

/// Compact JWS with EdDSA (Ed25519), the session token format (docs/decisions/0004-embed-sessions.md).
/// Only `EdDSA` is accepted: `none`, HS*, RS*, ES* and anything else are refused before any key is
/// used, so the classic algorithm-confusion attacks do not apply.
public enum EdDSAToken {
    public enum Failure: Error, Equatable, CustomStringConvertible {
        case malformed, algorithm(String), unknownKey, badSignature, expired, notYetValid, wrongAudience

        public var description: String {
            switch self {
            case .malformed: "the token is not a compact JWS"
            case .algorithm(let alg): "algorithm \(alg) is not accepted; tokens are EdDSA"
            case .unknownKey: "the token's kid names no key of this partner"
            case .badSignature: "the signature does not verify"
            case .expired: "the token has expired"
            case .notYetValid: "the token is not valid yet"
            case .wrongAudience: "the token is for another audience"
            }
        }
    }

    /// Signs `claims` with a raw 32-byte Ed25519 private key (base64url).
    public static func sign(claims: JSONValue, keyID: String, privateKey: String) throws -> String {
        guard let raw = Base64URL.decode(privateKey) else { throw Failure.malformed }
        let key = try Curve25519.Signing.PrivateKey(rawRepresentation: raw)
        let header: JSONValue = .object(["alg": .string("EdDSA"), "typ": .string("JWT"), "kid": .string(keyID)])
        let input = Base64URL.encode(header.serialized) + "." + Base64URL.encode(claims.serialized)
        let signature = try key.signature(for: Data(input.utf8))
        return input + "." + Base64URL.encode(signature)
    }

    /// The header's `kid`, read without verifying anything (to pick the key).
    public static func keyID(of token: String) throws -> String {
        let header = try part(pieces(token)[0])
        guard case .string(let alg)? = header["alg"] else { throw Failure.malformed }
        guard alg == "EdDSA" else { throw Failure.algorithm(alg) }
        guard case .string(let kid)? = header["kid"] else { throw Failure.unknownKey }
        return kid
    }

    /// Verifies signature, `exp`/`nbf` (with `skew` seconds of leeway) and `aud`; returns the claims.
    public static func verify(_ token: String, publicKey: String, audience: String, now: Date, skew: TimeInterval = 30) throws -> JSONValue {
        let claims = try verifySignature(token, publicKey: publicKey)
        try checkTimesAndAudience(claims, audience: audience, now: now, skew: skew)
        return claims
    }

    /// Verifies only the algorithm and the signature; returns the claims whatever their times say.
    public static func verifySignature(_ token: String, publicKey: String) throws -> JSONValue {
        _ = try keyID(of: token)
        let parts = try pieces(token)
        guard let signature = Base64URL.decode(bytes: parts[2]), let raw = Base64URL.decode(publicKey) else { throw Failure.malformed }
        let key = try Curve25519.Signing.PublicKey(rawRepresentation: raw)
        let bytes = Array(token.utf8)
        guard key.isValidSignature(signature, for: bytes[0..<parts[2].startIndex - 1]) else { throw Failure.badSignature }
        return try part(parts[1])
    }

    /// `exp`/`nbf` within `skew` seconds and `aud` equal to `audience`.
    public static func checkTimesAndAudience(_ claims: JSONValue, audience: String, now: Date, skew: TimeInterval = 30) throws {
        let time = now.timeIntervalSince1970
        guard case .number(let exp)? = claims["exp"] else { throw Failure.malformed }
        if exp + skew < time { throw Failure.expired }
        if case .number(let nbf)? = claims["nbf"], nbf - skew > time { throw Failure.notYetValid }
        guard claims["aud"] == .string(audience) else { throw Failure.wrongAudience }
    }

    /// The three dot-separated parts of a compact JWS, as byte ranges of the token's UTF-8.
    static func pieces(_ token: String) throws -> [ArraySlice<UInt8>] {
        let parts = Array(token.utf8).split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard parts.count == 3 else { throw Failure.malformed }
        return parts
    }

    static func part(_ piece: ArraySlice<UInt8>) throws -> JSONValue {
        guard let data = Base64URL.decode(bytes: piece), let value = try? JSONValue.parse(data), case .object = value else {
            throw Failure.malformed
        }
        return value
    }
}
