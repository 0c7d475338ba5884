import Foundation
import GlobalStacksDomain
import GlobalStacksStore

extension TemplateService {
    /// Saves a sandbox made from a template (its writable layer over its template, and its workspace) as the next
    /// version of `name`: a build of kind `snapshot`, run on the sandbox's agent.
    public func snapshot(_ sandboxID: SandboxID, name: String, caller: Caller) async throws -> TemplateBuild {
        let scope = try caller.activeTenant()
        try caller.require(.buildTemplates)
        let slug = try Slug(validating: name, field: "name")
        try await requireMayAddVersion(to: slug, platform: false, caller: caller, scope)
        guard let sandbox = try await store.sandbox(id: sandboxID, scope: scope) else {
            throw DomainError.notFound("No sandbox \(sandboxID) in the active tenant.")
        }
        try AccessPolicy.requireSandboxWork(caller.principal, on: sandbox)
        guard sandbox.templateID != nil else {
            throw DomainError.invalidInput("Sandbox \(sandboxID) runs on the host's default root, not a template; only a sandbox made from a template can be saved.")
        }
        guard [.running, .stopped, .hibernated].contains(sandbox.state) else {
            throw DomainError.conflict("Sandbox \(sandboxID) is \(sandbox.state.rawValue); a snapshot is taken of a running, hibernated or stopped sandbox.")
        }
        let build = try await store.createTemplateBuild(TemplateBuild(
            id: .generate(), tenantID: scope.tenantID, name: slug, platform: false, kind: .snapshot, status: .queued, definition: "",
            contextDigest: nil, sandboxID: sandbox.id, runID: nil, templateID: nil, steps: 0, cachedSteps: 0, error: nil,
            createdBy: caller.user.id, createdAt: Date(), finishedAt: nil
        ), scope)
        return try await start(build, .templateSnapshot, surface: "snapshotSandbox", caller: caller)
    }
}
