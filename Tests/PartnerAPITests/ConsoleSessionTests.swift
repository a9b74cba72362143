import Core
import Foundation
import HTTPTypes
import HummingbirdTesting
import PartnerAPI
import TestSupport
import Testing

/// The console's session cookie (docs/console.md): `/console/session` and the cookie standing in for a
/// key on the API.
@Suite("ConsoleSession")
struct ConsoleSessionTests {
    struct Session {
        let cookie: String
        let csrf: String
        let setCookie: String
    }

    /// Signs in with `key`; the session's cookie (`name=value`), its CSRF token and the raw Set-Cookie.
    func signIn(_ client: any TestClientProtocol, key: String) async throws -> Session {
        let result = try await client.call(.post, "/console/session", json: #"{"key":"\#(key)"}"#)
        #expect(result.status == 200, "\(result.body)")
        let setCookie = try #require(result.headers[.setCookie])
        let cookie = try #require(setCookie.split(separator: ";").first.map(String.init))
        return Session(cookie: cookie, csrf: try #require(result.string("csrfToken")), setCookie: setCookie)
    }

    func call(
        _ client: any TestClientProtocol, _ method: HTTPRequest.Method, _ uri: String, _ session: Session, csrf: String? = nil, json: String? = nil
    ) async throws -> TestResult {
        var headers: HTTPFields = [.cookie: session.cookie]
        if let csrf { headers[HTTPField.Name("X-CSRF-Token")!] = csrf }
        return try await client.call(method, uri, json: json, headers: headers)
    }

    func ids(_ result: TestResult) -> [String] {
        guard case .array(let items)? = result.json["data"] else { return [] }
        return items.compactMap { if case .string(let id)? = $0["id"] { id } else { nil } }
    }

    @Test(
        "signing in with a project key sets an HttpOnly SameSite=Strict cookie that holds no key and reads that project", arguments: DatabaseLeg.all)
    func projectSignIn(leg: DatabaseLeg) async throws {
        try await TestApp.run(leg) { client, _ in
            let key = try await provisionKey(client)
            let result = try await client.call(.post, "/console/session", json: #"{"key":"\#(key)"}"#)
            #expect(result.status == 200)
            #expect(result.string("principal", "kind") == "project")
            #expect(result.string("principal", "projectId") != nil)
            #expect(!result.body.contains(key))
            let setCookie = try #require(result.headers[.setCookie])
            #expect(setCookie.hasPrefix("ck_console="))
            #expect(setCookie.contains("; HttpOnly") && setCookie.contains("; SameSite=Strict") && setCookie.contains("; Path=/"))
            #expect(!setCookie.contains("Secure"))
            #expect(!setCookie.contains(key) && !setCookie.contains(String(key.suffix(20))))
            let session = try await signIn(client, key: key)

            let keys = try await call(client, .get, "/v1/keys", session)
            #expect(keys.status == 200)
            #expect(ids(keys).count == 1)
            let read = try await call(client, .get, "/console/session", session)
            #expect(read.status == 200)
            #expect(read.string("principal", "kind") == "project")
            #expect(read.string("csrfToken") == session.csrf)
            // Without the cookie the same request needs a key.
            #expect(try await client.call(.get, "/v1/keys").status == 401)
        }
    }

    @Test("the cookie is Secure when the server's public URL is https")
    func secureCookie() async throws {
        try await TestApp.run(.sqlite, environment: ["CRAFTKIT_PUBLIC_URL": "https://craftkit.example"]) { client, _ in
            let session = try await signIn(client, key: TestApp.adminKey)
            #expect(session.setCookie.hasSuffix("; Secure"))
        }
    }

    @Test("a change through the cookie needs the session's X-CSRF-Token: none or a wrong one is 403, the right one goes through")
    func csrf() async throws {
        try await TestApp.run(.sqlite) { client, _ in
            let session = try await signIn(client, key: try await provisionKey(client))
            for token in [nil, "wrong-token", String(session.csrf.dropLast())] {
                let refused = try await call(client, .post, "/v1/keys", session, csrf: token, json: #"{"name":"From the console"}"#)
                #expect(refused.status == 403)
                #expect(refused.errorCode == "csrf_token_invalid")
            }
            #expect(ids(try await call(client, .get, "/v1/keys", session)).count == 1)
            let created = try await call(client, .post, "/v1/keys", session, csrf: session.csrf, json: #"{"name":"From the console"}"#)
            #expect(created.status == 201)
            #expect(ids(try await call(client, .get, "/v1/keys", session)).count == 2)
        }
    }

    @Test(
        "a project's console sees only its own project: another org's key and template are not found, the admin API is 401",
        arguments: DatabaseLeg.all)
    func tenantScoping(leg: DatabaseLeg) async throws {
        try await TestApp.run(leg) { client, _ in
            let a = try await provisionKey(client, org: "org-a")
            let b = try await provisionKey(client, org: "org-b")
            #expect(
                try await client.call(.post, "/v1/templates", bearer: b, json: #"{"name":"Secret B","manifest":\#(invoiceManifest)}"#).status == 201)
            let bKeyID = try #require(ids(try await client.call(.get, "/v1/keys", bearer: b)).first)
            let session = try await signIn(client, key: a)

            let templates = try await call(client, .get, "/v1/templates", session)
            #expect(templates.status == 200)
            #expect(!templates.body.contains("Secret B"))
            #expect(try await call(client, .get, "/v1/templates/secret-b", session).status == 404)
            let revokeOther = try await call(client, .delete, "/v1/keys/\(bKeyID)", session, csrf: session.csrf)
            #expect(revokeOther.status == 404)
            #expect(try await client.call(.get, "/v1/keys", bearer: b).status == 200)
            #expect(try await call(client, .get, "/v1/admin/orgs", session).status == 401)
            #expect(!ids(try await call(client, .get, "/v1/keys", session)).contains(bKeyID))
        }
    }

    @Test("a bearer key wins over the console cookie: the request is the key's project, and a bad key is 401 even with a live cookie")
    func keyWinsOverCookie() async throws {
        try await TestApp.run(.sqlite) { client, _ in
            let a = try await provisionKey(client, org: "org-a")
            let b = try await provisionKey(client, org: "org-b")
            #expect(
                try await client.call(.post, "/v1/templates", bearer: b, json: #"{"name":"Only B","manifest":\#(invoiceManifest)}"#).status == 201)
            let session = try await signIn(client, key: a)
            let withB = try await client.call(.get, "/v1/templates", bearer: b, headers: [.cookie: session.cookie])
            #expect(withB.status == 200)
            #expect(withB.body.contains("Only B"))
            let bad = try await client.call(.get, "/v1/templates", bearer: "ck_live_not-a-key-000000000000", headers: [.cookie: session.cookie])
            #expect(bad.status == 401)
            // No CSRF token is needed with a key: the cookie is not what authenticates.
            let created = try await client.call(.post, "/v1/keys", bearer: b, json: #"{"name":"x"}"#, headers: [.cookie: session.cookie])
            #expect(created.status == 201)
        }
    }

    @Test("revoking the key a console signed in with ends its session at once", arguments: DatabaseLeg.all)
    func revokedKeyEndsSession(leg: DatabaseLeg) async throws {
        try await TestApp.run(leg) { client, _ in
            let main = try await provisionKey(client)
            let created = try await client.call(.post, "/v1/keys", bearer: main, json: #"{"name":"Console"}"#)
            let second = try #require(created.string("key"))
            let secondID = try #require(created.string("id"))
            let session = try await signIn(client, key: second)
            #expect(try await call(client, .get, "/v1/keys", session).status == 200)

            #expect(try await client.call(.delete, "/v1/keys/\(secondID)", bearer: main).status == 200)
            let after = try await call(client, .get, "/v1/keys", session)
            #expect(after.status == 401)
            #expect(after.headers[.setCookie]?.contains("Max-Age=0") == true)
            #expect(try await call(client, .get, "/console/session", session).status == 204)
        }
    }

    @Test("the admin key signs in as the operator: the admin API answers through the cookie, the project API does not")
    func operatorSession() async throws {
        try await TestApp.run(.sqlite) { client, _ in
            _ = try await provisionKey(client, org: "org-a")
            let session = try await signIn(client, key: TestApp.adminKey)
            let orgs = try await call(client, .get, "/v1/admin/orgs", session)
            #expect(orgs.status == 200)
            #expect(orgs.body.contains("org-a"))
            #expect(try await call(client, .get, "/v1/templates", session).status == 401)
            let provision = try await call(client, .post, "/v1/admin/provision", session, json: #"{"externalOrgId":"org-b"}"#)
            #expect(provision.status == 403)
            let provisioned = try await call(client, .post, "/v1/admin/provision", session, csrf: session.csrf, json: #"{"externalOrgId":"org-b"}"#)
            #expect(provisioned.status == 200)
            #expect(try await call(client, .get, "/v1/admin/orgs", session).body.contains("org-b"))
        }
    }

    @Test(
        "a wrong key is 401 in the envelope and sets no cookie, a sign-in from another site is 403; a tampered or idle-expired cookie is no session")
    func refusedSessions() async throws {
        try await TestApp.run(.sqlite) { client, services in
            for body in [#"{"key":"ck_live_not-a-real-key-000000000000"}"#, #"{"key":"nope"}"#] {
                let wrong = try await client.call(.post, "/console/session", json: body)
                #expect(wrong.status == 401)
                #expect(wrong.errorCode == "unauthorized")
                #expect(wrong.headers[.setCookie] == nil)
            }
            #expect(try await client.call(.post, "/console/session", json: #"{}"#).status == 400)
            // Posted from another site (login CSRF): refused before the key is looked at.
            let key = try await provisionKey(client)
            let foreign = try await client.call(
                .post, "/console/session", json: #"{"key":"\#(key)"}"#, headers: [.origin: "https://evil.example"])
            #expect(foreign.status == 403)
            #expect(foreign.errorCode == "origin_not_allowed")
            #expect(foreign.headers[.setCookie] == nil)
            let own = try await client.call(.post, "/console/session", json: #"{"key":"\#(key)"}"#, headers: [.origin: "http://127.0.0.1:0"])
            #expect(own.status == 200)

            let session = try await signIn(client, key: key)
            let value = String(session.cookie.dropFirst("ck_console=".count))
            let tampered = Session(
                cookie: "ck_console=" + value.dropLast(2) + (value.hasSuffix("AA") ? "BB" : "AA"), csrf: session.csrf, setCookie: "")
            #expect(try await call(client, .get, "/v1/keys", tampered).status == 401)

            // The same principal, last active 31 minutes ago.
            let read = try await call(client, .get, "/console/session", session)
            let now = Date().epochMillis
            let stale = """
                {"kind":"project","projectID":"\(read.string("principal", "projectId") ?? "")","keyID":"\(read.string("principal", "keyId") ?? "")",\
                "environment":"live","issuedAt":\(now - 40 * 60_000),"lastActivity":\(now - 31 * 60_000),"csrfToken":"\(session.csrf)"}
                """
            let staleCookie = try services.secrets.seal(stale, context: "console-session:v1")
            let idle = Session(cookie: "ck_console=" + staleCookie, csrf: session.csrf, setCookie: "")
            #expect(try await call(client, .get, "/v1/keys", idle).status == 401)
            let fresh = stale.replacingOccurrences(of: "\(now - 31 * 60_000)", with: "\(now - 60_000)")
            let freshCookie = Session(
                cookie: "ck_console=" + (try services.secrets.seal(fresh, context: "console-session:v1")), csrf: session.csrf, setCookie: "")
            #expect(try await call(client, .get, "/v1/keys", freshCookie).status == 200)
            let old = fresh.replacingOccurrences(of: "\(now - 40 * 60_000)", with: "\(now - 13 * 3_600_000)")
            let oldCookie = Session(
                cookie: "ck_console=" + (try services.secrets.seal(old, context: "console-session:v1")), csrf: session.csrf, setCookie: "")
            #expect(try await call(client, .get, "/v1/keys", oldCookie).status == 401)
        }
    }

    @Test("signing out needs the CSRF token and clears the cookie")
    func signOut() async throws {
        try await TestApp.run(.sqlite) { client, _ in
            let session = try await signIn(client, key: try await provisionKey(client))
            #expect(try await call(client, .delete, "/console/session", session).status == 403)
            let out = try await call(client, .delete, "/console/session", session, csrf: session.csrf)
            #expect(out.status == 204)
            #expect(out.headers[.setCookie]?.hasPrefix("ck_console=;") == true)
            #expect(out.headers[.setCookie]?.contains("Max-Age=0") == true)
        }
    }

    @Test("failed sign-ins from one address are refused with 429 after ten in a minute")
    func failedSignInsRateLimited() async throws {
        try await awayFromMinuteBoundary()
        try await TestApp.run(.sqlite, live: true) { client, _ in
            // Sent together, so that all eleven land in one window even on a loaded machine.
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<11 {
                    group.addTask {
                        try await client.call(.post, "/console/session", json: #"{"key":"ck_live_wrong-key-0000000000000000"}"#).status
                    }
                }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == 401 }.count == 10, "\(statuses)")
            #expect(statuses.filter { $0 == 429 }.count == 1, "\(statuses)")
        }
    }

    @Test("GET /console serves the page with a CSP that allows no inline script and no framing, its assets within the page budget")
    func page() async throws {
        try await TestApp.run(.sqlite) { client, _ in
            let page = try await client.call(.get, "/console")
            #expect(page.status == 200)
            #expect(page.headers[.contentType] == "text/html; charset=utf-8")
            let csp = try #require(page.headers[.contentSecurityPolicy])
            #expect(csp.contains("script-src 'self'") && !csp.contains("unsafe-inline") && csp.contains("frame-ancestors 'none'"))
            #expect(page.body.contains("/console/assets/console.js"))
            #expect(try await client.call(.get, "/console/assets/console.js").status == 200)
            #expect(try await client.call(.get, "/console/assets/..%2Fembed%2Fform.html").status == 404)
            // The page's budget and rules (docs/decisions/0014-embed-page-budget.md): every asset it loads,
            // 150 KB in all, no third-party origin, and nothing written as markup from data.
            #expect(!page.body.contains("http"))
            var total = page.body.utf8.count
            for asset in ["console.js", "console-ui.js", "console-strings.js", "console-charts.js", "console.css"] {
                let file = try await client.call(.get, "/console/assets/\(asset)")
                #expect(file.status == 200, "\(asset)")
                #expect(page.body.contains("/console/assets/\(asset)"), "\(asset) is not loaded by the page")
                #expect(!file.body.contains("innerHTML") && !file.body.contains("from 'http") && !file.body.contains("@import"), "\(asset)")
                total += file.body.utf8.count
            }
            #expect(total <= 150_000)
        }
    }
}
