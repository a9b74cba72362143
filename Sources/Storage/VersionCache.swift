import Synchronization
import Templates

/// Template versions read by this process, by id and by (template, number). Versions never change once
/// written, so entries never go stale; the cache only bounds its size (cleared when full).
final class VersionCache: Sendable {
    private struct Entries {
        var byID: [String: TemplateVersionRecord] = [:]
        var byNumber: [String: String] = [:]
    }

    private let entries = Mutex(Entries())
    let capacity: Int

    init(capacity: Int = 512) { self.capacity = capacity }

    func get(id: String) -> TemplateVersionRecord? {
        entries.withLock { $0.byID[id] }
    }

    func get(templateID: String, number: Int) -> TemplateVersionRecord? {
        entries.withLock { entries in entries.byNumber["\(templateID)#\(number)"].flatMap { entries.byID[$0] } }
    }

    func put(_ version: TemplateVersionRecord) {
        entries.withLock { entries in
            if entries.byID.count >= capacity { entries = Entries() }
            entries.byID[version.id] = version
            entries.byNumber["\(version.templateID)#\(version.number)"] = version.id
        }
    }
}
