/// A release with its package and publisher, as the catalog and the review queue show it.
public struct ListedRelease: Sendable, Equatable {
    public let release: ExtensionRelease
    public let package: ExtensionPackage
    public let publisherName: String
    /// The signing key's revocation, when it was revoked.
    public let keyRevokedReason: String?

    public init(release: ExtensionRelease, package: ExtensionPackage, publisherName: String, keyRevokedReason: String?) {
        self.release = release
        self.package = package
        self.publisherName = publisherName
        self.keyRevokedReason = keyRevokedReason
    }

    /// The same listing with the release as a write returned it (readers may not see that write yet).
    public func with(_ release: ExtensionRelease) -> ListedRelease {
        ListedRelease(release: release, package: package, publisherName: publisherName, keyRevokedReason: keyRevokedReason)
    }
}
