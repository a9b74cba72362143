import Core
import Foundation
import Storage
import Testing

@Suite("Filesystem blob store")
struct FileBlobStoreTests {
    func withStore(_ body: (FileBlobStore, URL) async throws -> Void) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("craftkit-blobs-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        try await body(try FileBlobStore(directory: directory.path), directory)
    }

    @Test("a blob reads back and deletes; a missing key is nil")
    func roundTrip() async throws {
        try await withStore { store, _ in
            try await store.put(Data("%PDF-1.7".utf8), key: "renders/p1/r1.pdf")
            #expect(try await store.get(key: "renders/p1/r1.pdf") == Data("%PDF-1.7".utf8))
            try await store.delete(key: "renders/p1/r1.pdf")
            #expect(try await store.get(key: "renders/p1/r1.pdf") == nil)
            try await store.check()
        }
    }

    @Test("writes leave no temporary files behind")
    func atomic() async throws {
        try await withStore { store, directory in
            try await store.put(Data(repeating: 1, count: 100_000), key: "a/b.pdf")
            try await store.put(Data(repeating: 2, count: 10), key: "a/b.pdf")
            let files = try FileManager.default.contentsOfDirectory(atPath: directory.appendingPathComponent("a").path)
            #expect(files == ["b.pdf"])
            #expect(try await store.get(key: "a/b.pdf")?.count == 10)
        }
    }

    @Test("keys that could escape the root are refused", arguments: ["../etc/passwd", "a/../../b", "/abs", "a//b", "a/./b", "", "sp ace"])
    func refusesEscapes(key: String) async throws {
        try await withStore { store, _ in
            await #expect(throws: BlobStoreError.invalidKey(key)) { try await store.put(Data(), key: key) }
        }
    }
}
