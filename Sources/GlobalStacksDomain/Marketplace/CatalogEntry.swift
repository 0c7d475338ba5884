/// One catalog entry for a tenant: the newest release it may install, and its install when there is one.
public struct CatalogEntry: Sendable, Equatable {
    public let listed: ListedRelease
    public let install: ExtensionInstall?

    public init(listed: ListedRelease, install: ExtensionInstall?) {
        self.listed = listed
        self.install = install
    }
}

/// An install with the release it is pinned to.
public struct InstalledExtension: Sendable, Equatable {
    public let install: ExtensionInstall
    public let release: ListedRelease

    public init(install: ExtensionInstall, release: ListedRelease) {
        self.install = install
        self.release = release
    }
}
