import Foundation
import GlobalStacksDomain
import GlobalStacksStore

/// Work inside the sandboxes of the caller's active tenant: exec (waiting, streaming, in the background), files
/// and output, through the sandbox's agent (`WorkspaceTransport`). Only the sandbox's creator and the
/// organization's owners and admins may (`AccessPolicy.requireSandboxWork`); every exec is recorded in the
/// sandbox's exec history.
public struct WorkspaceService: Sendable {
    let store: any SandboxRepository & ExecHistoryRepository
    let transport: any WorkspaceTransport
    /// Largest file an upload may write (the sandbox's storage limit applies as well).
    public let maximumFileBytes: Int64

    static let defaultTimeoutSeconds = 60.0
    static let defaultOutputLimitBytes = 1 << 20
    static let defaultOutputLines = 100
    public static let maximumOutputPieceBytes = 64 << 10
    static let maximumTimeoutSeconds = 3_600.0
    static let maximumProcessTimeoutSeconds = 7 * 86_400.0
    static let maximumOutputLimitBytes = 8 << 20
    static let maximumStdinBytes = 128 << 10
    static let maximumWords = 256
    static let maximumEnvironment = 64
    /// A streaming exec (an interactive command) runs this long unless it asks otherwise, and a day at most.
    static let defaultStreamTimeoutSeconds = 3_600.0
    public static let maximumStreamTimeoutSeconds = 86_400.0

    public init(store: any SandboxRepository & ExecHistoryRepository, transport: any WorkspaceTransport, maximumFileBytes: Int64) {
        self.store = store
        self.transport = transport
        self.maximumFileBytes = maximumFileBytes
    }

    /// The sandbox when the caller's active tenant holds it (404 otherwise): what decides whether another replica's
    /// workspace request is worth relaying.
    public func sandbox(_ id: SandboxID, caller: Caller) async throws -> Sandbox {
        let scope = try caller.activeTenant()
        guard let sandbox = try await store.sandbox(id: id, scope: scope) else { throw DomainError.notFound("No sandbox \(id) in the active tenant.") }
        return sandbox
    }

    /// The sandbox of the active tenant (404 otherwise), when the caller may work in it (403 otherwise) and, unless
    /// `running` is false, it runs (409 with what to do otherwise).
    func workableSandbox(_ id: SandboxID, caller: Caller, running: Bool = true) async throws -> WorkableSandbox {
        let scope = try caller.activeTenant()
        guard let sandbox = try await store.sandbox(id: id, scope: scope) else { throw DomainError.notFound("No sandbox \(id) in the active tenant.") }
        try AccessPolicy.requireSandboxWork(caller.principal, on: sandbox)
        if running { try sandbox.requireRunning() }
        return WorkableSandbox(sandbox: sandbox, scope: scope, caller: caller)
    }

    /// The sandbox's exec history, newest first.
    public func execHistory(of id: SandboxID, limit: Int, caller: Caller) async throws -> [ExecRecord] {
        let workable = try await workableSandbox(id, caller: caller, running: false)
        return try await store.execHistory(sandboxID: id, scope: workable.scope, limit: limit)
    }
}

/// A sandbox the caller may work in, as `WorkspaceService` found it (only the service makes one): what the
/// streaming exec decides before its upgrade and starts the command in after it.
public struct WorkableSandbox: Sendable {
    public let sandbox: Sandbox
    let scope: TenantScope
    let caller: Caller
}
