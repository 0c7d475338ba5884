import Foundation
import GlobalStacksDomain
import GlobalStacksObjectStorage
import GlobalStacksUseCases

/// Extension content in an S3 bucket, one object per digest at `<prefix>/content/<digest>`: the marketplace's
/// storage when an `artifact_cache` object store is configured. S3 writes an object whole, so a reader sees all of
/// the bytes or none, and two replicas storing the same content write the same object.
struct S3ContentStore: ContentStore {
    let client: S3Client
    let bucket: String
    /// Without leading or trailing `/`; empty keeps content at `content/<digest>`.
    let prefix: String

    func put(_ bytes: Data, digest: ContentDigest) async throws {
        do {
            try await client.putObject(bytes, bucket: bucket, key: key(digest))
        } catch let error as S3Error {
            throw DomainError.unavailable("Could not store the content in the artifact cache (\(error.code): \(error.message)); try again.")
        }
    }

    func get(_ digest: ContentDigest) async throws -> Data? {
        do {
            return try await client.getObject(bucket: bucket, key: key(digest))
        } catch let error as S3Error {
            throw DomainError.unavailable("Could not read the content from the artifact cache (\(error.code): \(error.message)); try again.")
        }
    }

    func key(_ digest: ContentDigest) -> String {
        (prefix.isEmpty ? "" : prefix + "/") + "content/" + digest.description
    }
}
