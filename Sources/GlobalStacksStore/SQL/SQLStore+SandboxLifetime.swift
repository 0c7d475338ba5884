import Foundation
import GlobalStacksDomain
import SQLKit

/// A sandbox's lifetime: past `expires_at` it is stopped, then deleted, whatever it is doing. Removing a sandbox at
/// once (the E2B-compatible API's kill) is making it expire now.
extension SQLStore {
    public func setSandboxExpiry(id: SandboxID, expiresAt: Date, scope: TenantScope, at now: Date) async throws -> Sandbox {
        try await engine.transaction { database in
            guard var sandbox = try await self.sandbox(id, scope, lock: true, database) else { throw Self.noSandbox(id) }
            guard sandbox.state != .terminated, sandbox.expiresAt.map({ $0 > now }) ?? true else {
                throw DomainError.conflict("Sandbox \(id) has ended (its lifetime passed or it was deleted); create a new sandbox.")
            }
            sandbox.expiresAt = expiresAt.truncatedToStoredPrecision
            sandbox.lastActivityAt = now.truncatedToStoredPrecision
            try await database.raw("""
                UPDATE sandboxes SET expires_at = \(bind: expiresAt.storedMilliseconds), last_activity_at = \(bind: now.storedMilliseconds)
                WHERE id = \(bind: id.rawValue)
                """).run()
            return sandbox
        }
    }

    public func expireSandbox(id: SandboxID, scope: TenantScope, commandDeadline: Date, at now: Date) async throws -> SandboxChange? {
        try await engine.transaction { database in
            guard var sandbox = try await self.sandbox(id, scope, lock: true, database), sandbox.state != .terminated else { throw Self.noSandbox(id) }
            if sandbox.expiresAt.map({ $0 > now }) ?? true {
                sandbox.expiresAt = now.truncatedToStoredPrecision
                try await database.raw("UPDATE sandboxes SET expires_at = \(bind: now.storedMilliseconds) WHERE id = \(bind: id.rawValue)").run()
            }
            return try await self.endExpired(&sandbox, commandDeadline: commandDeadline, at: now, database)
        }
    }

    public func publicSandbox(_ scope: PublicPortScope) async throws -> Sandbox? {
        try await engine.read { database in
            try await database.raw("""
                SELECT \(unsafeRaw: Columns.sandbox) FROM sandboxes s WHERE s.id = \(bind: scope.sandboxID.rawValue) AND s.public_ports = 1
                """).first()?.sandbox()
        }
    }

    public func reconcileExpiredSandboxes(commandDeadline: Date, at now: Date) async throws -> [SandboxChange] {
        try await engine.transaction { database in
            let expired = try await database.raw("""
                SELECT \(unsafeRaw: Columns.sandbox) FROM sandboxes s
                WHERE s.expires_at IS NOT NULL AND s.expires_at <= \(bind: now.storedMilliseconds)
                    AND s.state IN ('running', 'hibernated', 'stopped', 'failed')
                ORDER BY s.expires_at LIMIT 100\(unsafeRaw: self.engine.skipLockedClause)
                """).all().map { try $0.sandbox() }
            var changes: [SandboxChange] = []
            for var sandbox in expired {
                if let change = try await self.endExpired(&sandbox, commandDeadline: commandDeadline, at: now, database) { changes.append(change) }
            }
            return changes
        }
    }

    /// The next step of an expired sandbox: a process that runs or is frozen is stopped; a sandbox without one is
    /// deleted. A sandbox between states (starting, stopping, …) is left to the next round.
    private func endExpired(_ sandbox: inout Sandbox, commandDeadline: Date, at now: Date, _ database: any SQLDatabase) async throws -> SandboxChange? {
        let action: AgentCommandAction
        switch sandbox.state {
        case .running, .hibernated:
            sandbox.move(to: .stopping, at: now.truncatedToStoredPrecision)
            action = .stopSession
        case .stopped, .failed:
            sandbox.move(to: .terminated, at: now.truncatedToStoredPrecision)
            // As a deletion does: environment values may be secrets.
            try await database.raw("UPDATE sandboxes SET environment = '{}' WHERE id = \(bind: sandbox.id.rawValue)").run()
            action = .deleteSession
        case .pending, .starting, .hibernating, .waking, .stopping, .terminated:
            return nil
        }
        try await writeState(of: sandbox, database)
        let command = try await insertCommand(action, for: sandbox, deadline: commandDeadline, at: now, database)
        return SandboxChange(sandbox: sandbox, command: command)
    }
}
