import Foundation
import GlobalStacksDomain
import GlobalStacksStore

extension SandboxService {
    /// The template a spec names (nil: the host's default root), and the spec with the template's command when it
    /// names none (a template without one waits for work).
    func resolveTemplate(_ spec: SandboxSpec, _ scope: TenantScope) async throws -> (SandboxSpec, Template?) {
        guard let text = spec.template, let reference = try TemplateReference.parse(text) else { return (spec, nil) }
        guard let template = try await store.template(reference, scope) else {
            throw DomainError.notFound("No template \(text.prefix(80)) in the active tenant or the platform; GET /v1/templates lists them.")
        }
        guard spec.command.isEmpty else { return (spec, template) }
        return (spec.running(template.config.command ?? TemplateConfig.waitingCommand), template)
    }

    /// A waiting sandbox of the template's warm pool, when one fits the spec.
    func claimWaiting(_ spec: SandboxSpec, _ template: Template, caller: Caller, _ scope: TenantScope) async throws -> Sandbox? {
        guard spec.region == nil, spec.clusterID == nil, spec.requiredCapabilities.isEmpty,
              try await store.warmPools(scope).contains(where: { $0.templateID == template.id })
        else { return nil }
        let claimed = try await store.claimPooledSandbox(templateID: template.id, spec, createdBy: caller.user.id, scope, at: Date())
        poolCounter?.count(claimed == nil ? .missed : .claimed, 1)
        if claimed != nil { poolWakeups?.poolClaimed() }
        return claimed
    }
}

/// Told when a warm pool's sandbox is claimed, so the keeper refills soon (the server's keeper).
public protocol WarmPoolWakeups: Sendable {
    func poolClaimed()
}

extension SandboxSpec {
    /// The same spec running `command`.
    func running(_ command: [String]) -> SandboxSpec {
        SandboxSpec(
            stored: name, template: template, command: command, cpu: cpu, memory: memory, storage: storage, environment: environment, labels: labels,
            network: network, idleTimeoutSeconds: idleTimeoutSeconds, idleAction: idleAction, region: region, clusterID: clusterID,
            requiredCapabilities: requiredCapabilities, lifetimeSeconds: lifetimeSeconds, publicPorts: publicPorts
        )
    }
}
