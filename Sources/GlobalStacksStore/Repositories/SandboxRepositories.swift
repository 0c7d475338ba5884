import Foundation
import GlobalStacksDomain

/// A sandbox and the command that goes with a change to it, written in one transaction.
public struct SandboxChange: Sendable, Equatable {
    public let sandbox: Sandbox
    public let command: AgentCommand

    public init(sandbox: Sandbox, command: AgentCommand) {
        self.sandbox = sandbox
        self.command = command
    }
}

/// Sandboxes of a tenant. Every change that needs the agent stores its command in the same transaction, so a
/// crash never leaves a sandbox waiting for a command that does not exist.
public protocol SandboxRepository: Sendable {
    /// Places the sandbox (least loaded fitting agent), checks every quota that applies to `createdBy`, and stores
    /// the sandbox (`pending`) with its `start_session` command. Concurrent admissions are serialized per
    /// organization and per agent, so the last unit of a quota or of an agent's capacity is taken once.
    /// `template`: the template the sandbox starts from (resolved by the caller in the same scope); nil: the host's root.
    func createSandbox(
        _ spec: SandboxSpec, template: TemplateID?, createdBy: UserID, scope: TenantScope, commandDeadline: Date, at now: Date
    ) async throws -> SandboxChange
    /// The newest 1,000 sandboxes matching the filter; terminated ones only when the filter asks for them.
    func sandboxes(scope: TenantScope, filter: SandboxFilter) async throws -> [Sandbox]
    func sandbox(id: SandboxID, scope: TenantScope) async throws -> Sandbox?
    /// Stop, hibernate or wake: 409 when the state does not allow it. Wake admits quotas and capacity again
    /// (a hibernated sandbox holds neither).
    func requestSandbox(_ request: SandboxRequest, id: SandboxID, scope: TenantScope, commandDeadline: Date, at now: Date) async throws -> SandboxChange
    /// Terminates a stopped or failed sandbox (409 otherwise), with a `delete_session` command for its agent.
    func deleteSandbox(id: SandboxID, scope: TenantScope, commandDeadline: Date, at now: Date) async throws -> SandboxChange
    func commands(sandboxID: SandboxID, scope: TenantScope) async throws -> [AgentCommand]
    /// Moves the sandbox's end of life (409 once it ended).
    func setSandboxExpiry(id: SandboxID, expiresAt: Date, scope: TenantScope, at now: Date) async throws -> Sandbox
    /// Ends the sandbox's life now: stopped if its process runs or is frozen, then deleted (by the reconciler once it
    /// stopped); deleted at once if it has no process. nil while it is between states (the reconciler finishes it).
    func expireSandbox(id: SandboxID, scope: TenantScope, commandDeadline: Date, at now: Date) async throws -> SandboxChange?
    /// The sandbox by its id alone, only when its creator made its ports public (`SandboxSpec.publicPorts`): what
    /// anyone who knows the address may reach.
    func publicSandbox(_ scope: PublicPortScope) async throws -> Sandbox?
}

/// Who ran what in a sandbox through exec.
public protocol ExecHistoryRepository: Sendable {
    /// Records an exec as it starts (404 when the sandbox is not in the scope); the oldest entries past
    /// `ExecRecord.keptPerSandbox` are removed.
    func recordExecStart(_ record: ExecRecord, scope: TenantScope) async throws
    func recordExecEnd(_ id: ExecRecordID, _ outcome: ExecOutcome, scope: TenantScope) async throws
    /// The newest `limit` entries, newest first.
    func execHistory(sandboxID: SandboxID, scope: TenantScope, limit: Int) async throws -> [ExecRecord]
}

/// A command on its way to an agent, with the sandbox it acts on (the payload is built from it).
public struct CommandDelivery: Sendable, Equatable {
    public let command: AgentCommand
    public let sandbox: Sandbox
    /// The template the sandbox starts from (for `start_session`).
    public let template: Template?

    public init(command: AgentCommand, sandbox: Sandbox, template: Template? = nil) {
        self.command = command
        self.sandbox = sandbox
        self.template = template
    }
}

extension SandboxRepository {
    /// A sandbox of the host's root (no template).
    public func createSandbox(_ spec: SandboxSpec, createdBy: UserID, scope: TenantScope, commandDeadline: Date, at now: Date) async throws -> SandboxChange {
        try await createSandbox(spec, template: nil, createdBy: createdBy, scope: scope, commandDeadline: commandDeadline, at: now)
    }
}

/// What the gateway and the reconciler do with commands and agents' reports.
public protocol AgentCommandRepository: Sendable {
    /// Unfinished commands of the agent in the order they were issued (delivered again after a reconnect).
    func unfinishedCommands(agentID: AgentID) async throws -> [CommandDelivery]
    /// Commands not yet written to any connection, oldest first, at most `limit`.
    func pendingCommands(agentIDs: [AgentID], limit: Int) async throws -> [CommandDelivery]
    /// Records that the commands were written to the agent's connection at `now` (taken before writing, so that
    /// `sentAt` never follows the agent's answer).
    func markCommandsSent(_ ids: [AgentCommandID], at now: Date) async throws
    /// The agent's `ack`, `complete` and `failed`: move the command and its sandbox. A report about a command of
    /// another agent, or one already finished, changes nothing and returns nil.
    func recordCommandReport(_ report: CommandReport, agentID: AgentID, at now: Date) async throws -> AgentCommand?
    /// The agent's `status` report that a sandbox's process ended (`stopped` or `failed`); any other state, or an
    /// illegal move, is ignored (returns nil).
    func recordSandboxStatus(_ sandboxID: SandboxID, state: SandboxState, exitStatus: Int?, error: String?, agentID: AgentID, at now: Date) async throws -> Sandbox?
    /// An agent connected and listed the sandboxes it holds. Running or hibernated sandboxes of it that are not in
    /// the list, and did not change since `connectedAt`, lost their process (the agent restarted): they fail.
    /// Listed sandboxes that should have no process (stopped, failed, terminated: a stop that missed its deadline)
    /// get a stop command, unless one is under way. An incomplete list (the agent holds more than it may list)
    /// fails nothing.
    func reconcileAgentInventory(
        _ agentID: AgentID, holding sandboxIDs: Set<SandboxID>, complete: Bool, connectedAt: Date, commandDeadline: Date, at now: Date
    ) async throws -> InventoryReconciliation
    /// Fails unfinished commands past their deadline and moves their sandboxes with the reason.
    func failOverdueCommands(at now: Date) async throws -> [AgentCommand]
    /// Running sandboxes idle past their timeout get their idle action (stop or hibernate) as a command.
    func reconcileIdleSandboxes(commandDeadline: Date, at now: Date) async throws -> [SandboxChange]
    /// Sandboxes past their expiry: stopped if their process runs or is frozen, deleted once it is gone.
    func reconcileExpiredSandboxes(commandDeadline: Date, at now: Date) async throws -> [SandboxChange]
    /// Deletes sandboxes terminated before `cutoff` with their commands (at most 500 per call); returns how many.
    func pruneSandboxes(terminatedBefore cutoff: Date) async throws -> Int
}

/// What an agent's inventory changed.
public struct InventoryReconciliation: Sendable, Equatable {
    /// Sandboxes whose process the agent no longer has; now failed.
    public let lost: [Sandbox]
    /// Stop commands for processes the agent still runs although their sandbox ended.
    public let stops: [AgentCommand]
    /// Listed ids of no sandbox of this agent (pruned, or never known): nothing can be stored for them.
    public let unknown: [SandboxID]

    public init(lost: [Sandbox], stops: [AgentCommand], unknown: [SandboxID]) {
        self.lost = lost
        self.stops = stops
        self.unknown = unknown
    }
}

/// What an agent said about a command.
public enum CommandReport: Sendable, Equatable {
    case acknowledged(AgentCommandID)
    case completed(AgentCommandID)
    case failed(AgentCommandID, error: String)

    public var commandID: AgentCommandID {
        switch self {
        case .acknowledged(let id), .completed(let id), .failed(let id, _): id
        }
    }
}
