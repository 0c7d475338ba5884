import Foundation
import GlobalStacksDomain
import GlobalStacksStore

/// Sandboxes of the caller's active tenant. Every member of the organization may run sandboxes in its tenants; each
/// counts against the quotas of the user who created it. A change stores a command for the agent in the same
/// transaction, and the store's notification wakes the dispatcher; the agent's answers move the sandbox on.
public struct SandboxService: Sendable {
    let store: any SandboxRepository & TemplateRepository
    let commandDeadline: TimeInterval
    private let placementAdvice: (any PlacementAdvice)?
    /// Mints the tokens that reach one sandbox (`SandboxService+Access`).
    let issuer: CredentialIssuer
    let stateWakeups: (any SandboxStateWakeups)?
    /// Warm pools: counting claims and misses, and waking the keeper after a claim.
    let poolCounter: (any WarmPoolCounter)?
    let poolWakeups: (any WarmPoolWakeups)?

    public init(
        store: any SandboxRepository & TemplateRepository, commandDeadline: TimeInterval, issuer: CredentialIssuer,
        placementAdvice: (any PlacementAdvice)? = nil, stateWakeups: (any SandboxStateWakeups)? = nil, poolCounter: (any WarmPoolCounter)? = nil,
        poolWakeups: (any WarmPoolWakeups)? = nil
    ) {
        self.poolCounter = poolCounter
        self.poolWakeups = poolWakeups
        self.store = store
        self.commandDeadline = commandDeadline
        self.issuer = issuer
        self.placementAdvice = placementAdvice
        self.stateWakeups = stateWakeups
    }

    public func sandboxes(_ filter: SandboxFilter, caller: Caller) async throws -> [Sandbox] {
        try await store.sandboxes(scope: try caller.activeTenant(), filter: filter)
    }

    /// Creates a sandbox; one of a template with a warm pool takes a waiting sandbox when one fits.
    public func create(_ requested: SandboxSpec, caller: Caller) async throws -> Sandbox {
        let scope = try caller.activeTenant()
        let (spec, template) = try await resolveTemplate(requested, scope)
        if let template, let claimed = try await claimWaiting(spec, template, caller: caller, scope) { return claimed }
        let now = Date()
        do {
            return try await store.createSandbox(
                spec, template: template?.id, createdBy: caller.user.id, scope: scope, commandDeadline: now.addingTimeInterval(commandDeadline), at: now
            ).sandbox
        } catch let error as DomainError {
            throw placementAdvice?.explain(error) ?? error
        }
    }

    /// The sandbox, or 404 when it is not in the caller's active tenant.
    public func sandbox(_ id: SandboxID, caller: Caller) async throws -> Sandbox {
        guard let sandbox = try await store.sandbox(id: id, scope: try caller.activeTenant()) else {
            throw DomainError.notFound("No sandbox \(id) in the active tenant.")
        }
        return sandbox
    }

    /// Stop, hibernate or wake (409 when the sandbox's state does not allow it).
    public func request(_ request: SandboxRequest, _ id: SandboxID, caller: Caller) async throws -> Sandbox {
        let now = Date()
        return try await store.requestSandbox(
            request, id: id, scope: try caller.activeTenant(), commandDeadline: now.addingTimeInterval(commandDeadline), at: now
        ).sandbox
    }

    /// Terminates a stopped or failed sandbox (409 otherwise); its agent removes the workspace.
    public func delete(_ id: SandboxID, caller: Caller) async throws {
        let now = Date()
        _ = try await store.deleteSandbox(id: id, scope: try caller.activeTenant(), commandDeadline: now.addingTimeInterval(commandDeadline), at: now)
    }

    /// The commands the sandbox's changes sent its agent, oldest first.
    public func commands(_ id: SandboxID, caller: Caller) async throws -> [AgentCommand] {
        try await store.commands(sandboxID: id, scope: try caller.activeTenant())
    }
}
