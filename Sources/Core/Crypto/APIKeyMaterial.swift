import Crypto
import Foundation

/// Project API keys: `ck_live_` or `ck_test_` followed by 32 base62 characters from the system CSPRNG
/// (≈190 bits). Only the SHA-256 hash is used for lookup; the plaintext is shown once (or, for the
/// provisioned key, kept sealed so provisioning can return it again).
public enum APIKeyMaterial {
    public enum Environment: String, Sendable, Codable, CaseIterable {
        case live
        case test

        public var prefix: String { "ck_\(rawValue)_" }
    }

    static let alphabet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".utf8)
    public static let randomLength = 32

    public static func generate(_ environment: Environment) -> String {
        var characters: [UInt8] = []
        characters.reserveCapacity(randomLength)
        while characters.count < randomLength {
            // Rejection sampling: 62 * 4 = 248, so bytes ≥ 248 would bias the alphabet's first characters.
            for byte in SecureRandom.bytes(48) where byte < 248 && characters.count < randomLength {
                characters.append(alphabet[Int(byte % 62)])
            }
        }
        return environment.prefix + String(decoding: characters, as: UTF8.self)
    }

    /// The environment of a well-formed key, or nil when the string cannot be a project key.
    public static func environment(of key: String) -> Environment? {
        guard let environment = Environment.allCases.first(where: { key.hasPrefix($0.prefix) }) else { return nil }
        let random = key.utf8.dropFirst(environment.prefix.utf8.count)
        guard random.count == randomLength, random.allSatisfy({ alphabet.contains($0) }) else { return nil }
        return environment
    }

    /// Lower-case hex SHA-256: the lookup column for keys.
    public static func hash(_ key: String) -> String {
        Hex.sha256(key)
    }

    /// The part safe to display and log: the scheme plus five characters (`ck_live_aBcDe`).
    public static func displayPrefix(_ key: String) -> String {
        String(key.prefix((environment(of: key)?.prefix.count ?? 8) + 5))
    }
}
