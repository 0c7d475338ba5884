import Foundation
import GlobalStacksDomain
import GlobalStacksStore

/// The active tenant's templates and builds. Every member builds (and saves sandboxes as templates); a template's
/// creator or an owner or admin deletes it; site operators and admins publish platform templates, which every tenant
/// sees. A build is an operation run through the start gate, executed on an agent; its record (with its log) answers
/// at once, `queued`, and tells how it goes.
public struct TemplateService: Sendable {
    let store: any TemplateRepository & SandboxRepository & PublishingRepository
    let gate: OperationGate
    let content: any ContentStore
    let commandDeadline: TimeInterval

    public init(store: any TemplateRepository & SandboxRepository & PublishingRepository, gate: OperationGate, content: any ContentStore, commandDeadline: TimeInterval) {
        self.store = store
        self.gate = gate
        self.content = content
        self.commandDeadline = commandDeadline
    }

    // MARK: Builds

    /// Checks the definition, records the build and starts its run.
    public func build(_ request: TemplateBuildRequest, caller: Caller) async throws -> TemplateBuild {
        let scope = try caller.activeTenant()
        try caller.require(.buildTemplates)
        let name = try Slug(validating: request.name, field: "name")
        if request.platform { try caller.require(.publishPlatformTemplates) }
        let definition = try Dockerfile.parse(request.definition)
        try await requireMayAddVersion(to: name, platform: request.platform, caller: caller, scope)
        if case .template(let reference) = definition.base, try await store.template(reference, scope) == nil {
            throw DomainError.notFound("FROM \(reference): no template of that name in the active tenant or the platform.")
        }
        let context = try request.contextDigest.map { try ContentDigest.parse($0, field: "contextDigest") }
        if definition.needsContext {
            guard let context else {
                throw DomainError.invalidInput("The definition copies files (COPY): upload the build context first and give its contextDigest.")
            }
            // A context this tenant uploaded: another tenant's (or a release's private artifact) is not its to copy from.
            guard try await store.contentKind(context, scope) == .buildContext, try await content.size(of: context) != nil else {
                throw DomainError.notFound("No build context \(context) uploaded in the active tenant; upload it first (PUT /v1/template-contexts).")
            }
        }
        let build = try await store.createTemplateBuild(TemplateBuild(
            id: .generate(), tenantID: scope.tenantID, name: name, platform: request.platform, kind: .build, status: .queued,
            definition: request.definition, contextDigest: context, sandboxID: nil, runID: nil, templateID: nil, steps: definition.steps.count,
            cachedSteps: 0, error: nil, createdBy: caller.user.id, createdAt: Date(), finishedAt: nil
        ), scope)
        return try await start(build, .templateBuild, surface: "buildTemplate", caller: caller)
    }

    /// A new version of a name whose newest version is someone else's needs an owner or admin: every create that
    /// names the template without a version would run the newer one.
    func requireMayAddVersion(to name: Slug, platform: Bool, caller: Caller, _ scope: TenantScope) async throws {
        guard !platform, !AccessPolicy.allows(.manageTemplates, caller.principal),
              let newest = try await store.template(.name(name, version: nil), scope), newest.tenantID == scope.tenantID,
              newest.createdBy != caller.user.id
        else { return }
        throw DomainError.forbidden("Template \(name) is someone else's; only its creator or an owner or admin adds versions to it. Choose another name.")
    }

    /// Starts the run of a recorded build; a refused start fails the build with the gate's words.
    func start(_ build: TemplateBuild, _ type: OperationTypeDefinition, surface: String, caller: Caller) async throws -> TemplateBuild {
        let scope = try caller.activeTenant()
        let outcome: StartOutcome
        do {
            outcome = try await gate.start(type, caller: caller, StartRequest(targetContext: ["buildId": build.id.rawValue], sourceSurface: surface))
        } catch {
            _ = try? await fail(build.id, reason: "The build could not start: \(error)", scope)
            throw error
        }
        guard outcome.status == .accepted || outcome.status == .deduped else {
            _ = try? await fail(build.id, reason: outcome.operatorMessage, scope)
            throw DomainError.forbidden(outcome.operatorMessage)
        }
        return try await store.updateTemplateBuild(id: build.id, log: nil, scope) { $0.runID = outcome.run.id }
    }

    private func fail(_ id: TemplateBuildID, reason: String, _ scope: TenantScope) async throws -> TemplateBuild {
        try await store.updateTemplateBuild(id: id, log: nil, scope) { build in
            guard !build.status.isFinished else { return }
            build.status = .failed
            build.error = reason
            build.finishedAt = Date()
        }
    }

    public func builds(caller: Caller) async throws -> [TemplateBuild] {
        try await store.templateBuilds(try caller.activeTenant())
    }

    public func build(_ id: String, caller: Caller) async throws -> TemplateBuild {
        guard let buildID = TemplateBuildID(path: id), let build = try await store.templateBuild(id: buildID, try caller.activeTenant()) else {
            throw DomainError.notFound("No template build \(id.prefix(64)) in the active tenant.")
        }
        return build
    }

    /// The build's log from byte `offset` on, with the build as it is now (a client follows a build by asking again
    /// from the offset it has read to, until the build is finished).
    public func log(_ id: String, from offset: Int, caller: Caller) async throws -> (TemplateBuild, String) {
        let build = try await self.build(id, caller: caller)
        guard offset >= 0 else { throw DomainError.invalidInput("offset must be 0 or more.") }
        return (build, try await store.templateBuildLog(id: build.id, from: offset, try caller.activeTenant()) ?? "")
    }

    // MARK: Templates

    public func templates(caller: Caller) async throws -> [Template] {
        try await store.templates(try caller.activeTenant())
    }

    public func template(_ reference: String, caller: Caller) async throws -> Template {
        let scope = try caller.activeTenant()
        guard let parsed = try TemplateReference.parse(reference) else {
            throw DomainError.notFound("'\(reference)' is the host's default root, not a stored template.")
        }
        guard let template = try await store.template(parsed, scope) else {
            throw DomainError.notFound("No template \(reference.prefix(80)) in the active tenant or the platform.")
        }
        return template
    }

    /// Deletes one version (or all) of a template; refused while sandboxes use it.
    public func delete(name: String, version: Int?, platform: Bool, caller: Caller) async throws -> [Template] {
        let scope = try caller.activeTenant()
        let slug = try Slug(validating: name, field: "name")
        if platform {
            try caller.require(.publishPlatformTemplates)
        } else if !AccessPolicy.allows(.manageTemplates, caller.principal) {
            // A member deletes only versions all of which they made (the store says 404 for none at all).
            let named = try await store.templates(scope).filter { $0.name == slug && !$0.isPlatform && (version == nil || $0.version == version) }
            if named.contains(where: { $0.createdBy != caller.user.id }) { try caller.require(.manageTemplates) }
        }
        let now = Date()
        return try await store.deleteTemplates(
            name: slug, version: version, platform: platform, scope, commandDeadline: now.addingTimeInterval(commandDeadline), at: now
        ).deleted
    }
}

/// A build as a client asks for it: the definition's text (a Dockerfile), the name, and the uploaded build context.
public struct TemplateBuildRequest: Sendable {
    public let name: String
    public let definition: String
    public let contextDigest: String?
    public let platform: Bool

    public init(name: String, definition: String, contextDigest: String?, platform: Bool) {
        self.name = name
        self.definition = definition
        self.contextDigest = contextDigest
        self.platform = platform
    }
}
