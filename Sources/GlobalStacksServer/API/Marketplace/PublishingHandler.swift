import Foundation
import GlobalStacksAPI
import GlobalStacksDomain
import GlobalStacksStore
import GlobalStacksUseCases
import OpenAPIRuntime

/// Publishing from the active tenant: developer apps, signing keys, content, packages, releases and their moves.
/// Members read; owners and admins (`publishExtensions`) change.
struct PublishingHandler {
    let store: any RequestStore
    let authenticator: Authenticator
    let content: any ContentStore

    func listDeveloperApps(_ input: Operations.ListDeveloperApps.Input) async throws -> Operations.ListDeveloperApps.Output {
        let scope = try AccessPolicy.requireActiveTenantScope(try authenticator.principal())
        return .ok(.init(body: .json(.init(items: try await store.developerApps(scope).map(APIMapping.developerApp)))))
    }

    func createDeveloperApp(_ input: Operations.CreateDeveloperApp.Input) async throws -> Operations.CreateDeveloperApp.Output {
        let (principal, scope) = try publisher()
        guard case .json(let request) = input.body else { throw DomainError.invalidInput("Send a JSON body.") }
        let app = NewDeveloperApp(
            name: try Validation.name(request.name), publisherName: try Validation.name(request.publisherName, field: "publisherName"),
            publisherURL: try request.publisherUrl.map { try Self.url($0, field: "publisherUrl") },
            supportURL: try Self.url(request.supportUrl, field: "supportUrl"), termsURL: try Self.url(request.termsUrl, field: "termsUrl"),
            privacyURL: try Self.url(request.privacyUrl, field: "privacyUrl")
        )
        let created = try await store.createDeveloperApp(app, scope, by: principal.user.id, at: Date())
        return .created(.init(body: .json(APIMapping.developerApp(created))))
    }

    func listPublisherKeys(_ input: Operations.ListPublisherKeys.Input) async throws -> Operations.ListPublisherKeys.Output {
        let scope = try AccessPolicy.requireActiveTenantScope(try authenticator.principal())
        let app = try await visibleApp(input.path.developerAppId, scope)
        return .ok(.init(body: .json(.init(items: try await store.publisherKeys(appID: app.id, scope).map(APIMapping.publisherKey)))))
    }

    func registerPublisherKey(_ input: Operations.RegisterPublisherKey.Input) async throws -> Operations.RegisterPublisherKey.Output {
        let (principal, scope) = try publisher()
        let app = try await visibleApp(input.path.developerAppId, scope)
        guard case .json(let request) = input.body else { throw DomainError.invalidInput("Send a JSON body.") }
        let key = try await store.registerPublisherKey(
            appID: app.id, name: try Validation.name(request.name), publicKey: try SignatureVerifier.publicKey(request.publicKey), scope,
            by: principal.user.id, at: Date()
        )
        return .created(.init(body: .json(APIMapping.publisherKey(key))))
    }

    func revokePublisherKey(_ input: Operations.RevokePublisherKey.Input) async throws -> Operations.RevokePublisherKey.Output {
        let (principal, scope) = try publisher()
        let app = try await visibleApp(input.path.developerAppId, scope)
        guard case .json(let request) = input.body else { throw DomainError.invalidInput("Send a JSON body.") }
        let key = try await store.revokePublisherKey(
            appID: app.id, keyID: try pathID(input.path.publisherKeyId, "publisher key"), reason: try Self.reason(request.reason), scope,
            by: principal.user.id, at: Date()
        )
        return .ok(.init(body: .json(APIMapping.publisherKey(key))))
    }

    func uploadExtensionContent(_ input: Operations.UploadExtensionContent.Input) async throws -> Operations.UploadExtensionContent.Output {
        let (principal, scope) = try publisher()
        let digest = try ContentDigest.parse(input.path.contentDigest, field: "contentDigest")
        guard let kindText = input.query.kind, let kind = ContentKind(rawValue: kindText) else {
            throw DomainError.invalidInput("kind must be manifest or artifact (?kind=…).")
        }
        guard case .binary(let body) = input.body else { throw DomainError.invalidInput("Send the bytes as application/octet-stream.") }
        if case .known(let length) = body.length, length > kind.maximumBytes {
            throw DomainError.tooLarge("A \(kind.rawValue) may be at most \(kind.maximumBytes) bytes (this one is \(length)); nothing was stored.")
        }
        var bytes = Data()
        for try await chunk in body {
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
            let document = try Self.manifestDocument(bytes)
            _ = try ExtensionManifest(parsing: document)
        }
        if let existing = try await store.contentKind(digest, scope), existing != kind {
            throw DomainError.invalidInput("\(digest) is already stored as a \(existing.rawValue).")
        }
        try content.put(bytes, digest: digest)
        try await store.recordContent(digest, kind: kind, byteCount: bytes.count, scope, by: principal.user.id, at: Date())
        return .created(.init(body: .json(.init(digest: digest.rawValue, kind: .init(rawValue: kind.rawValue)!, byteCount: bytes.count))))
    }

    func listExtensionPackages(_ input: Operations.ListExtensionPackages.Input) async throws -> Operations.ListExtensionPackages.Output {
        let scope = try AccessPolicy.requireActiveTenantScope(try authenticator.principal())
        let app = try await visibleApp(input.path.developerAppId, scope)
        return .ok(.init(body: .json(.init(items: try await store.extensionPackages(appID: app.id, scope).map(APIMapping.extensionPackage)))))
    }

    func createExtensionPackage(_ input: Operations.CreateExtensionPackage.Input) async throws -> Operations.CreateExtensionPackage.Output {
        let (principal, scope) = try publisher()
        let app = try await visibleApp(input.path.developerAppId, scope)
        guard case .json(let request) = input.body else { throw DomainError.invalidInput("Send a JSON body.") }
        let tags = request.tags ?? []
        guard tags.count <= 20, tags.allSatisfy({ (1...50).contains($0.count) }) else {
            throw DomainError.invalidInput("tags may hold at most 20 tags of 1 to 50 characters.")
        }
        let package = NewExtensionPackage(
            extensionKey: try ExtensionKey.parse(request.extensionKey), name: try Validation.name(request.name),
            description: try Validation.description(request.description),
            category: try request.category.map { try Validation.name($0, field: "category") }, tags: tags
        )
        let created = try await store.createExtensionPackage(appID: app.id, package, scope, by: principal.user.id, at: Date())
        return .created(.init(body: .json(APIMapping.extensionPackage(created))))
    }

    func registerReleaseSignature(_ input: Operations.RegisterReleaseSignature.Input) async throws -> Operations.RegisterReleaseSignature.Output {
        let (_, scope) = try publisher()
        let package = try await visiblePackage(input.path.extensionPackageId, scope)
        guard case .json(let request) = input.body else { throw DomainError.invalidInput("Send a JSON body.") }
        let manifest = try ContentDigest.parse(request.manifestDigest, field: "manifestDigest")
        let artifact = try ContentDigest.parse(request.artifactDigest, field: "artifactDigest")
        guard let signature = Data(base64Encoded: request.signature) else { throw DomainError.invalidInput("signature must be base64.") }
        let keyID: PublisherKeyID = try pathID(request.keyId, "publisher key")
        guard let key = try await store.publisherKeys(appID: package.developerAppID, scope).first(where: { $0.id == keyID }) else {
            throw DomainError.invalidInput("keyId: no publisher key \(keyID) in the package's developer app.")
        }
        try SignatureVerifier.require(signature, by: key, manifest: manifest, artifact: artifact)
        try await store.registerReleaseSignature(packageID: package.id, manifest: manifest, artifact: artifact, keyID: key.id, signature: signature, scope, at: Date())
        return .created(.init(body: .json(.init(manifestDigest: manifest.rawValue, artifactDigest: artifact.rawValue, keyId: key.id.rawValue))))
    }

    func listExtensionReleases(_ input: Operations.ListExtensionReleases.Input) async throws -> Operations.ListExtensionReleases.Output {
        let scope = try AccessPolicy.requireActiveTenantScope(try authenticator.principal())
        let package = try await visiblePackage(input.path.extensionPackageId, scope)
        return .ok(.init(body: .json(.init(items: try await store.extensionReleases(packageID: package.id, scope).map(APIMapping.extensionRelease)))))
    }

    /// The release's manifest is read from uploaded content; what the request also states must agree with it; the
    /// signature registered for the digest pair is verified again.
    func createExtensionRelease(_ input: Operations.CreateExtensionRelease.Input) async throws -> Operations.CreateExtensionRelease.Output {
        let (principal, scope) = try publisher()
        let package = try await visiblePackage(input.path.extensionPackageId, scope)
        guard case .json(let request) = input.body else { throw DomainError.invalidInput("Send a JSON body.") }
        let manifestDigest = try ContentDigest.parse(request.manifestDigest, field: "manifestDigest")
        let artifactDigest = try ContentDigest.parse(request.artifactDigest, field: "artifactDigest")
        // The store refuses digests this tenant did not upload (another tenant's content included); the manifest is read here.
        guard try await store.contentKind(manifestDigest, scope) == .manifest, let manifestBytes = try content.get(manifestDigest) else {
            throw DomainError.invalidInput("manifestDigest \(manifestDigest) names no manifest uploaded by this tenant; upload it first with PUT /v1/extension-content/{digest}?kind=manifest.")
        }
        let manifest = try ExtensionManifest(parsing: try Self.manifestDocument(manifestBytes))
        guard SemanticVersion(request.version) == manifest.version, request.version == manifest.version.description else {
            throw DomainError.invalidInput("version '\(request.version.prefix(130))' is not the manifest's version \(manifest.version).")
        }
        try Self.requireAgreement(request.permissions, manifest.permissionNames, field: "permissions")
        try Self.requireAgreement(request.egress, manifest.egressNames, field: "egress")
        try Self.requireAgreement(request.agentCapabilities, manifest.agentCapabilities.sorted(), field: "agentCapabilities")
        if let broker = request.brokerProtocol, broker != manifest.brokerProtocol {
            throw DomainError.invalidInput("brokerProtocol '\(broker.prefix(100))' is not the manifest's '\(manifest.brokerProtocol)'.")
        }
        if let minimum = request.minGlobalstacksVersion, SemanticVersion(minimum) != manifest.minGlobalstacksVersion {
            throw DomainError.invalidInput("minGlobalstacksVersion '\(minimum.prefix(130))' is not the manifest's.")
        }
        guard let signed = try await store.releaseSignature(packageID: package.id, manifest: manifestDigest, artifact: artifactDigest, scope) else {
            throw DomainError.invalidInput("No signature is registered for these digests; register one with POST /v1/developer/packages/\(package.id)/signatures first.")
        }
        try SignatureVerifier.require(signed.signature, by: signed.key, manifest: manifestDigest, artifact: artifactDigest)
        let release = try await store.createExtensionRelease(NewExtensionRelease(
            packageID: package.id, manifestDigest: manifestDigest, artifactDigest: artifactDigest, manifest: manifest,
            manifestText: String(decoding: manifestBytes, as: UTF8.self), signingKeyID: signed.key.id, signature: signed.signature
        ), scope, by: principal.user.id, at: Date())
        return .created(.init(body: .json(APIMapping.extensionRelease(release))))
    }

    func moveExtensionRelease(_ input: Operations.MoveExtensionRelease.Input) async throws -> Operations.MoveExtensionRelease.Output {
        let (principal, scope) = try publisher()
        let id: ExtensionReleaseID = try pathID(input.path.extensionReleaseId, "extension release")
        guard case .json(let request) = input.body else { throw DomainError.invalidInput("Send a JSON body.") }
        guard let to = ReleaseStatus(rawValue: request.to.rawValue) else { throw DomainError.invalidInput("to must be private, submitted or revoked.") }
        guard let listed = try await store.publishedRelease(id: id, scope) else { throw DomainError.notFound("No extension release \(id) in the active tenant.") }
        var findings: [ReleaseFinding]?
        if to == .submitted {
            let key = try await store.publisherKeys(appID: listed.package.developerAppID, scope).first { $0.id == listed.release.signingKeyID }
            let results = ReleaseChecks(content: content).run(listed, key: key)
            let failed = results.filter { $0.severity == .failed }
            guard failed.isEmpty else {
                throw DomainError.conflict("The release fails its automated checks: " + failed.map { "\($0.check): \($0.detail)" }.joined(separator: "; "))
            }
            findings = results
        }
        let moved = try await store.movePublishedRelease(
            id: id, ReleaseMove(to: to, reason: try request.reason.map(Self.reason), findings: findings), scope, by: principal.user.id, at: Date()
        )
        return .ok(.init(body: .json(try review(listed.with(moved)))))
    }

    func getReleaseAllowlist(_ input: Operations.GetReleaseAllowlist.Input) async throws -> Operations.GetReleaseAllowlist.Output {
        let scope = try AccessPolicy.requireActiveTenantScope(try authenticator.principal())
        let id: ExtensionReleaseID = try pathID(input.path.extensionReleaseId, "extension release")
        guard try await store.publishedRelease(id: id, scope) != nil else { throw DomainError.notFound("No extension release \(id) in the active tenant.") }
        return .ok(.init(body: .json(.init(tenantIds: try await store.releaseAllowlist(id: id, scope).map(\.rawValue)))))
    }

    func setReleaseAllowlist(_ input: Operations.SetReleaseAllowlist.Input) async throws -> Operations.SetReleaseAllowlist.Output {
        let (principal, scope) = try publisher()
        guard case .json(let request) = input.body else { throw DomainError.invalidInput("Send a JSON body.") }
        guard request.tenantIds.count <= 1_000 else { throw DomainError.invalidInput("tenantIds may hold at most 1000 tenants.") }
        let tenants: [TenantID] = try request.tenantIds.map { text in
            guard let id = TenantID(path: text) else { throw DomainError.invalidInput("tenantIds: '\(text.prefix(64))' is not a tenant id.") }
            return id
        }
        let listed = try await store.setReleaseAllowlist(
            id: try pathID(input.path.extensionReleaseId, "extension release"), tenants: tenants, scope, by: principal.user.id, at: Date()
        )
        return .ok(.init(body: .json(.init(tenantIds: listed.map(\.rawValue)))))
    }

    func listPackageAudit(_ input: Operations.ListPackageAudit.Input) async throws -> Operations.ListPackageAudit.Output {
        let scope = try AccessPolicy.requireActiveTenantScope(try authenticator.principal())
        let package = try await visiblePackage(input.path.extensionPackageId, scope)
        return .ok(.init(body: .json(.init(items: try await store.packageAudit(packageID: package.id, scope).map(APIMapping.auditEvent)))))
    }

    // MARK: helpers

    func review(_ listed: ListedRelease) throws -> Components.Schemas.ExtensionReleaseReview {
        let document = (try? content.get(listed.release.manifestDigest)).flatMap { $0 }.flatMap { try? Self.manifestDocument($0) }
        guard case .object(let object)? = document else { return try APIMapping.releaseReview(listed, manifest: [:]) }
        return try APIMapping.releaseReview(listed, manifest: object)
    }

    private func publisher() throws -> (Principal, TenantScope) {
        let principal = try authenticator.principal()
        let scope = try AccessPolicy.requireActiveTenantScope(principal)
        try AccessPolicy.require(.publishExtensions, principal)
        return (principal, scope)
    }

    private func visibleApp(_ pathValue: String, _ scope: TenantScope) async throws -> DeveloperApp {
        guard let id = DeveloperAppID(path: pathValue), let app = try await store.developerApp(id: id, scope) else {
            throw DomainError.notFound("No developer app '\(pathValue.prefix(64))' in the active tenant.")
        }
        return app
    }

    private func visiblePackage(_ pathValue: String, _ scope: TenantScope) async throws -> ExtensionPackage {
        guard let id = ExtensionPackageID(path: pathValue), let package = try await store.extensionPackage(id: id, scope) else {
            throw DomainError.notFound("No extension package '\(pathValue.prefix(64))' in the active tenant.")
        }
        return package
    }

    static func manifestDocument(_ bytes: Data) throws -> JSONValue {
        do {
            return try JSONDecoder().decode(JSONValue.self, from: bytes)
        } catch {
            throw DomainError.invalidInput("The manifest is not valid JSON.")
        }
    }

    static func url(_ value: String, field: String) throws -> String {
        guard value.count <= 2_048, value.hasPrefix("https://") || value.hasPrefix("http://"), URL(string: value)?.host != nil else {
            throw DomainError.invalidInput("\(field) must be an http(s) URL.")
        }
        return value
    }

    static func reason(_ value: String) throws -> String {
        let trimmed = value.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...500).contains(trimmed.count), !trimmed.unicodeScalars.contains(where: { $0.value < 0x20 && $0 != "\n" }) else {
            throw DomainError.invalidInput("reason must be 1 to 500 characters without control characters.")
        }
        return trimmed
    }

    private static func requireAgreement(_ stated: [String]?, _ manifest: [String], field: String) throws {
        guard let stated, Set(stated) != Set(manifest) else { return }
        throw DomainError.invalidInput("\(field) does not match the manifest's (\(manifest.isEmpty ? "none" : manifest.joined(separator: ", "))); leave it out or state the same.")
    }
}
