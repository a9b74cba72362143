import Core
import Foundation

extension S3BlobStore {
    /// Create, upload `partSize` parts (`partConcurrency` at a time, each retried on its own), complete.
    /// On any failure the upload is aborted so its parts do not linger (and bill) in the bucket.
    func putMultipart(_ data: Data, objectKey: String) async throws {
        let created = try await client.send(.init(method: .POST, objectKey: objectKey, query: [("uploads", "")]), maxBodyBytes: 1 << 20)
        guard created.status == 200, let uploadID = S3XML.value(of: "UploadId", in: created.body) else {
            throw client.failure(created, "create multipart upload", key: objectKey)
        }
        do {
            let etags = try await uploadParts(data, objectKey: objectKey, uploadID: uploadID)
            let parts = etags.enumerated().map { "<Part><PartNumber>\($0.offset + 1)</PartNumber><ETag>\(S3XML.escape($0.element))</ETag></Part>" }
            let body = Data("<CompleteMultipartUpload>\(parts.joined())</CompleteMultipartUpload>".utf8)
            let completed = try await client.send(
                .init(method: .POST, objectKey: objectKey, query: [("uploadId", uploadID)], body: body), maxBodyBytes: 1 << 20)
            // S3 can answer 200 and still fail: the error is then in the body, sent after the status.
            guard completed.status == 200, S3XML.value(of: "Code", in: completed.body) == nil else {
                throw client.failure(completed, "complete multipart upload", key: objectKey)
            }
        } catch {
            _ = try? await client.send(.init(method: .DELETE, objectKey: objectKey, query: [("uploadId", uploadID)]), maxBodyBytes: 1 << 20)
            throw error
        }
    }

    /// The ETags of the parts, in part order.
    private func uploadParts(_ data: Data, objectKey: String, uploadID: String) async throws -> [String] {
        let partSize = tuning.partSize
        let count = (data.count + partSize - 1) / partSize
        let client = client
        var etags = [String?](repeating: nil, count: count)
        try await withThrowingTaskGroup(of: (Int, String).self) { group in
            var next = 0
            func addPart() {
                let index = next
                next += 1
                let start = data.startIndex + index * partSize
                let part = data[start..<min(start + partSize, data.endIndex)]
                group.addTask {
                    let response = try await client.send(
                        .init(
                            method: .PUT, objectKey: objectKey, query: [("partNumber", String(index + 1)), ("uploadId", uploadID)],
                            body: Data(part)),
                        maxBodyBytes: 1 << 20)
                    guard response.status == 200, let etag = response.headers.first(name: "etag") else {
                        throw client.failure(response, "upload part \(index + 1)", key: objectKey)
                    }
                    return (index, etag)
                }
            }
            while next < min(count, tuning.partConcurrency) { addPart() }
            while let (index, etag) = try await group.next() {
                etags[index] = etag
                if next < count { addPart() }
            }
        }
        return etags.map { $0! }
    }
}
