import Foundation
import GlobalStacksDomain
import GlobalStacksObjectStorage
import GlobalStacksStore
import GlobalStacksUseCases

/// The marketplace's content when an operator names an `artifact_cache` object store (`--artifact-cache-store`):
/// manifests and artifacts are written to its bucket (under `<prefix>/content/`) and read from it, reached with its
/// provider install's endpoint, key and secret. The store is looked up on every use, so it may be created (through
/// the API) after the server started; until it is ready new content is refused (503) rather than written elsewhere.
/// Reads check every byte against its digest; content stored in the data directory before stays readable.
struct ArtifactCacheContentStore: ContentStore {
    let storeID: ObjectStoreID
    let directory: any ObjectStoreDirectory
    let sealer: SecretSealer
    let files: FileContentStore

    func put(_ bytes: Data, digest: ContentDigest) async throws {
        try await bucket().put(bytes, digest: digest)
    }

    /// Bytes that do not hash to their digest are not the content (the bucket is the store's tenant's to change): they
    /// are read as missing, as is everything while the cache cannot be reached; the data directory is tried next.
    func get(_ digest: ContentDigest) async throws -> Data? {
        if let cached = try? await bucket().get(digest), ContentDigest.of(cached) == digest { return cached }
        return try await files.get(digest)
    }

    /// Large content is kept in the data directory too, so agents are served from a file; the bucket gets a copy
    /// (read into memory: S3 multipart uploads are not built yet).
    func putFile(_ file: URL, digest: ContentDigest) async throws {
        try await bucket().put(try Data(contentsOf: file), digest: digest)
        try await files.putFile(file, digest: digest)
    }

    /// The data directory's file, else the bucket's object fetched into the data directory.
    func file(_ digest: ContentDigest) async throws -> URL? {
        if let local = try await files.file(digest) { return local }
        guard let cached = try? await bucket().get(digest), ContentDigest.of(cached) == digest else { return nil }
        try await files.put(cached, digest: digest)
        return try await files.file(digest)
    }

    /// The configured store's bucket, when it is a ready `artifact_cache` store its provider can reach.
    private func bucket() async throws -> S3ContentStore {
        guard let access = try await directory.objectStoreAccess(id: storeID) else {
            throw DomainError.unavailable("The artifact cache (object store \(storeID)) does not exist; create it or change --artifact-cache-store.")
        }
        let store = access.store
        guard store.purpose == .artifactCache, store.status == .ready || store.status == .degraded else {
            throw DomainError.unavailable("The artifact cache (object store \(storeID)) is \(store.status.rawValue) with purpose \(store.purpose.rawValue); content is stored once it is a ready artifact_cache store.")
        }
        let secrets = try sealer.open(access.sealedSecrets)
        guard case .string(let endpointText)? = access.settings["endpoint"], let endpoint = URL(string: endpointText),
              case .string(let keyID)? = access.settings["accessKeyId"], case .string(let secret)? = secrets["secretAccessKey"]
        else {
            throw DomainError.unavailable("The artifact cache's provider '\(store.providerKey)' has no endpoint, accessKeyId and secretAccessKey set in its install.")
        }
        let region = access.settings["region"].flatMap { if case .string(let text) = $0 { text } else { nil } } ?? "us-east-1"
        let client = try S3Client(endpoint: endpoint, region: region, credentials: S3Credentials(accessKeyID: keyID, secretAccessKey: secret))
        return S3ContentStore(client: client, bucket: store.bucket, prefix: store.prefix ?? "")
    }
}
