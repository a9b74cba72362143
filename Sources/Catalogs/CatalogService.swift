import Core
import Foundation

/// One published version of a named catalog. Versions are immutable; publishing a name again makes the
/// next version current and archives (never deletes) the previous one.
public struct CatalogVersion: Sendable, Equatable {
    public var id: String
    public var projectID: String
    public var name: String
    public var version: Int
    /// The validated catalog as JSON text.
    public var catalog: String
    public var createdAt: Int64
    public var archivedAt: Int64?

    public init(id: String, projectID: String, name: String, version: Int, catalog: String, createdAt: Int64, archivedAt: Int64?) {
        self.id = id
        self.projectID = projectID
        self.name = name
        self.version = version
        self.catalog = catalog
        self.createdAt = createdAt
        self.archivedAt = archivedAt
    }
}

public protocol CatalogRepository: Sendable {
    /// Stores the next version of `name` (1 for a new name), makes it current and archives the previous.
    func publish(projectID: String, name: String, catalog: String, id: String, now: Int64) async throws -> CatalogVersion
    /// The current version of every catalog, by name.
    func currentVersions(projectID: String) async throws -> [CatalogVersion]
    func current(projectID: String, name: String) async throws -> CatalogVersion?
    func version(projectID: String, name: String, version: Int) async throws -> CatalogVersion?
}

/// Variable catalogs of a project (docs/api.md#variable-catalogs).
public struct CatalogService: Sendable {
    let repository: any CatalogRepository
    let clock: any WallClock

    public init(repository: any CatalogRepository, clock: any WallClock = SystemClock()) {
        self.repository = repository
        self.clock = clock
    }

    public func publish(projectID: String, json: JSONValue) async throws -> CatalogVersion {
        let input = try CatalogInput(json: json)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let text = String(decoding: try encoder.encode(input.catalog), as: UTF8.self)
        return try await repository.publish(
            projectID: projectID, name: input.name, catalog: text, id: Identifier.make(), now: clock.now().epochMillis)
    }

    public func list(projectID: String) async throws -> [CatalogVersion] {
        try await repository.currentVersions(projectID: projectID)
    }

    /// The current version, or the given one; 404 `catalog_not_found` otherwise.
    public func get(projectID: String, name: String, version: Int? = nil) async throws -> CatalogVersion {
        let found: CatalogVersion?
        if let version {
            found = try await repository.version(projectID: projectID, name: name, version: version)
        } else {
            found = try await repository.current(projectID: projectID, name: name)
        }
        guard let found else {
            let which = version.map { " version \($0)" } ?? ""
            throw AppError.notFound("catalog_not_found", "No catalog \"\(name)\"\(which) in this project.")
        }
        return found
    }
}
