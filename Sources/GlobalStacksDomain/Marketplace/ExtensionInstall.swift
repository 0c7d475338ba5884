import Foundation

public typealias ExtensionInstallID = Identifier<ExtensionInstall>

/// An extension installed in one tenant, pinned to the release whose digests the installer consented to.
public struct ExtensionInstall: Sendable, Equatable {
    public enum Status: String, Sendable, CaseIterable, Codable {
        case installed
        /// A newer release asks for more (permissions or egress hosts) than was consented to.
        case needsReconsent = "needs_reconsent"
        /// The installed release can no longer run here (computed from facts, see `effectiveStatus`).
        case upgradeRequired = "upgrade_required"
        /// Signed by a key that was revoked.
        case unsupported
        /// The release was revoked.
        case disabled
    }

    public let id: ExtensionInstallID
    public let tenantID: TenantID
    public let packageID: ExtensionPackageID
    public let extensionKey: ExtensionKey
    public var releaseID: ExtensionReleaseID
    public var version: SemanticVersion
    public var status: Status
    public var statusReason: String?
    /// The digests the person saw on the consent screen, and the permissions and egress hosts they covered.
    public var consentedManifestDigest: ContentDigest
    public var consentedArtifactDigest: ContentDigest
    public var consentedPermissions: [String]
    public var consentedEgress: [String]
    /// Tenant settings without secrets; secrets are kept sealed apart and only their names are known here.
    public var settings: [String: JSONValue]
    public var secretKeysSet: [String]
    public let installedBy: UserID
    public let createdAt: Date
    public var updatedAt: Date

    public init(id: ExtensionInstallID, tenantID: TenantID, packageID: ExtensionPackageID, extensionKey: ExtensionKey,
                releaseID: ExtensionReleaseID, version: SemanticVersion, status: Status, statusReason: String?,
                consentedManifestDigest: ContentDigest, consentedArtifactDigest: ContentDigest, consentedPermissions: [String],
                consentedEgress: [String], settings: [String: JSONValue], secretKeysSet: [String], installedBy: UserID,
                createdAt: Date, updatedAt: Date) {
        self.id = id
        self.tenantID = tenantID
        self.packageID = packageID
        self.extensionKey = extensionKey
        self.releaseID = releaseID
        self.version = version
        self.status = status
        self.statusReason = statusReason
        self.consentedManifestDigest = consentedManifestDigest
        self.consentedArtifactDigest = consentedArtifactDigest
        self.consentedPermissions = consentedPermissions
        self.consentedEgress = consentedEgress
        self.settings = settings
        self.secretKeysSet = secretKeysSet
        self.installedBy = installedBy
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    /// The status as of now: the stored one (revocations and re-consent are written when they happen), or
    /// `upgrade_required` when the pinned release's requirements are no longer met by this server.
    public func effectiveStatus(releaseCompatibility: Compatibility) -> (Status, String?) {
        guard status == .installed, let missing = releaseCompatibility.serverMissing.first else { return (status, statusReason) }
        return (.upgradeRequired, "The installed release can no longer run here: \(missing). Install a newer release.")
    }

    /// Whether the consent given covers `manifest`: nothing it asks for is new.
    public func consentCovers(_ manifest: ExtensionManifest) -> Bool {
        Set(manifest.permissionNames).isSubset(of: consentedPermissions) && Set(manifest.egressNames).isSubset(of: consentedEgress)
    }
}

/// The consent screen's check: the digests sent must be those of the release being installed.
public enum ConsentCheck {
    public static func require(manifest sent: ContentDigest, artifact sentArtifact: ContentDigest, release: ExtensionRelease) throws {
        var differing: [String] = []
        if sent != release.manifestDigest { differing.append("manifest_digest (the release's is \(release.manifestDigest))") }
        if sentArtifact != release.artifactDigest { differing.append("artifact_digest (the release's is \(release.artifactDigest))") }
        guard differing.isEmpty else {
            throw DomainError.forbidden("The consent was given for different content than release \(release.version): "
                + differing.joined(separator: " and ") + " differs. Review the consent screen again and consent to this release.")
        }
    }
}

/// What an extension's release needs against what is here: this server (version, broker protocol) and the tenant's
/// approved agents' capabilities.
public struct Compatibility: Sendable, Equatable {
    /// Unmet by this server itself; these make an installed release `upgrade_required`.
    public let serverMissing: [String]
    /// No approved agent in the tenant's clusters offers these capabilities.
    public let missingCapabilities: [String]

    public init(manifest: ExtensionManifest, server: SemanticVersion = GlobalStacksVersion.current,
                brokerProtocols: Set<String> = GlobalStacksVersion.brokerProtocols, agentCapabilities: Set<String>) {
        var serverMissing: [String] = []
        if !brokerProtocols.contains(manifest.brokerProtocol) {
            serverMissing.append("broker protocol '\(manifest.brokerProtocol)' is not supported (supported: \(brokerProtocols.sorted().joined(separator: ", ")))")
        }
        if let minimum = manifest.minGlobalstacksVersion, server < minimum {
            serverMissing.append("GlobalStacks \(minimum) or later is required (this server is \(server))")
        }
        self.serverMissing = serverMissing
        missingCapabilities = manifest.agentCapabilities.filter { !agentCapabilities.contains($0) }.sorted()
    }

    public var isCompatible: Bool { serverMissing.isEmpty && missingCapabilities.isEmpty }
    public var status: String { isCompatible ? "compatible" : "incompatible" }

    /// Every unmet requirement, in words.
    public var missingRequirements: [String] {
        serverMissing + missingCapabilities.map { "agent capability '\($0)': no approved agent in the tenant's clusters offers it" }
    }
}
