import Foundation

/// One build of a template from a definition, or one snapshot of a sandbox: an operation run on an agent whose log is
/// kept with it, ending in a new template version or a reason.
public struct TemplateBuild: Sendable, Equatable {
    public let id: TemplateBuildID
    public let tenantID: TenantID
    /// The name the template gets; a platform template when `platform` (site administrators only).
    public let name: Slug
    public let platform: Bool
    public let kind: Kind
    public var status: TemplateBuildStatus
    /// The definition as given (a Dockerfile); empty for a snapshot.
    public let definition: String
    /// The uploaded build context `COPY` takes files from.
    public let contextDigest: ContentDigest?
    /// The sandbox a snapshot saves.
    public let sandboxID: SandboxID?
    public var runID: OperationRunID?
    public var templateID: TemplateID?
    public var steps: Int
    public var cachedSteps: Int
    public var error: String?
    public let createdBy: UserID
    public let createdAt: Date
    public var finishedAt: Date?

    public enum Kind: String, Sendable, Codable, CaseIterable {
        case build
        case snapshot
    }

    public init(
        id: TemplateBuildID, tenantID: TenantID, name: Slug, platform: Bool, kind: Kind, status: TemplateBuildStatus, definition: String,
        contextDigest: ContentDigest?, sandboxID: SandboxID?, runID: OperationRunID?, templateID: TemplateID?, steps: Int, cachedSteps: Int,
        error: String?, createdBy: UserID, createdAt: Date, finishedAt: Date?
    ) {
        self.id = id
        self.tenantID = tenantID
        self.name = name
        self.platform = platform
        self.kind = kind
        self.status = status
        self.definition = definition
        self.contextDigest = contextDigest
        self.sandboxID = sandboxID
        self.runID = runID
        self.templateID = templateID
        self.steps = steps
        self.cachedSteps = cachedSteps
        self.error = error
        self.createdBy = createdBy
        self.createdAt = createdAt
        self.finishedAt = finishedAt
    }

    /// A build log keeps at most this much (its end, which says why a build failed, is kept).
    public static let maximumLogBytes = 1 << 20
}

public typealias TemplateBuildID = Identifier<TemplateBuild>

/// `queued → running → succeeded | failed`; a queued build may fail without running (its run was refused or gave up).
public enum TemplateBuildStatus: String, Sendable, Codable, CaseIterable {
    case queued
    case running
    case succeeded
    case failed

    private static let transitions: [TemplateBuildStatus: Set<TemplateBuildStatus>] = [
        .queued: [.running, .failed],
        .running: [.succeeded, .failed],
        .succeeded: [],
        .failed: [],
    ]

    public func canTransition(to next: TemplateBuildStatus) -> Bool {
        Self.transitions[self]?.contains(next) ?? false
    }

    public var isFinished: Bool { self == .succeeded || self == .failed }
}
