import Foundation
import GlobalStacksDomain
import GlobalStacksStore

/// Publishing from the caller's active tenant: developer apps, signing keys, packages and their audit here; content,
/// signatures, releases, their moves and allowlists in `PublishingService+Releases`. Members read; owners and admins
/// (`publishExtensions`) change.
public struct PublishingService: Sendable {
    let store: any PublishingRepository
    let content: any ContentStore

    public init(store: any PublishingRepository, content: any ContentStore) {
        self.store = store
        self.content = content
    }

    public func developerApps(caller: Caller) async throws -> [DeveloperApp] {
        try await store.developerApps(try caller.activeTenant())
    }

    public func createDeveloperApp(_ form: DeveloperAppForm, caller: Caller) async throws -> DeveloperApp {
        let scope = try caller.publisherTenant()
        let app = NewDeveloperApp(
            name: try Validation.name(form.name), publisherName: try Validation.name(form.publisherName, field: "publisherName"),
            publisherURL: try form.publisherURL.map { try Validation.webURL($0, field: "publisherUrl") },
            supportURL: try Validation.webURL(form.supportURL, field: "supportUrl"), termsURL: try Validation.webURL(form.termsURL, field: "termsUrl"),
            privacyURL: try Validation.webURL(form.privacyURL, field: "privacyUrl")
        )
        return try await store.createDeveloperApp(app, scope, by: caller.user.id, at: Date())
    }

    public func publisherKeys(of appID: DeveloperAppID, caller: Caller) async throws -> [PublisherKey] {
        let scope = try caller.activeTenant()
        let app = try await visibleApp(appID, scope)
        return try await store.publisherKeys(appID: app.id, scope)
    }

    /// Registers a base64 raw 32-byte Ed25519 public key for the app.
    public func registerPublisherKey(for appID: DeveloperAppID, name: String, publicKey: String, caller: Caller) async throws -> PublisherKey {
        let scope = try caller.publisherTenant()
        let app = try await visibleApp(appID, scope)
        return try await store.registerPublisherKey(
            appID: app.id, name: try Validation.name(name), publicKey: try SignatureVerifier.publicKey(publicKey), scope, by: caller.user.id, at: Date()
        )
    }

    /// Revokes the key; installs of every release it signed become `unsupported`.
    public func revokePublisherKey(_ keyID: PublisherKeyID, of appID: DeveloperAppID, reason: String, caller: Caller) async throws -> PublisherKey {
        let scope = try caller.publisherTenant()
        let app = try await visibleApp(appID, scope)
        return try await store.revokePublisherKey(
            appID: app.id, keyID: keyID, reason: try Validation.reason(reason), scope, by: caller.user.id, at: Date()
        )
    }

    public func packages(of appID: DeveloperAppID, caller: Caller) async throws -> [ExtensionPackage] {
        let scope = try caller.activeTenant()
        let app = try await visibleApp(appID, scope)
        return try await store.extensionPackages(appID: app.id, scope)
    }

    public func createPackage(in appID: DeveloperAppID, _ form: PackageForm, caller: Caller) async throws -> ExtensionPackage {
        let scope = try caller.publisherTenant()
        let app = try await visibleApp(appID, scope)
        guard form.tags.count <= 20, form.tags.allSatisfy({ (1...50).contains($0.count) }) else {
            throw DomainError.invalidInput("tags may hold at most 20 tags of 1 to 50 characters.")
        }
        let package = NewExtensionPackage(
            extensionKey: try ExtensionKey.parse(form.extensionKey), name: try Validation.name(form.name),
            description: try Validation.description(form.description),
            category: try form.category.map { try Validation.name($0, field: "category") }, tags: form.tags
        )
        return try await store.createExtensionPackage(appID: app.id, package, scope, by: caller.user.id, at: Date())
    }

    /// What happened to the package's releases and keys, newest first.
    public func packageAudit(_ packageID: ExtensionPackageID, caller: Caller) async throws -> [MarketplaceAuditEvent] {
        let scope = try caller.activeTenant()
        let package = try await visiblePackage(packageID, scope)
        return try await store.packageAudit(packageID: package.id, scope)
    }

    func visibleApp(_ id: DeveloperAppID, _ scope: TenantScope) async throws -> DeveloperApp {
        guard let app = try await store.developerApp(id: id, scope) else {
            throw DomainError.notFound("No developer app '\(id)' in the active tenant.")
        }
        return app
    }

    func visiblePackage(_ id: ExtensionPackageID, _ scope: TenantScope) async throws -> ExtensionPackage {
        guard let package = try await store.extensionPackage(id: id, scope) else {
            throw DomainError.notFound("No extension package '\(id)' in the active tenant.")
        }
        return package
    }
}
