/// The partner's public signing keys as a JWK Set (RFC 7517, OKP keys per RFC 8037), served at
/// `GET /v1/embed/jwks.json` so partners can verify session tokens themselves.
public struct JSONWebKeySet: Sendable, Equatable, Codable {
    public struct Key: Sendable, Equatable, Codable {
        public var kty = "OKP"
        public var crv = "Ed25519"
        public var use = "sig"
        public var alg = "EdDSA"
        public var kid: String
        /// base64url of the raw 32-byte public key.
        public var x: String

        public init(kid: String, x: String) {
            self.kid = kid
            self.x = x
        }
    }

    public var keys: [Key]

    public init(keys: [Key]) { self.keys = keys }
}
