import GlobalStacksDomain

/// The catalog as the active tenant sees it, with the capabilities its agents offer (for compatibility).
public struct CatalogListing: Sendable {
    public let entries: [CatalogEntry]
    public let agentCapabilities: Set<String>
}

/// What a catalog search asks for: a category, a tag, and words that must all appear.
public struct CatalogQuery: Sendable {
    public var category: String?
    public var tag: String?
    public var text: String?

    public init(category: String?, tag: String?, text: String?) {
        self.category = category
        self.tag = tag
        self.text = text
    }
}

/// An install with its effective settings (the tenant's over the release's defaults, under the operator's policy).
public struct InstallView: Sendable {
    public let installed: InstalledExtension
    public let effectiveSettings: [String: JSONValue]
}

/// A consent to a release, with its digests as the caller sent them, and the settings to install with (nil keeps
/// the install's present settings).
public struct InstallConsent: Sendable {
    public var manifestDigest: String
    public var artifactDigest: String
    public var settings: [String: JSONValue]?

    public init(manifestDigest: String, artifactDigest: String, settings: [String: JSONValue]?) {
        self.manifestDigest = manifestDigest
        self.artifactDigest = artifactDigest
        self.settings = settings
    }
}

/// What installing returned: the catalog entry as it is now, and the install.
public struct InstallResult: Sendable {
    public let entry: CatalogEntry
    public let agentCapabilities: Set<String>
    public let install: InstallView
}

/// A settings change, with the reconcile run it started when the change needs one.
public struct SettingsUpdate: Sendable {
    public let install: InstallView
    public let reconcile: StartOutcome?
}

/// An install's state now: its effective status, a newer release available to it, and the keys the operator fixed.
public struct InstallState: Sendable {
    public let install: ExtensionInstall
    public let status: ExtensionInstall.Status
    public let statusReason: String?
    public let availableVersion: SemanticVersion?
    public let policyFixedKeys: [String]
}
