import Core
import Crypto
import Foundation

/// Compact JWS with EdDSA (Ed25519), the session token format (DESIGN.md decision 4). Only `EdDSA` is
/// accepted: `none`, HS*, RS*, ES* and anything else are refused before any key is used, so the
/// classic algorithm-confusion attacks do not apply.
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
        let header = try part(token, 0)
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
        let pieces = token.split(separator: ".", omittingEmptySubsequences: false)
        guard pieces.count == 3, let signature = Base64URL.decode(String(pieces[2])), let raw = Base64URL.decode(publicKey) else {
            throw Failure.malformed
        }
        let key = try Curve25519.Signing.PublicKey(rawRepresentation: raw)
        guard key.isValidSignature(signature, for: Data("\(pieces[0]).\(pieces[1])".utf8)) else { throw Failure.badSignature }
        return try part(token, 1)
    }

    /// `exp`/`nbf` within `skew` seconds and `aud` equal to `audience`.
    public static func checkTimesAndAudience(_ claims: JSONValue, audience: String, now: Date, skew: TimeInterval = 30) throws {
        let time = now.timeIntervalSince1970
        guard case .number(let exp)? = claims["exp"] else { throw Failure.malformed }
        if exp + skew < time { throw Failure.expired }
        if case .number(let nbf)? = claims["nbf"], nbf - skew > time { throw Failure.notYetValid }
        guard claims["aud"] == .string(audience) else { throw Failure.wrongAudience }
    }

    static func part(_ token: String, _ index: Int) throws -> JSONValue {
        let pieces = token.split(separator: ".", omittingEmptySubsequences: false)
        guard pieces.count == 3, let data = Base64URL.decode(String(pieces[index])), let value = try? JSONValue.parse(data),
            case .object = value
        else { throw Failure.malformed }
        return value
    }
}
