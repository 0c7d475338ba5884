import GlobalStacksAPI
import GlobalStacksContract
import GlobalStacksDomain
import GlobalStacksUseCases
import OpenAPIRuntime

/// The v1 API's publishing: maps the contract's input to `PublishingService` and its results back.
struct PublishingHandler {
    let publishing: PublishingService

    func listDeveloperApps(_ input: Operations.ListDeveloperApps.Input, caller: Caller) async throws -> Operations.ListDeveloperApps.Output {
        .ok(.init(body: .json(.init(items: try await publishing.developerApps(caller: caller).map(APIMapping.developerApp)))))
    }

    func createDeveloperApp(_ input: Operations.CreateDeveloperApp.Input, caller: Caller) async throws -> Operations.CreateDeveloperApp.Output {
        guard case .json(let request) = input.body else { throw DomainError.invalidInput("Send a JSON body.") }
        let form = DeveloperAppForm(
            name: request.name, publisherName: request.publisherName, publisherURL: request.publisherUrl, supportURL: request.supportUrl,
            termsURL: request.termsUrl, privacyURL: request.privacyUrl
        )
        return .created(.init(body: .json(APIMapping.developerApp(try await publishing.createDeveloperApp(form, caller: caller)))))
    }

    func listPublisherKeys(_ input: Operations.ListPublisherKeys.Input, caller: Caller) async throws -> Operations.ListPublisherKeys.Output {
        let keys = try await publishing.publisherKeys(of: try Self.appID(input.path.developerAppId), caller: caller)
        return .ok(.init(body: .json(.init(items: keys.map(APIMapping.publisherKey)))))
    }

    func registerPublisherKey(_ input: Operations.RegisterPublisherKey.Input, caller: Caller) async throws -> Operations.RegisterPublisherKey.Output {
        let appID = try Self.appID(input.path.developerAppId)
        guard case .json(let request) = input.body else { throw DomainError.invalidInput("Send a JSON body.") }
        let key = try await publishing.registerPublisherKey(for: appID, name: request.name, publicKey: request.publicKey, caller: caller)
        return .created(.init(body: .json(APIMapping.publisherKey(key))))
    }

    func revokePublisherKey(_ input: Operations.RevokePublisherKey.Input, caller: Caller) async throws -> Operations.RevokePublisherKey.Output {
        let appID = try Self.appID(input.path.developerAppId)
        let keyID: PublisherKeyID = try pathID(input.path.publisherKeyId, "publisher key")
        guard case .json(let request) = input.body else { throw DomainError.invalidInput("Send a JSON body.") }
        let key = try await publishing.revokePublisherKey(keyID, of: appID, reason: request.reason, caller: caller)
        return .ok(.init(body: .json(APIMapping.publisherKey(key))))
    }

    func uploadExtensionContent(_ input: Operations.UploadExtensionContent.Input, caller: Caller) async throws -> Operations.UploadExtensionContent.Output {
        let digest = try ContentDigest.parse(input.path.contentDigest, field: "contentDigest")
        guard let kindText = input.query.kind, let kind = ContentKind(rawValue: kindText), kind.isReleaseContent else {
            throw DomainError.invalidInput("kind must be manifest or artifact (?kind=…).")
        }
        guard case .binary(let body) = input.body else { throw DomainError.invalidInput("Send the bytes as application/octet-stream.") }
        var declaredLength: Int?
        if case .known(let length) = body.length { declaredLength = Int(length) }
        let byteCount = try await publishing.upload(body, declaredLength: declaredLength, digest: digest, kind: kind, caller: caller)
        return .created(.init(body: .json(.init(digest: digest.rawValue, kind: .init(rawValue: kind.rawValue)!, byteCount: byteCount))))
    }

    func listExtensionPackages(_ input: Operations.ListExtensionPackages.Input, caller: Caller) async throws -> Operations.ListExtensionPackages.Output {
        let packages = try await publishing.packages(of: try Self.appID(input.path.developerAppId), caller: caller)
        return .ok(.init(body: .json(.init(items: packages.map(APIMapping.extensionPackage)))))
    }

    func createExtensionPackage(_ input: Operations.CreateExtensionPackage.Input, caller: Caller) async throws -> Operations.CreateExtensionPackage.Output {
        let appID = try Self.appID(input.path.developerAppId)
        guard case .json(let request) = input.body else { throw DomainError.invalidInput("Send a JSON body.") }
        let form = PackageForm(
            extensionKey: request.extensionKey, name: request.name, description: request.description, category: request.category, tags: request.tags ?? []
        )
        return .created(.init(body: .json(APIMapping.extensionPackage(try await publishing.createPackage(in: appID, form, caller: caller)))))
    }

    func registerReleaseSignature(_ input: Operations.RegisterReleaseSignature.Input, caller: Caller) async throws -> Operations.RegisterReleaseSignature.Output {
        let packageID = try Self.packageID(input.path.extensionPackageId)
        guard case .json(let request) = input.body else { throw DomainError.invalidInput("Send a JSON body.") }
        let form = SignatureForm(
            manifestDigest: request.manifestDigest, artifactDigest: request.artifactDigest, keyID: request.keyId, signature: request.signature
        )
        let signed = try await publishing.registerSignature(for: packageID, form, caller: caller)
        return .created(.init(body: .json(.init(
            manifestDigest: signed.manifest.rawValue, artifactDigest: signed.artifact.rawValue, keyId: signed.keyID.rawValue
        ))))
    }

    func listExtensionReleases(_ input: Operations.ListExtensionReleases.Input, caller: Caller) async throws -> Operations.ListExtensionReleases.Output {
        let releases = try await publishing.releases(of: try Self.packageID(input.path.extensionPackageId), caller: caller)
        return .ok(.init(body: .json(.init(items: releases.map(APIMapping.extensionRelease)))))
    }

    func createExtensionRelease(_ input: Operations.CreateExtensionRelease.Input, caller: Caller) async throws -> Operations.CreateExtensionRelease.Output {
        let packageID = try Self.packageID(input.path.extensionPackageId)
        guard case .json(let request) = input.body else { throw DomainError.invalidInput("Send a JSON body.") }
        let form = ReleaseForm(
            version: request.version, manifestDigest: request.manifestDigest, artifactDigest: request.artifactDigest,
            permissions: request.permissions, egress: request.egress, agentCapabilities: request.agentCapabilities,
            brokerProtocol: request.brokerProtocol, minGlobalstacksVersion: request.minGlobalstacksVersion
        )
        return .created(.init(body: .json(APIMapping.extensionRelease(try await publishing.createRelease(of: packageID, form, caller: caller)))))
    }

    func moveExtensionRelease(_ input: Operations.MoveExtensionRelease.Input, caller: Caller) async throws -> Operations.MoveExtensionRelease.Output {
        let id: ExtensionReleaseID = try pathID(input.path.extensionReleaseId, "extension release")
        guard case .json(let request) = input.body else { throw DomainError.invalidInput("Send a JSON body.") }
        guard let to = ReleaseStatus(rawValue: request.to.rawValue) else { throw DomainError.invalidInput("to must be private, submitted or revoked.") }
        let review = try await publishing.moveRelease(id, to: to, reason: request.reason, caller: caller)
        return .ok(.init(body: .json(try APIMapping.releaseReview(review))))
    }

    func getReleaseAllowlist(_ input: Operations.GetReleaseAllowlist.Input, caller: Caller) async throws -> Operations.GetReleaseAllowlist.Output {
        let tenants = try await publishing.allowlist(of: try pathID(input.path.extensionReleaseId, "extension release"), caller: caller)
        return .ok(.init(body: .json(.init(tenantIds: tenants.map(\.rawValue)))))
    }

    func setReleaseAllowlist(_ input: Operations.SetReleaseAllowlist.Input, caller: Caller) async throws -> Operations.SetReleaseAllowlist.Output {
        let id: ExtensionReleaseID = try pathID(input.path.extensionReleaseId, "extension release")
        guard case .json(let request) = input.body else { throw DomainError.invalidInput("Send a JSON body.") }
        let tenants = try await publishing.setAllowlist(of: id, tenantIDs: request.tenantIds, caller: caller)
        return .ok(.init(body: .json(.init(tenantIds: tenants.map(\.rawValue)))))
    }

    func listPackageAudit(_ input: Operations.ListPackageAudit.Input, caller: Caller) async throws -> Operations.ListPackageAudit.Output {
        let events = try await publishing.packageAudit(try Self.packageID(input.path.extensionPackageId), caller: caller)
        return .ok(.init(body: .json(.init(items: try events.map(APIMapping.auditEvent)))))
    }

    /// A developer app id from the path; anything that cannot be one is not found.
    private static func appID(_ value: String) throws -> DeveloperAppID {
        guard let id = DeveloperAppID(path: value) else { throw DomainError.notFound("No developer app '\(value.prefix(64))' in the active tenant.") }
        return id
    }

    /// An extension package id from the path; anything that cannot be one is not found.
    private static func packageID(_ value: String) throws -> ExtensionPackageID {
        guard let id = ExtensionPackageID(path: value) else {
            throw DomainError.notFound("No extension package '\(value.prefix(64))' in the active tenant.")
        }
        return id
    }
}
