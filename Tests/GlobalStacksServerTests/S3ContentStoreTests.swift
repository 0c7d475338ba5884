import Crypto
import Foundation
import GlobalStacksDomain
import GlobalStacksObjectStorage
@testable import GlobalStacksServer
import GlobalStacksTestSupport
import Testing

/// Extension content kept in a bucket (an `artifact_cache` object store): stored at `<prefix>/content/<digest>`,
/// exactly the bytes, read back, and absent content is nil rather than an error.
@Suite("S3 content store", .enabled(if: TemporaryS3.isAvailable, Comment(rawValue: TemporaryS3.skipNote)))
struct S3ContentStoreTests {
    @Test func keepsContentUnderItsDigestInTheBucket() async throws {
        let s3 = try TemporaryS3()
        let client = try S3Client(endpoint: s3.endpoint, region: s3.region,
                                  credentials: S3Credentials(accessKeyID: s3.accessKeyID, secretAccessKey: s3.secretAccessKey))
        try await client.createBucket("gstacks-artifacts")
        let store = S3ContentStore(client: client, bucket: "gstacks-artifacts", prefix: "cache/eu")
        let bytes = Data((0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        let digest = try #require(ContentDigest("sha256:" + SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()))

        #expect(try await store.get(digest) == nil)
        try await store.put(bytes, digest: digest)
        try await store.put(bytes, digest: digest)
        #expect(try await store.get(digest) == bytes)
        #expect(try s3.objectBytes(bucket: "gstacks-artifacts", key: "cache/eu/content/\(digest)") == bytes, "boto3 reads exactly the content")
        #expect(try await client.listObjects(bucket: "gstacks-artifacts").map(\.key) == ["cache/eu/content/\(digest)"])
        #expect(try await S3ContentStore(client: client, bucket: "gstacks-artifacts", prefix: "").get(digest) == nil)

        let elsewhere = S3ContentStore(client: client, bucket: "gstacks-no-such-bucket", prefix: "")
        await #expect { try await elsewhere.put(bytes, digest: digest) } throws: {
            ($0 as? DomainError).map { $0.kind == .unavailable && $0.message.contains("NoSuchBucket") } ?? false
        }
    }
}
