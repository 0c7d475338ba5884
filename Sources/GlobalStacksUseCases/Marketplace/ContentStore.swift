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
}

extension ContentDigest {
    /// The digest of exactly these bytes.
    public static func of(_ bytes: Data) -> ContentDigest {
        ContentDigest("sha256:" + SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined())!
    }
}
