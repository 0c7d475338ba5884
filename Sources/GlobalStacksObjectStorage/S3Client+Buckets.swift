import Foundation
import NIOHTTP1

extension S3Client {
    /// Whether the bucket exists and these credentials may use it (HEAD: 200 yes, 404 no; anything else is thrown).
    public func bucketExists(_ bucket: String) async throws -> Bool {
        let response = try await send(.HEAD, S3Path.bucket(bucket))
        if response.status == 404 { return false }
        _ = try require(response)
        return true
    }

    /// Creates the bucket in the client's region (`BucketAlreadyOwnedByYou` when it is already there).
    public func createBucket(_ bucket: String) async throws {
        // us-east-1 is S3's default location and must not be named; every other region must be.
        let body = region == "us-east-1" ? Data() : Data(
            "<CreateBucketConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><LocationConstraint>\(region)</LocationConstraint></CreateBucketConfiguration>".utf8
        )
        _ = try require(await send(.PUT, S3Path.bucket(bucket), body: body))
    }

    /// Deletes an empty bucket (`BucketNotEmpty` otherwise).
    public func deleteBucket(_ bucket: String) async throws {
        _ = try require(await send(.DELETE, S3Path.bucket(bucket)))
    }
}
