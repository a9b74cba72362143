import Core
import Hummingbird

/// `GET /sign/:token`: the signing page's shell (docs/signatures.md). It holds no data of the request:
/// the page's script reads it through the token's JSON endpoints, which decide what the token may see,
/// so an unknown or ended token gets the same shell and then the page's "no longer active" state.
struct SignPageShellRoute {
    let services: AppServices

    func register(on router: Router<AppRequestContext>, routes: RouteTable) {
        routes.add(router, .get, "/sign/:token") { _, context in
            let token = context.parameters.get("token") ?? ""
            let shares = SharePageRoutes(services: services)
            let nonce = SharePageRoutes.nonce()
            // A token is short and URL-safe; anything else is not one (and is never echoed into the page).
            guard (16...128).contains(token.utf8.count), token.utf8.allSatisfy(Self.tokenByte) else {
                return shares.htmlResponse(status: .notFound, SharePageHTML.unavailable(profile: nil, nonce: nonce), nonce: nonce)
            }
            return shares.htmlResponse(status: .ok, SignPageHTML.document(token: token, nonce: nonce), nonce: nonce)
        }
    }

    static func tokenByte(_ byte: UInt8) -> Bool {
        (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte) || byte == 0x2D || byte == 0x5F
    }
}
