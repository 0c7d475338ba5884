import Foundation

public typealias DeveloperAppID = Identifier<DeveloperApp>
public typealias PublisherKeyID = Identifier<PublisherKey>
public typealias ExtensionPackageID = Identifier<ExtensionPackage>

/// A publisher identity owned by one tenant: its packages, releases and signing keys belong to that tenant.
public struct DeveloperApp: Sendable, Equatable {
    public enum Status: String, Sendable, Codable { case draft, active, suspended }

    public let id: DeveloperAppID
    public let tenantID: TenantID
    public let name: String
    public let publisherName: String
    public let publisherURL: String?
    public let supportURL: String
    public let termsURL: String
    public let privacyURL: String
    public var status: Status
    public let createdBy: UserID
    public let createdAt: Date
    public var updatedAt: Date

    public init(id: DeveloperAppID, tenantID: TenantID, name: String, publisherName: String, publisherURL: String?, supportURL: String,
                termsURL: String, privacyURL: String, status: Status, createdBy: UserID, createdAt: Date, updatedAt: Date) {
        self.id = id
        self.tenantID = tenantID
        self.name = name
        self.publisherName = publisherName
        self.publisherURL = publisherURL
        self.supportURL = supportURL
        self.termsURL = termsURL
        self.privacyURL = privacyURL
        self.status = status
        self.createdBy = createdBy
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// An Ed25519 public key a developer app signs releases with. A revoked key makes every release it signed
/// uninstallable, with the reason.
public struct PublisherKey: Sendable, Equatable {
    public let id: PublisherKeyID
    public let developerAppID: DeveloperAppID
    public let name: String
    /// The 32-byte raw public key.
    public let publicKey: Data
    public let createdAt: Date
    public var revokedAt: Date?
    public var revokedReason: String?

    public init(id: PublisherKeyID, developerAppID: DeveloperAppID, name: String, publicKey: Data, createdAt: Date, revokedAt: Date?, revokedReason: String?) {
        self.id = id
        self.developerAppID = developerAppID
        self.name = name
        self.publicKey = publicKey
        self.createdAt = createdAt
        self.revokedAt = revokedAt
        self.revokedReason = revokedReason
    }

    /// What a release signature covers: both digests, in a form that cannot be confused with another message.
    public static func signedMessage(manifest: ContentDigest, artifact: ContentDigest) -> Data {
        Data("globalstacks.release.v1\n\(manifest.rawValue)\n\(artifact.rawValue)\n".utf8)
    }
}

/// An extension under a developer app; its `extensionKey` is unique across the installation.
public struct ExtensionPackage: Sendable, Equatable {
    public enum Status: String, Sendable, Codable { case draft, active, suspended, archived }

    public let id: ExtensionPackageID
    public let developerAppID: DeveloperAppID
    public let tenantID: TenantID
    public let extensionKey: ExtensionKey
    public let name: String
    public let description: String?
    public let category: String?
    public let tags: [String]
    public var status: Status
    public let createdAt: Date
    public var updatedAt: Date

    public init(id: ExtensionPackageID, developerAppID: DeveloperAppID, tenantID: TenantID, extensionKey: ExtensionKey, name: String,
                description: String?, category: String?, tags: [String], status: Status, createdAt: Date, updatedAt: Date) {
        self.id = id
        self.developerAppID = developerAppID
        self.tenantID = tenantID
        self.extensionKey = extensionKey
        self.name = name
        self.description = description
        self.category = category
        self.tags = tags
        self.status = status
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}
