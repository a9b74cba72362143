import Catalogs
import Core
import Foundation

/// A session's variable catalog: carried inline in the token, or named (`{name, version}`) and read
/// from the project's catalog versions.
struct SessionCatalog {
    let services: AppServices

    func resolve(_ verified: VerifiedSession) async throws -> JSONValue? {
        guard let claim = verified.ck["catalog"], claim != .null else { return nil }
        guard case .string(let name)? = claim["name"], case .number(let version)? = claim["version"], claim["namespaces"] == nil else {
            return claim
        }
        let stored = try await services.catalogs.get(projectID: verified.session.projectID, name: name, version: Int(version))
        return try JSONValue.parse(Data(stored.catalog.utf8))
    }
}
