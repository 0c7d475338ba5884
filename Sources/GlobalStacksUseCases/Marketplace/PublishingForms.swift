// What a publisher sends, as written: `PublishingService` checks it after it checked who asks, so every edge refuses
// the same things with the same words.

/// A developer app: who publishes, and where people find their support, terms and privacy policy.
public struct DeveloperAppForm: Sendable {
    public var name: String
    public var publisherName: String
    public var publisherURL: String?
    public var supportURL: String
    public var termsURL: String
    public var privacyURL: String

    public init(name: String, publisherName: String, publisherURL: String?, supportURL: String, termsURL: String, privacyURL: String) {
        self.name = name
        self.publisherName = publisherName
        self.publisherURL = publisherURL
        self.supportURL = supportURL
        self.termsURL = termsURL
        self.privacyURL = privacyURL
    }
}

/// An extension package: the key every release of it carries, and how the catalog describes it.
public struct PackageForm: Sendable {
    public var extensionKey: String
    public var name: String
    public var description: String?
    public var category: String?
    public var tags: [String]

    public init(extensionKey: String, name: String, description: String?, category: String?, tags: [String]) {
        self.extensionKey = extensionKey
        self.name = name
        self.description = description
        self.category = category
        self.tags = tags
    }
}

/// A publisher key's Ed25519 signature (base64) over a pair of digests.
public struct SignatureForm: Sendable {
    public var manifestDigest: String
    public var artifactDigest: String
    public var keyID: String
    public var signature: String

    public init(manifestDigest: String, artifactDigest: String, keyID: String, signature: String) {
        self.manifestDigest = manifestDigest
        self.artifactDigest = artifactDigest
        self.keyID = keyID
        self.signature = signature
    }
}

/// A release: its two digests, and what the request also states about the manifest (each must agree with it).
public struct ReleaseForm: Sendable {
    public var version: String
    public var manifestDigest: String
    public var artifactDigest: String
    public var permissions: [String]?
    public var egress: [String]?
    public var agentCapabilities: [String]?
    public var brokerProtocol: String?
    public var minGlobalstacksVersion: String?

    public init(version: String, manifestDigest: String, artifactDigest: String, permissions: [String]?, egress: [String]?,
                agentCapabilities: [String]?, brokerProtocol: String?, minGlobalstacksVersion: String?) {
        self.version = version
        self.manifestDigest = manifestDigest
        self.artifactDigest = artifactDigest
        self.permissions = permissions
        self.egress = egress
        self.agentCapabilities = agentCapabilities
        self.brokerProtocol = brokerProtocol
        self.minGlobalstacksVersion = minGlobalstacksVersion
    }
}
