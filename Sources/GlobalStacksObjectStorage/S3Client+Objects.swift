import Foundation
import NIOHTTP1

/// What a HEAD of an object tells.
public struct S3ObjectHead: Sendable, Equatable {
    public let size: Int
    public let eTag: String
}

extension S3Client {
    public func putObject(_ bytes: Data, bucket: String, key: String, contentType: String = "application/octet-stream") async throws {
        _ = try require(await send(.PUT, S3Path.object(bucket, key), body: bytes, contentType: contentType))
    }

    /// The object's bytes, or nil when there is no such key (a missing bucket throws `NoSuchBucket`).
    public func getObject(bucket: String, key: String) async throws -> Data? {
        let response = try await send(.GET, S3Path.object(bucket, key))
        if response.status == 404, S3Error.from(status: 404, body: response.text).code == "NoSuchKey" { return nil }
        return try require(response).body
    }

    /// The object's size and ETag, or nil when it is absent (a HEAD has no error document: a missing bucket is nil too).
    public func headObject(bucket: String, key: String) async throws -> S3ObjectHead? {
        let response = try await send(.HEAD, S3Path.object(bucket, key))
        if response.status == 404 { return nil }
        let headers = try require(response).headers
        return S3ObjectHead(size: headers.first(name: "content-length").flatMap { Int($0) } ?? 0, eTag: headers.first(name: "etag") ?? "")
    }

    /// Deletes the object; deleting an absent key succeeds, as in S3.
    public func deleteObject(bucket: String, key: String) async throws {
        _ = try require(await send(.DELETE, S3Path.object(bucket, key)))
    }
}
