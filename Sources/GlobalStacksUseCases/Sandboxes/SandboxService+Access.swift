import Foundation
import GlobalStacksDomain
import GlobalStacksStore

/// A sandbox with the token that reaches it, as the client that created or connected to it gets it (once).
public struct SandboxHandle: Sendable {
    public let sandbox: Sandbox
    /// A `gsx_` token: the sandbox's processes, files and ports, as the person who asked, while the sandbox lives.
    public let accessToken: String
}

/// Sandboxes that clients hold by handle (the E2B-compatible API): each create and connect mints a token of its own,
/// and a sandbox lives until its expiry (`SandboxSpec.lifetimeSeconds`), which the client may move.
extension SandboxService {
    /// Creates the sandbox as `create` does (placement, quotas, the start gate of its tenant) and mints its first token.
    public func createHandle(_ spec: SandboxSpec, caller: Caller) async throws -> SandboxHandle {
        let sandbox = try await create(spec, caller: caller)
        return SandboxHandle(sandbox: sandbox, accessToken: try await issuer.issueSandboxAccess(to: sandbox, for: caller.user.id, at: Date()))
    }

    /// A new handle on a sandbox the caller may work in: a hibernated one is woken, and with `lifetimeSeconds` its
    /// expiry moves to that long from now.
    public func connect(_ id: SandboxID, lifetimeSeconds: Int?, caller: Caller) async throws -> SandboxHandle {
        var sandbox = try await workable(id, caller: caller)
        if let lifetimeSeconds { sandbox = try await setLifetime(id, seconds: lifetimeSeconds, caller: caller) }
        if sandbox.state == .hibernated { sandbox = try await request(.wake, id, caller: caller) }
        return SandboxHandle(sandbox: sandbox, accessToken: try await issuer.issueSandboxAccess(to: sandbox, for: caller.user.id, at: Date()))
    }

    /// Freezes the sandbox (hibernation), for the same callers as `connect`.
    public func pause(_ id: SandboxID, caller: Caller) async throws -> Sandbox {
        _ = try await workable(id, caller: caller)
        return try await request(.hibernate, id, caller: caller)
    }

    /// The sandbox now expires `seconds` from now (sooner or later than before).
    public func setLifetime(_ id: SandboxID, seconds: Int, caller: Caller) async throws -> Sandbox {
        try SandboxSpec.checkLifetime(seconds, field: "timeout")
        _ = try await workable(id, caller: caller)
        let now = Date()
        return try await store.setSandboxExpiry(id: id, expiresAt: now.addingTimeInterval(TimeInterval(seconds)), scope: try caller.activeTenant(), at: now)
    }

    /// Ends the sandbox now, whatever its state: stopped if its process runs or is frozen, then deleted.
    public func remove(_ id: SandboxID, caller: Caller) async throws {
        _ = try await workable(id, caller: caller)
        let now = Date()
        _ = try await store.expireSandbox(id: id, scope: try caller.activeTenant(), commandDeadline: now.addingTimeInterval(commandDeadline), at: now)
    }

    /// The sandbox when the caller may work in it: its creator, or an owner or admin of the organization.
    private func workable(_ id: SandboxID, caller: Caller) async throws -> Sandbox {
        let found = try await sandbox(id, caller: caller)
        guard found.state != .terminated else { throw DomainError.notFound("No sandbox \(id) in the active tenant.") }
        try AccessPolicy.requireSandboxWork(caller.principal, on: found)
        return found
    }
}
