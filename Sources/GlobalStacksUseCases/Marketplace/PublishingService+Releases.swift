import Foundation
import GlobalStacksDomain
import GlobalStacksStore

/// Content, signatures, releases, the publisher's moves and allowlists.
extension PublishingService {
    /// Stores uploaded bytes under `digest` (which they must hash to) for the caller's active tenant, and returns how
    /// many were stored. More than `kind.maximumBytes` is refused as soon as it is declared or read.
    public func upload<Chunks: AsyncSequence>(
        _ chunks: Chunks, declaredLength: Int?, digest: ContentDigest, kind: ContentKind, caller: Caller
    ) async throws -> Int where Chunks.Element == ArraySlice<UInt8> {
        let scope = try caller.publisherTenant()
        if let declaredLength, declaredLength > kind.maximumBytes {
            throw DomainError.tooLarge("A \(kind.rawValue) may be at most \(kind.maximumBytes) bytes (this one is \(declaredLength)); nothing was stored.")
        }
        var bytes = Data()
        for try await chunk in chunks {
            bytes.append(contentsOf: chunk)
            guard bytes.count <= kind.maximumBytes else {
                throw DomainError.tooLarge("A \(kind.rawValue) may be at most \(kind.maximumBytes) bytes; nothing was stored.")
            }
        }
        let actual = ContentDigest.of(bytes)
        guard actual == digest else {
            throw DomainError.invalidInput("The bytes hash to \(actual), not \(digest); nothing was stored. Upload under the digest of the exact bytes.")
        }
        if kind == .manifest {
            _ = try ExtensionManifest(parsing: try ExtensionManifest.document(bytes))
        }
        if let existing = try await store.contentKind(digest, scope), existing != kind {
            throw DomainError.invalidInput("\(digest) is already stored as a \(existing.rawValue).")
        }
        try await content.put(bytes, digest: digest)
        try await store.recordContent(digest, kind: kind, byteCount: bytes.count, scope, by: caller.user.id, at: Date())
        return bytes.count
    }

    /// Registers a signature of the package's pair of digests, verified with the named key of its developer app.
    public func registerSignature(
        for packageID: ExtensionPackageID, _ form: SignatureForm, caller: Caller
    ) async throws -> (manifest: ContentDigest, artifact: ContentDigest, keyID: PublisherKeyID) {
        let scope = try caller.publisherTenant()
        let package = try await visiblePackage(packageID, scope)
        let manifest = try ContentDigest.parse(form.manifestDigest, field: "manifestDigest")
        let artifact = try ContentDigest.parse(form.artifactDigest, field: "artifactDigest")
        guard let signature = Data(base64Encoded: form.signature) else { throw DomainError.invalidInput("signature must be base64.") }
        guard let keyID = PublisherKeyID(path: form.keyID) else { throw DomainError.notFound("No publisher key '\(form.keyID.prefix(64))'.") }
        guard let key = try await store.publisherKeys(appID: package.developerAppID, scope).first(where: { $0.id == keyID }) else {
            throw DomainError.invalidInput("keyId: no publisher key \(keyID) in the package's developer app.")
        }
        try SignatureVerifier.require(signature, by: key, manifest: manifest, artifact: artifact)
        try await store.registerReleaseSignature(packageID: package.id, manifest: manifest, artifact: artifact, keyID: key.id, signature: signature, scope, at: Date())
        return (manifest, artifact, key.id)
    }

    public func releases(of packageID: ExtensionPackageID, caller: Caller) async throws -> [ExtensionRelease] {
        let scope = try caller.activeTenant()
        let package = try await visiblePackage(packageID, scope)
        return try await store.extensionReleases(packageID: package.id, scope)
    }

    /// A draft release. Its manifest is read from uploaded content; what the form also states must agree with it; the
    /// signature registered for the digest pair is verified again.
    public func createRelease(of packageID: ExtensionPackageID, _ form: ReleaseForm, caller: Caller) async throws -> ExtensionRelease {
        let scope = try caller.publisherTenant()
        let package = try await visiblePackage(packageID, scope)
        let manifestDigest = try ContentDigest.parse(form.manifestDigest, field: "manifestDigest")
        let artifactDigest = try ContentDigest.parse(form.artifactDigest, field: "artifactDigest")
        // The store refuses digests this tenant did not upload (another tenant's content included); the manifest is read here.
        guard try await store.contentKind(manifestDigest, scope) == .manifest, let manifestBytes = try await content.get(manifestDigest) else {
            throw DomainError.invalidInput("manifestDigest \(manifestDigest) names no manifest uploaded by this tenant; upload it first with PUT /v1/extension-content/{digest}?kind=manifest.")
        }
        let manifest = try ExtensionManifest(parsing: try ExtensionManifest.document(manifestBytes))
        guard SemanticVersion(form.version) == manifest.version, form.version == manifest.version.description else {
            throw DomainError.invalidInput("version '\(form.version.prefix(130))' is not the manifest's version \(manifest.version).")
        }
        try Self.requireAgreement(form.permissions, manifest.permissionNames, field: "permissions")
        try Self.requireAgreement(form.egress, manifest.egressNames, field: "egress")
        try Self.requireAgreement(form.agentCapabilities, manifest.agentCapabilities.sorted(), field: "agentCapabilities")
        if let broker = form.brokerProtocol, broker != manifest.brokerProtocol {
            throw DomainError.invalidInput("brokerProtocol '\(broker.prefix(100))' is not the manifest's '\(manifest.brokerProtocol)'.")
        }
        if let minimum = form.minGlobalstacksVersion, SemanticVersion(minimum) != manifest.minGlobalstacksVersion {
            throw DomainError.invalidInput("minGlobalstacksVersion '\(minimum.prefix(130))' is not the manifest's.")
        }
        guard let signed = try await store.releaseSignature(packageID: package.id, manifest: manifestDigest, artifact: artifactDigest, scope) else {
            throw DomainError.invalidInput("No signature is registered for these digests; register one with POST /v1/developer/packages/\(package.id)/signatures first.")
        }
        try SignatureVerifier.require(signed.signature, by: signed.key, manifest: manifestDigest, artifact: artifactDigest)
        return try await store.createExtensionRelease(NewExtensionRelease(
            packageID: package.id, manifestDigest: manifestDigest, artifactDigest: artifactDigest, manifest: manifest,
            manifestText: String(decoding: manifestBytes, as: UTF8.self), signingKeyID: signed.key.id, signature: signed.signature
        ), scope, by: caller.user.id, at: Date())
    }

    /// The publisher's move (private, submitted, revoked). Submitting runs the automated checks: a failed one refuses
    /// the submission (409), warnings are kept for the reviewer.
    public func moveRelease(_ id: ExtensionReleaseID, to: ReleaseStatus, reason: String?, caller: Caller) async throws -> ReleaseReview {
        let scope = try caller.publisherTenant()
        guard let listed = try await store.publishedRelease(id: id, scope) else { throw DomainError.notFound("No extension release \(id) in the active tenant.") }
        var findings: [ReleaseFinding]?
        if to == .submitted {
            let key = try await store.publisherKeys(appID: listed.package.developerAppID, scope).first { $0.id == listed.release.signingKeyID }
            let results = await ReleaseChecks(content: content).run(listed, key: key)
            let failed = results.filter { $0.severity == .failed }
            guard failed.isEmpty else {
                throw DomainError.conflict("The release fails its automated checks: " + failed.map { "\($0.check): \($0.detail)" }.joined(separator: "; "))
            }
            findings = results
        }
        let moved = try await store.movePublishedRelease(
            id: id, ReleaseMove(to: to, reason: try reason.map(Validation.reason), findings: findings), scope, by: caller.user.id, at: Date()
        )
        return await content.review(listed.with(moved))
    }

    /// The tenants that may install the release when it is published as allowlisted.
    public func allowlist(of id: ExtensionReleaseID, caller: Caller) async throws -> [TenantID] {
        let scope = try caller.activeTenant()
        guard try await store.publishedRelease(id: id, scope) != nil else { throw DomainError.notFound("No extension release \(id) in the active tenant.") }
        return try await store.releaseAllowlist(id: id, scope)
    }

    /// Replaces the allowlist with the tenants named (at most 1,000 tenant ids, each of an existing tenant).
    public func setAllowlist(of id: ExtensionReleaseID, tenantIDs: [String], caller: Caller) async throws -> [TenantID] {
        let scope = try caller.publisherTenant()
        guard tenantIDs.count <= 1_000 else { throw DomainError.invalidInput("tenantIds may hold at most 1000 tenants.") }
        let tenants: [TenantID] = try tenantIDs.map { text in
            guard let id = TenantID(path: text) else { throw DomainError.invalidInput("tenantIds: '\(text.prefix(64))' is not a tenant id.") }
            return id
        }
        return try await store.setReleaseAllowlist(id: id, tenants: tenants, scope, by: caller.user.id, at: Date())
    }

    private static func requireAgreement(_ stated: [String]?, _ manifest: [String], field: String) throws {
        guard let stated, Set(stated) != Set(manifest) else { return }
        throw DomainError.invalidInput("\(field) does not match the manifest's (\(manifest.isEmpty ? "none" : manifest.joined(separator: ", "))); leave it out or state the same.")
    }
}
