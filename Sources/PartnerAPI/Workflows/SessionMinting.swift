import Catalogs
import Core
import EmbedSessions

/// Minting a session spans two features: the request and token are EmbedSessions', the catalog it
/// carries (inline or by reference) is Catalogs'.
struct SessionMinting {
    let services: AppServices

    func mint(projectID: String, partner: EmbedPartner, json: JSONValue) async throws -> SessionService.Minted {
        let request = try SessionRequest(json: json)
        var catalog: JSONValue?
        if let inline = request.inlineCatalog {
            catalog = try CatalogInput.validated(inline, path: "variableCatalog")
        } else if let reference = request.catalogRef {
            let version = try await services.catalogs.get(projectID: projectID, name: reference.name, version: reference.version)
            catalog = .object(["name": .string(version.name), "version": .int(version.version)])
        }
        return try await services.sessions.mint(projectID: projectID, partner: partner, request: request, catalog: catalog)
    }
}
