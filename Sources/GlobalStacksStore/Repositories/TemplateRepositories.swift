import Foundation
import GlobalStacksDomain

/// A tenant's templates (with the platform's, which every tenant sees), its builds with their logs, and its warm pools.
public protocol TemplateRepository: Sendable {
    /// Records a queued build; refused (403) past `TemplateLimits.concurrentBuildsPerTenant` builds under way.
    func createTemplateBuild(_ build: TemplateBuild, _ scope: TenantScope) async throws -> TemplateBuild
    func templateBuild(id: TemplateBuildID, _ scope: TenantScope) async throws -> TemplateBuild?
    /// The newest 100.
    func templateBuilds(_ scope: TenantScope) async throws -> [TemplateBuild]
    /// The build's log from byte `offset` on (nil: no such build).
    func templateBuildLog(id: TemplateBuildID, from offset: Int, _ scope: TenantScope) async throws -> String?
    /// Changes a build under a row lock; a status change must be legal (`change` checks it).
    func updateTemplateBuild(
        id: TemplateBuildID, log: String?, _ scope: TenantScope, _ change: @Sendable (inout TemplateBuild) throws -> Void
    ) async throws -> TemplateBuild
    /// Ends a build well: records its template as the next version of the build's name (refused past the tenant's
    /// template storage, and unless `digest` and `sizeBytes` are what the server received for the build) and the
    /// build `succeeded`, in one transaction.
    func recordBuiltTemplate(
        build id: TemplateBuildID, digest: ContentDigest, sizeBytes: Int64, config: TemplateConfig, steps: Int, cachedSteps: Int, log: String,
        _ scope: TenantScope, at now: Date
    ) async throws -> (TemplateBuild, Template)

    /// The tenant's templates and the platform's, newest version first per name; deleted ones left out.
    func templates(_ scope: TenantScope) async throws -> [Template]
    /// The tenant's template first, else the platform's: the newest version of a name, one version, or a digest.
    func template(_ reference: TemplateReference, _ scope: TenantScope) async throws -> Template?
    func template(id: TemplateID, _ scope: TenantScope) async throws -> Template?
    /// Bytes of the tenant's template archives (deleted ones no longer count).
    func templateStorageBytes(_ scope: TenantScope) async throws -> Int64
    /// Deletes a version (or every version) of one of the tenant's templates (or a platform one, `platform`); refused
    /// (409, naming them) while sandboxes that are not deleted use one. Waiting sandboxes of its pools are retired.
    func deleteTemplates(
        name: Slug, version: Int?, platform: Bool, _ scope: TenantScope, commandDeadline: Date, at now: Date
    ) async throws -> (deleted: [Template], retired: [SandboxChange])

    /// Declares (size > 0) or removes (0) the tenant's warm pool of a template.
    func setWarmPool(templateID: TemplateID, size: Int, by user: UserID, _ scope: TenantScope, at now: Date) async throws -> WarmPool?
    func warmPools(_ scope: TenantScope) async throws -> [WarmPool]
    /// Takes a waiting sandbox of the template's pool for `createdBy` (quota admitted now, as a create's), giving it
    /// the spec's name, labels, environment and lifetime; nil when none waits (the caller creates one as usual).
    func claimPooledSandbox(templateID: TemplateID, _ spec: SandboxSpec, createdBy: UserID, _ scope: TenantScope, at now: Date) async throws -> Sandbox?
}

/// What the warm-pool keeper uses: every pool, and the waiting sandboxes it starts and retires.
public protocol WarmPoolKeeping: Sendable {
    /// For every pool, on every approved agent of its tenant's clusters in `agents` (the connected ones): starts
    /// sandboxes until `size` wait or start there (as far as the agent has room), and retires waiting sandboxes that
    /// failed, ended, or are more than the pool asks for. Returns the changes (their commands are stored).
    func refillWarmPools(connectedAgents agents: [AgentID], commandDeadline: Date, at now: Date) async throws -> WarmPoolRefill
}

/// The upload of a build's archive, authorized by the build's grant (an agent's, not a person's): one upload per
/// running build, counted against its tenant's template storage.
public protocol TemplateUploads: Sendable {
    /// The bytes the build may upload (its tenant's template storage left, at most `TemplateLimits.archiveBytes`);
    /// refused (409) unless the build is running and has uploaded nothing yet.
    func templateUploadAllowance(build: TemplateBuildID) async throws -> Int64
    /// Keeps what the server received for the build (the first upload wins; a second is refused, 409).
    func recordTemplateUpload(build: TemplateBuildID, digest: ContentDigest, sizeBytes: Int64) async throws
}

/// What the sandbox reconciler does for builds: a build whose run ended without ending the build (its worker died,
/// the run passed its deadline), or that never got a run (its server stopped between the two), fails with that
/// reason, so it neither stays `running` nor holds one of its tenant's builds under way.
public protocol TemplateBuildReaping: Sendable {
    func failAbandonedTemplateBuilds(at now: Date) async throws -> Int
}

public struct WarmPoolRefill: Sendable {
    public let started: [SandboxChange]
    public let retired: [SandboxChange]

    public init(started: [SandboxChange], retired: [SandboxChange]) {
        self.started = started
        self.retired = retired
    }
}
