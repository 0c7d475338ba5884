import Crypto
import Foundation
import GlobalStacksDomain

/// Where uploaded extension content lives, by digest: the port the marketplace's use cases store bytes through. The
/// server keeps files in its data directory (`FileContentStore`) or, with an `artifact_cache` object store, in S3
/// (`S3ContentStore`). Asynchronous because the bytes may be a network call away.
public protocol ContentStore: Sendable {
    /// Stores bytes under their digest (already checked by the caller); storing the same bytes again is harmless.
    func put(_ bytes: Data, digest: ContentDigest) async throws
    func get(_ digest: ContentDigest) async throws -> Data?
    /// Stores a file's bytes (already checked against `digest` by the caller) and removes the file: content too large
    /// to hold in memory (templates, build contexts).
    func putFile(_ file: URL, digest: ContentDigest) async throws
    /// A file of this host holding the content, to stream it from; nil when it is not stored.
    func file(_ digest: ContentDigest) async throws -> URL?
}

extension ContentStore {
    public func putFile(_ file: URL, digest: ContentDigest) async throws {
        try await put(try Data(contentsOf: file), digest: digest)
        try? FileManager.default.removeItem(at: file)
    }

    public func file(_ digest: ContentDigest) async throws -> URL? { nil }

    /// The content's size when it is stored.
    public func size(of digest: ContentDigest) async throws -> Int64? {
        if let file = try await file(digest) {
            return (try? FileManager.default.attributesOfItem(atPath: file.path)[.size] as? NSNumber)?.int64Value
        }
        return try await get(digest).map { Int64($0.count) }
    }
}

extension ContentDigest {
    /// The digest of exactly these bytes.
    public static func of(_ bytes: Data) -> ContentDigest {
        ContentDigest(SHA256.hash(data: bytes))
    }

    /// The digest a finished SHA-256 (of bytes hashed as they streamed) names.
    public init(_ hash: SHA256.Digest) {
        self.init("sha256:" + hash.map { String(format: "%02x", $0) }.joined())!
    }
}
