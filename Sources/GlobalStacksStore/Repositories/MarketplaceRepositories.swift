import Foundation
import GlobalStacksDomain

public struct NewDeveloperApp: Sendable {
    public let name: String
    public let publisherName: String
    public let publisherURL: String?
    public let supportURL: String
    public let termsURL: String
    public let privacyURL: String

    public init(name: String, publisherName: String, publisherURL: String?, supportURL: String, termsURL: String, privacyURL: String) {
        self.name = name
        self.publisherName = publisherName
        self.publisherURL = publisherURL
        self.supportURL = supportURL
        self.termsURL = termsURL
        self.privacyURL = privacyURL
    }
}

public struct NewExtensionPackage: Sendable {
    public let extensionKey: ExtensionKey
    public let name: String
    public let description: String?
    public let category: String?
    public let tags: [String]

    public init(extensionKey: ExtensionKey, name: String, description: String?, category: String?, tags: [String]) {
        self.extensionKey = extensionKey
        self.name = name
        self.description = description
        self.category = category
        self.tags = tags
    }
}

/// A release being created: its manifest was read from uploaded content and its signature verified.
public struct NewExtensionRelease: Sendable {
    public let packageID: ExtensionPackageID
    public let manifestDigest: ContentDigest
    public let artifactDigest: ContentDigest
    public let manifest: ExtensionManifest
    /// The manifest's exact JSON text, kept with the release so every replica reads the same manifest.
    public let manifestText: String
    public let signingKeyID: PublisherKeyID
    public let signature: Data

    public init(packageID: ExtensionPackageID, manifestDigest: ContentDigest, artifactDigest: ContentDigest, manifest: ExtensionManifest,
                manifestText: String, signingKeyID: PublisherKeyID, signature: Data) {
        self.packageID = packageID
        self.manifestDigest = manifestDigest
        self.artifactDigest = artifactDigest
        self.manifest = manifest
        self.manifestText = manifestText
        self.signingKeyID = signingKeyID
        self.signature = signature
    }
}

/// A signature registered for a package's pair of digests.
public struct ReleaseSignature: Sendable, Equatable {
    public let key: PublisherKey
    public let signature: Data
}

/// A move of a release through `ReleaseStatus.moves`.
public struct ReleaseMove: Sendable {
    public let to: ReleaseStatus
    public let reason: String?
    /// For `published`: public (default) or allowlisted.
    public let visibility: ReleaseVisibility?
    public let findings: [ReleaseFinding]?

    public init(to: ReleaseStatus, reason: String?, visibility: ReleaseVisibility? = nil, findings: [ReleaseFinding]? = nil) {
        self.to = to
        self.reason = reason
        self.visibility = visibility
        self.findings = findings
    }
}

/// An install being made (or consented to again): the consent was checked against `releaseID`'s digests.
public struct NewInstall: Sendable {
    public let releaseID: ExtensionReleaseID
    public let settings: [String: JSONValue]
    public let sealedSecrets: String?
    public let secretKeys: [String]

    public init(releaseID: ExtensionReleaseID, settings: [String: JSONValue], sealedSecrets: String?, secretKeys: [String]) {
        self.releaseID = releaseID
        self.settings = settings
        self.sealedSecrets = sealedSecrets
        self.secretKeys = secretKeys
    }
}

/// New tenant settings of an install (secrets sealed by the caller).
public struct InstallSettingsUpdate: Sendable {
    public let settings: [String: JSONValue]
    public let sealedSecrets: String?
    public let secretKeys: [String]
    public let change: SettingsChange

    public init(settings: [String: JSONValue], sealedSecrets: String?, secretKeys: [String], change: SettingsChange) {
        self.settings = settings
        self.sealedSecrets = sealedSecrets
        self.secretKeys = secretKeys
        self.change = change
    }
}

/// Publishing, from the publisher's tenant: content, developer apps, keys, packages, releases and their allowlists.
public protocol PublishingRepository: Sendable {
    /// Records uploaded content (already stored by digest); uploading the same bytes again is not an error.
    func recordContent(_ digest: ContentDigest, kind: ContentKind, byteCount: Int, _ scope: TenantScope, by user: UserID, at now: Date) async throws
    func contentKind(_ digest: ContentDigest, _ scope: TenantScope) async throws -> ContentKind?
    /// Bytes of the content of `kind` the scope's tenant uploaded (each digest once).
    func uploadedBytes(kind: ContentKind, _ scope: TenantScope) async throws -> Int64
    func createDeveloperApp(_ app: NewDeveloperApp, _ scope: TenantScope, by user: UserID, at now: Date) async throws -> DeveloperApp
    func developerApps(_ scope: TenantScope) async throws -> [DeveloperApp]
    func developerApp(id: DeveloperAppID, _ scope: TenantScope) async throws -> DeveloperApp?
    func registerPublisherKey(appID: DeveloperAppID, name: String, publicKey: Data, _ scope: TenantScope, by user: UserID, at now: Date) async throws -> PublisherKey
    func publisherKeys(appID: DeveloperAppID, _ scope: TenantScope) async throws -> [PublisherKey]
    /// Revokes a key; installs of every release it signed become `unsupported` with the reason.
    func revokePublisherKey(appID: DeveloperAppID, keyID: PublisherKeyID, reason: String, _ scope: TenantScope, by user: UserID, at now: Date) async throws -> PublisherKey
    func createExtensionPackage(appID: DeveloperAppID, _ package: NewExtensionPackage, _ scope: TenantScope, by user: UserID, at now: Date) async throws -> ExtensionPackage
    func extensionPackages(appID: DeveloperAppID, _ scope: TenantScope) async throws -> [ExtensionPackage]
    func extensionPackage(id: ExtensionPackageID, _ scope: TenantScope) async throws -> ExtensionPackage?
    func registerReleaseSignature(packageID: ExtensionPackageID, manifest: ContentDigest, artifact: ContentDigest, keyID: PublisherKeyID,
                                  signature: Data, _ scope: TenantScope, at now: Date) async throws
    func releaseSignature(packageID: ExtensionPackageID, manifest: ContentDigest, artifact: ContentDigest, _ scope: TenantScope) async throws -> ReleaseSignature?
    func createExtensionRelease(_ release: NewExtensionRelease, _ scope: TenantScope, by user: UserID, at now: Date) async throws -> ExtensionRelease
    func extensionReleases(packageID: ExtensionPackageID, _ scope: TenantScope) async throws -> [ExtensionRelease]
    func publishedRelease(id: ExtensionReleaseID, _ scope: TenantScope) async throws -> ListedRelease?
    /// A publisher's move (private, submitted, revoked); revoking disables the installs.
    func movePublishedRelease(id: ExtensionReleaseID, _ move: ReleaseMove, _ scope: TenantScope, by user: UserID, at now: Date) async throws -> ExtensionRelease
    func setReleaseAllowlist(id: ExtensionReleaseID, tenants: [TenantID], _ scope: TenantScope, by user: UserID, at now: Date) async throws -> [TenantID]
    func releaseAllowlist(id: ExtensionReleaseID, _ scope: TenantScope) async throws -> [TenantID]
    func packageAudit(packageID: ExtensionPackageID, _ scope: TenantScope) async throws -> [MarketplaceAuditEvent]
}

/// Review across publishers (site operators and admins) and extension policy.
public protocol MarketplaceReviewRepository: Sendable {
    func reviewQueue(_ scope: MarketplaceReviewScope) async throws -> [ListedRelease]
    func reviewedRelease(id: ExtensionReleaseID, _ scope: MarketplaceReviewScope) async throws -> ListedRelease?
    /// A reviewer's move; publishing moves the package's installs up (or to `needs_reconsent`), revoking disables them.
    func moveReviewedRelease(id: ExtensionReleaseID, _ move: ReleaseMove, _ scope: MarketplaceReviewScope, by user: UserID, at now: Date) async throws -> ExtensionRelease
    func setExtensionPolicy(key: ExtensionKey, settings: [String: JSONValue], _ scope: MarketplaceReviewScope, at now: Date) async throws
    func extensionPolicy(key: ExtensionKey, _ scope: MarketplaceReviewScope) async throws -> [String: JSONValue]
}

/// What a tenant sees of the marketplace and what it installed.
public protocol InstallRepository: Sendable {
    /// The newest release of each package the tenant may install, with its install.
    func catalog(_ scope: TenantScope) async throws -> [CatalogEntry]
    func catalogEntry(key: ExtensionKey, _ scope: TenantScope) async throws -> CatalogEntry?
    /// Capabilities of approved agents in the clusters the tenant may use.
    func agentCapabilities(_ scope: TenantScope) async throws -> Set<String>
    /// Control-plane policy for an extension's settings (policy wins over the tenant's).
    func extensionPolicy(key: ExtensionKey, _ scope: TenantScope) async throws -> [String: JSONValue]
    /// Installs (or consents again to) the release; it must still be installable by the tenant when the row is locked.
    func install(_ install: NewInstall, _ scope: TenantScope, by user: UserID, at now: Date) async throws -> InstalledExtension
    func installs(_ scope: TenantScope) async throws -> [InstalledExtension]
    func install(key: ExtensionKey, _ scope: TenantScope) async throws -> InstalledExtension?
    func sealedSecrets(key: ExtensionKey, _ scope: TenantScope) async throws -> String?
    /// The publisher key that signed the release an install is pinned to (the broker sends its public key to the
    /// agent, which verifies the artifact with it).
    func installSigningKey(key: ExtensionKey, _ scope: TenantScope) async throws -> PublisherKey?
    func updateInstallSettings(key: ExtensionKey, _ update: InstallSettingsUpdate, _ scope: TenantScope, by user: UserID, at now: Date) async throws -> InstalledExtension
    func uninstall(key: ExtensionKey, _ scope: TenantScope, by user: UserID, at now: Date) async throws
    func installAudit(key: ExtensionKey, _ scope: TenantScope) async throws -> [MarketplaceAuditEvent]
    func setBetaOptIn(key: ExtensionKey, enabled: Bool, _ scope: TenantScope, at now: Date) async throws
}
