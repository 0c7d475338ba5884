import Foundation

/// An immutable root filesystem that sandboxes start from, read-only, with a writable layer of their own over it:
/// one version of a named template of a tenant (or a platform template, visible to every tenant), stored by the
/// digest of its archive. Made by a build (`TemplateBuild`) or saved from a sandbox (a snapshot).
public struct Template: Sendable, Equatable {
    public let id: TemplateID
    /// nil: a platform template, published by a site administrator for every tenant.
    public let tenantID: TenantID?
    public let name: Slug
    /// 1, 2, … per name and owner; a new build or snapshot under the same name is the next version.
    public let version: Int
    /// The archive's digest (`sha256:` of the zstd-compressed tar) and size.
    public let digest: ContentDigest
    public let sizeBytes: Int64
    public let config: TemplateConfig
    /// The build (or snapshot) that made it.
    public let buildID: TemplateBuildID
    public let createdBy: UserID
    public let createdAt: Date

    public init(
        id: TemplateID, tenantID: TenantID?, name: Slug, version: Int, digest: ContentDigest, sizeBytes: Int64, config: TemplateConfig,
        buildID: TemplateBuildID, createdBy: UserID, createdAt: Date
    ) {
        self.id = id
        self.tenantID = tenantID
        self.name = name
        self.version = version
        self.digest = digest
        self.sizeBytes = sizeBytes
        self.config = config
        self.buildID = buildID
        self.createdBy = createdBy
        self.createdAt = createdAt
    }

    public var isPlatform: Bool { tenantID == nil }

    /// How a person names this version: `python-data:3`.
    public var reference: String { "\(name):\(version)" }
}

public typealias TemplateID = Identifier<Template>

/// What a template says about the sandboxes made from it (a definition's `ENV`, `WORKDIR`, `USER`, `CMD` and
/// `HEALTHCHECK CMD`). A sandbox's own command and environment come first.
public struct TemplateConfig: Sendable, Equatable, Codable {
    public var environment: [String: String]
    /// An absolute path inside the template; nil: `/workspace`.
    public var workingDirectory: String?
    /// The user the definition's last steps ran as (`USER`); sandboxes run as the sandbox user whatever it says.
    public var user: String?
    /// What a sandbox made from it runs when it names no command; nil: it waits (`sleep infinity`) for work.
    public var command: [String]?
    /// Run inside a new sandbox until it exits 0 before the sandbox counts as running.
    public var readyCommand: [String]?

    public init(environment: [String: String] = [:], workingDirectory: String? = nil, user: String? = nil, command: [String]? = nil, readyCommand: [String]? = nil) {
        self.environment = environment
        self.workingDirectory = workingDirectory
        self.user = user
        self.command = command
        self.readyCommand = readyCommand
    }

    /// What a sandbox of a template runs when neither it nor its template names a command: nothing but waiting.
    public static let waitingCommand = ["/bin/sleep", "infinity"]
}
