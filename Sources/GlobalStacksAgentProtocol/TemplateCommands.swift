import Foundation

/// A template's root filesystem as an agent fetches it: a tar archive compressed with zstd, named by the SHA-256 of
/// the archive's bytes, at `path` (relative to the control plane's URL) with `token` (`Authorization: Bearer`), a
/// credential for that digest only. The agent checks the digest before it unpacks anything, and keeps the unpacked
/// root by digest for the next sandbox.
public struct TemplateArtifact: Sendable, Equatable, Codable {
    /// `sha256:<64 lowercase hex digits>` of the archive.
    public let digest: String
    public let sizeBytes: Int64
    public let path: String
    public let token: String

    public init(digest: String, sizeBytes: Int64, path: String, token: String) {
        self.digest = digest
        self.sizeBytes = sizeBytes
        self.path = path
        self.token = token
    }
}

/// Where an agent sends what it made (a built template, a snapshot): `PUT` of the archive's bytes to `path` (relative
/// to the control plane's URL) with `token` (`Authorization: Bearer`), valid for this build only. The control plane
/// answers `{"digest": …, "sizeBytes": …}`, the digest it computed itself.
public struct TemplateUpload: Sendable, Equatable, Codable {
    public let path: String
    public let token: String

    public init(path: String, token: String) {
        self.path = path
        self.token = token
    }
}

/// `build_template`: a workspace-style command (sent while its operation run waits, never stored) that builds a
/// template on this agent and uploads it. Its log (every step's command line and what the step printed) comes back as
/// `stdout` frames within the command's credit; it completes with a `TemplateBuildResult`. The base is a Debian release
/// bootstrapped with debootstrap, or an existing template; each step runs confined like a sandbox (its own namespaces,
/// the step's user seeing itself as `user`, network during the build), and each step's result is kept on the agent by
/// its `key`, so a later build with the same steps so far starts from the first step whose key differs.
public struct BuildTemplatePayload: Sendable, Equatable, Codable {
    /// The build (`tb_…`); also the command's "session" (commands about one build run one after another).
    public let buildId: String
    public let tenantId: String
    public let base: TemplateBase
    /// The cache key of the base (covers the release or the template's digest).
    public let baseKey: String
    public let steps: [TemplateBuildStep]
    /// The build context (a tar archive, gzip or zstd or plain) that `copy` steps take files from; nil: none uploaded.
    public let context: TemplateArtifact?
    public let upload: TemplateUpload
    /// `cpu` and `memory` (Kubernetes quantities) for each step's processes.
    public let resources: [String: String]
    /// How long the whole build may take; the agent ends it past that.
    public let timeoutSeconds: Int

    public init(
        buildId: String, tenantId: String, base: TemplateBase, baseKey: String, steps: [TemplateBuildStep], context: TemplateArtifact?,
        upload: TemplateUpload, resources: [String: String], timeoutSeconds: Int
    ) {
        self.buildId = buildId
        self.tenantId = tenantId
        self.base = base
        self.baseKey = baseKey
        self.steps = steps
        self.context = context
        self.upload = upload
        self.resources = resources
        self.timeoutSeconds = timeoutSeconds
    }

    /// Where a build on this agent gets Debian's packages by default.
    public static let defaultDebianMirror = "http://deb.debian.org/debian"
    /// The capability an agent announces when it can build templates (root, bubblewrap, debootstrap, zstd): the
    /// control plane sends builds to such agents first.
    public static let buildCapability = "templates.build"
}

/// What a template build starts from: exactly one of the two.
public struct TemplateBase: Sendable, Equatable, Codable {
    /// A Debian release (`bookworm`, `trixie`), bootstrapped with `debootstrap --variant=minbase`.
    public var debian: String?
    /// An existing template's root.
    public var template: TemplateArtifact?

    public init(debian: String? = nil, template: TemplateArtifact? = nil) {
        self.debian = debian
        self.template = template
    }
}

/// One step of a build that changes the filesystem: `run` (a shell command, `/bin/sh -c`) or `copy` (files of the
/// build context), in the environment, working directory and user that the definition's earlier `ENV`, `WORKDIR` and
/// `USER` set.
public struct TemplateBuildStep: Sendable, Equatable, Codable {
    /// `sha256:<hex>` over the base and every step up to this one (their instructions and, for copies, the context's
    /// digest): the name of this step's result in the agent's cache.
    public let key: String
    /// The definition's line, as the log shows it (`RUN apt-get install -y hello`).
    public let instruction: String
    public var run: String?
    public var copy: TemplateCopy?
    public let environment: [String: String]
    /// An absolute path inside the template.
    public let workingDirectory: String
    /// A user id or a name of the template's `/etc/passwd`; `root` unless `USER` said otherwise.
    public let user: String

    public init(key: String, instruction: String, run: String? = nil, copy: TemplateCopy? = nil, environment: [String: String], workingDirectory: String, user: String) {
        self.key = key
        self.instruction = instruction
        self.run = run
        self.copy = copy
        self.environment = environment
        self.workingDirectory = workingDirectory
        self.user = user
    }
}

/// `COPY <sources…> <destination>`: paths of the build context (relative, no `..`; a directory is copied with what it
/// holds) to a path of the template (relative to the step's working directory, or absolute).
public struct TemplateCopy: Sendable, Equatable, Codable {
    public let sources: [String]
    public let destination: String

    public init(sources: [String], destination: String) {
        self.sources = sources
        self.destination = destination
    }
}

/// How a build (or a snapshot) ended well: the archive the control plane received.
public struct TemplateBuildResult: Sendable, Equatable, Codable {
    public let digest: String
    public let sizeBytes: Int64
    /// Steps in the definition, and how many of them came from the agent's cache.
    public let steps: Int
    public let cachedSteps: Int

    public init(digest: String, sizeBytes: Int64, steps: Int, cachedSteps: Int) {
        self.digest = digest
        self.sizeBytes = sizeBytes
        self.steps = steps
        self.cachedSteps = cachedSteps
    }
}

/// `snapshot_session`: saves a sandbox's filesystem (its template's root with the sandbox's writable layer over it,
/// and its `/workspace`) as an archive like a built template's and uploads it. The sandbox is frozen while the archive
/// is written, and runs on afterwards; a stopped sandbox is saved as it was left. Completes with a
/// `TemplateBuildResult` (steps 0). Only a sandbox made from a template can be saved.
public struct SnapshotSessionPayload: Sendable, Equatable, Codable {
    public let sessionId: String
    public let upload: TemplateUpload

    public init(sessionId: String, upload: TemplateUpload) {
        self.sessionId = sessionId
        self.upload = upload
    }
}
