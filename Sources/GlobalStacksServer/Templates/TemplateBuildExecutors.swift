import Foundation
import GlobalStacksAgentProtocol
import GlobalStacksDomain
import GlobalStacksStore
import GlobalStacksUseCases
import Logging

/// `template.build`: sends the build's definition (its steps with their cache keys) to an agent of the tenant
/// (`build_template`), keeps the log the agent streams with the build, and records the archive the agent uploaded as
/// the next version of the template. Tried once; a failure is the build's, with the reason and the log kept.
struct TemplateBuildExecutor: OperationExecutor {
    let runner: TemplateRunner

    func execute(_ context: ExecutionContext) async throws -> [String: String] {
        let (build, scope) = try await runner.build(of: context)
        guard build.status == .queued else { return ["buildId": build.id.rawValue, "skipped": build.status.rawValue] }
        return try await runner.run(build, scope, context) { agent, upload in
            let definition = try Dockerfile.parse(build.definition)
            let base: TemplateBase
            let identity: String
            switch definition.base {
            case .debian(let release):
                base = TemplateBase(debian: release)
                identity = "debian:\(release)"
            case .template(let reference):
                guard let template = try await runner.store.template(reference, scope) else {
                    throw ExecutionError.permanent("FROM \(reference): the template is gone.")
                }
                base = TemplateBase(template: runner.artifact(template.digest, size: template.sizeBytes, for: build.id.rawValue))
                identity = template.digest.rawValue
            }
            let plan = TemplateBuildPlan(definition, baseIdentity: identity, context: build.contextDigest, tenant: scope.tenantID)
            let steps = zip(definition.steps, plan.stepKeys).map { step, key in
                var wire = TemplateBuildStep(
                    key: key, instruction: step.instruction, environment: step.environment, workingDirectory: step.workingDirectory, user: step.user
                )
                switch step.action {
                case .run(let command): wire.run = command
                case .copy(let sources, let destination): wire.copy = TemplateCopy(sources: sources, destination: destination)
                }
                return wire
            }
            let contextArtifact = try await build.contextDigest.asyncMap { digest in
                guard let size = try await runner.content.size(of: digest) else { throw ExecutionError.permanent("The build context \(digest) is no longer stored.") }
                return runner.artifact(digest, size: size, for: build.id.rawValue)
            }
            let payload = BuildTemplatePayload(
                buildId: build.id.rawValue, tenantId: scope.tenantID.rawValue, base: base, baseKey: plan.baseKey, steps: steps, context: contextArtifact,
                upload: upload, resources: ["cpu": "2", "memory": "4Gi"], timeoutSeconds: TemplateLimits.buildTimeoutSeconds
            )
            return (.buildTemplate(payload), definition.config)
        }
    }
}

/// `template.snapshot`: the sandbox's agent saves its filesystem (`snapshot_session`) and uploads it; the archive
/// becomes the next version of the template, with the sandbox's template's settings.
struct TemplateSnapshotExecutor: OperationExecutor {
    let runner: TemplateRunner

    func execute(_ context: ExecutionContext) async throws -> [String: String] {
        let (build, scope) = try await runner.build(of: context)
        guard build.status == .queued else { return ["buildId": build.id.rawValue, "skipped": build.status.rawValue] }
        guard let sandboxID = build.sandboxID, let sandbox = try await runner.store.sandbox(id: sandboxID, scope: scope) else {
            try await runner.fail(build, "The sandbox is gone.", log: nil, scope)
            throw ExecutionError.permanent("The sandbox of this snapshot is gone.")
        }
        let config = try await sandbox.templateID.asyncMap { try await runner.store.template(id: $0, scope)?.config } ?? nil
        return try await runner.run(build, scope, context, on: sandbox.agentID) { _, upload in
            (.snapshotSession(SnapshotSessionPayload(sessionId: sandboxID.rawValue, upload: upload)), config ?? TemplateConfig())
        }
    }
}

/// What both executors share: finding the build, choosing the agent, running the live command with its log, and
/// recording the outcome.
struct TemplateRunner: Sendable {
    let store: any TemplateRepository & SandboxRepository & AgentRepository
    let live: LiveCommands
    let connections: AgentConnections
    let grants: ArtifactGrants
    let content: any ContentStore
    /// How long an agent's grant to fetch or upload stays valid.
    static let grantLifetime: TimeInterval = 2 * 3_600

    func build(of context: ExecutionContext) async throws -> (TemplateBuild, TenantScope) {
        let scope = context.scope
        guard let id = context.run.targetContext["buildId"].flatMap(TemplateBuildID.init(path:)) else {
            throw ExecutionError.permanent("The run names no template build.")
        }
        let build = try await context.recordOfRun(missing: "The build of this run is not recorded yet.") {
            try await store.templateBuild(id: id, scope)
        }
        return (build, scope)
    }

    func artifact(_ digest: ContentDigest, size: Int64, for subject: String) -> TemplateArtifact {
        TemplateArtifact(
            digest: digest.rawValue, sizeBytes: size, path: TemplateContentEndpoint.archivePath(digest),
            token: grants.issueTemplate(subject: subject, digest: digest, expiresAt: Date().addingTimeInterval(Self.grantLifetime))
        )
    }

    /// A connected, approved agent of the tenant's clusters: one that says it builds templates first, the same one
    /// each time (its step cache then serves the next build).
    func chooseAgent(_ scope: TenantScope) async throws -> AgentID {
        let connected = Set(connections.connectedAgents)
        let agents = try await store.agents(visibleTo: .tenant(scope), clusterID: nil)
            .filter { $0.receivesWork && connected.contains($0.id) }.sorted { $0.id.rawValue < $1.id.rawValue }
        guard let agent = agents.first(where: { $0.capabilities.contains(BuildTemplatePayload.buildCapability) }) ?? agents.first else {
            throw ExecutionError.permanent("No agent of the tenant's clusters is connected to build on; an operator must connect one.")
        }
        return agent.id
    }

    func run(
        _ build: TemplateBuild, _ scope: TenantScope, _ context: ExecutionContext, on fixed: AgentID? = nil,
        command: (AgentID, TemplateUpload) async throws -> (CommandBody, TemplateConfig)
    ) async throws -> [String: String] {
        var log = TemplateBuildLogBuffer()
        do {
            let agent = if let fixed { fixed } else { try await chooseAgent(scope) }
            let upload = TemplateUpload(
                path: TemplateContentEndpoint.uploadPath(build.id), token: grants.issueUpload(build: build.id, expiresAt: Date().addingTimeInterval(Self.grantLifetime))
            )
            let (body, config) = try await command(agent, upload)
            _ = try await store.updateTemplateBuild(id: build.id, log: nil, scope) { $0.status = .running }
            guard let live = try await live.start(body, agent: agent) else {
                throw ExecutionError.permanent("The agent \(agent) is not connected to this server.")
            }
            context.logger.info("Template build started", metadata: ["build_id": "\(build.id)", "agent_id": "\(agent)", "kind": "\(build.kind.rawValue)"])
            // A cancelled run (its cancel, its deadline, shutdown) ends the build on the agent too.
            let result = try await withTaskCancellationHandler {
                try await follow(live, build, scope, log: &log)
            } onCancel: {
                Task { await live.cancel() }
            }
            guard let result, let digest = ContentDigest(result.digest), try await content.size(of: digest) == result.sizeBytes else {
                throw ExecutionError.permanent("The agent's archive did not reach the server whole.")
            }
            let (finished, template) = try await store.recordBuiltTemplate(
                build: build.id, digest: digest, sizeBytes: result.sizeBytes, config: config, steps: result.steps, cachedSteps: result.cachedSteps,
                log: log.text, scope, at: Date()
            )
            context.logger.info("Template recorded", metadata: ["build_id": "\(build.id)", "template": "\(template.reference)", "digest": "\(digest)"])
            return ["buildId": finished.id.rawValue, "templateId": template.id.rawValue, "version": "\(template.version)"]
        } catch {
            let reason = switch error {
            case ExecutionError.permanent(let reason), ExecutionError.transient(let reason): reason
            case let refusal as DomainError: refusal.message
            default: "\(error)"
            }
            log.append(line: "Build failed: \(reason)")
            try? await fail(build, reason, log: log.text, scope)
            throw ExecutionError.permanent(reason)
        }
    }

    /// The agent's log frames into the build's log (within their credit), until its result.
    private func follow(_ live: LiveCommand, _ build: TemplateBuild, _ scope: TenantScope, log: inout TemplateBuildLogBuffer) async throws -> TemplateBuildResult? {
        for await event in live.events {
            switch event {
            case .frame(let frame):
                log.append(frame.data)
                await live.grant(frame.data.count)
                if let text = log.due() { _ = try? await store.updateTemplateBuild(id: build.id, log: text, scope) { _ in } }
            case .credit:
                continue
            case .finished(.success(let complete)):
                return try complete.decodeResult(TemplateBuildResult.self)
            case .finished(.failure(let failed)):
                throw ExecutionError.permanent(failed.error)
            case .disconnected:
                throw ExecutionError.permanent("The agent disconnected during the build.")
            }
        }
        try Task.checkCancellation()
        return nil
    }

    func fail(_ build: TemplateBuild, _ reason: String, log: String?, _ scope: TenantScope) async throws {
        _ = try await store.updateTemplateBuild(id: build.id, log: log, scope) { build in
            guard !build.status.isFinished else { return }
            build.status = .failed
            build.error = reason
            build.finishedAt = Date()
        }
    }
}

extension Optional {
    func asyncMap<Mapped>(_ transform: (Wrapped) async throws -> Mapped) async rethrows -> Mapped? {
        guard let self else { return nil }
        return try await transform(self)
    }
}
