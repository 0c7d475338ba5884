import Foundation
import GlobalStacksDomain
import SQLKit

extension SQLStore: AgentCommandRepository {
    public func unfinishedCommands(agentID: AgentID) async throws -> [CommandDelivery] {
        try await engine.read { database in
            try await database.raw("""
                SELECT \(unsafeRaw: Columns.command), \(unsafeRaw: Columns.sandbox), \(unsafeRaw: Columns.template)
                FROM agent_commands c JOIN sandboxes s ON s.id = c.sandbox_id LEFT JOIN templates t ON t.id = s.template_id
                WHERE c.agent_id = \(bind: agentID.rawValue) AND c.status IN ('pending', 'sent', 'ack')
                ORDER BY c.created_at, c.id LIMIT 10000
                """).all().map { CommandDelivery(command: try $0.agentCommand(), sandbox: try $0.sandbox(), template: try $0.optionalTemplate()) }
        }
    }

    public func pendingCommands(agentIDs: [AgentID], limit: Int) async throws -> [CommandDelivery] {
        guard !agentIDs.isEmpty else { return [] }
        return try await engine.read { database in
            try await database.raw("""
                SELECT \(unsafeRaw: Columns.command), \(unsafeRaw: Columns.sandbox), \(unsafeRaw: Columns.template)
                FROM agent_commands c JOIN sandboxes s ON s.id = c.sandbox_id LEFT JOIN templates t ON t.id = s.template_id
                WHERE c.status = 'pending' AND c.agent_id IN (\(binds: agentIDs.map(\.rawValue)))
                ORDER BY c.created_at, c.id LIMIT \(literal: limit)
                """).all().map { CommandDelivery(command: try $0.agentCommand(), sandbox: try $0.sandbox(), template: try $0.optionalTemplate()) }
        }
    }

    public func markCommandsSent(_ ids: [AgentCommandID], at now: Date) async throws {
        guard !ids.isEmpty else { return }
        try await engine.transaction { database in
            // A redelivered command keeps its status (an acknowledged one stays `ack`); the count and time record it.
            // The agent may have answered before this is written: a finished command only counts the delivery.
            try await database.raw("""
                UPDATE agent_commands SET status = CASE WHEN status = 'pending' THEN 'sent' ELSE status END,
                    sent_at = CASE WHEN status IN ('pending', 'sent', 'ack') THEN \(bind: now.storedMilliseconds)
                        ELSE COALESCE(sent_at, \(bind: now.storedMilliseconds)) END,
                    deliveries = deliveries + 1
                WHERE id IN (\(binds: ids.map(\.rawValue)))
                """).run()
        }
    }

    public func recordCommandReport(_ report: CommandReport, agentID: AgentID, at now: Date) async throws -> AgentCommand? {
        try await engine.transaction { database in
            guard var command = try await database.raw("""
                SELECT \(unsafeRaw: Columns.command) FROM agent_commands c
                WHERE c.id = \(bind: report.commandID.rawValue) AND c.agent_id = \(bind: agentID.rawValue)\(unsafeRaw: self.engine.rowLockClause)
                """).first()?.agentCommand()
            else { return nil }
            let next: AgentCommandStatus = switch report {
            case .acknowledged: .ack
            case .completed: .completed
            case .failed: .failed
            }
            // A repeated or late answer (already acknowledged, already finished) changes nothing.
            guard command.status.canTransition(to: next) else { return nil }
            let stamp = now.truncatedToStoredPrecision
            var sandbox = try await self.lockedSandbox(command.sandboxID, database)
            switch report {
            case .acknowledged:
                command.status = .ack
                command.acknowledgedAt = stamp
                if let state = command.action.acknowledgedState, sandbox?.state == .pending { sandbox?.move(to: state, at: stamp) }
            case .completed:
                command.status = .completed
                command.acknowledgedAt = command.acknowledgedAt ?? stamp
                command.completedAt = stamp
                self.settle(&sandbox, after: command.action, to: command.action.completedState, error: nil, at: stamp)
            case .failed(_, let error):
                command.status = .failed
                command.completedAt = stamp
                command.errorMessage = String(error.prefix(2_000))
                self.settle(&sandbox, after: command.action, to: command.action.failedState, error: "The agent could not \(command.action.verb) the sandbox: \(command.errorMessage ?? "")", at: stamp)
            }
            try await self.writeStatus(of: command, database)
            if let sandbox {
                try await self.writeState(of: sandbox, database)
                try await self.engine.notify(.sandboxes, in: database)
            }
            return command
        }
    }

    public func recordSandboxStatus(_ sandboxID: SandboxID, state: SandboxState, exitStatus: Int?, error: String?, agentID: AgentID, at now: Date) async throws -> Sandbox? {
        guard state.isReportedByAgents else { return nil }
        return try await engine.transaction { database in
            guard var sandbox = try await self.lockedSandbox(sandboxID, database), sandbox.agentID == agentID,
                  sandbox.move(to: state, at: now.truncatedToStoredPrecision, error: error.map { String($0.prefix(2_000)) })
            else { return nil }
            if let exitStatus { sandbox.exitStatus = exitStatus }
            try await self.writeState(of: sandbox, database)
            try await self.engine.notify(.sandboxes, in: database)
            return sandbox
        }
    }

    public func reconcileAgentInventory(
        _ agentID: AgentID, holding sandboxIDs: Set<SandboxID>, complete: Bool, connectedAt: Date, commandDeadline: Date, at now: Date
    ) async throws -> InventoryReconciliation {
        try await engine.transaction { database in
            let candidates = complete ? try await database.raw("""
                SELECT \(unsafeRaw: Columns.sandbox), (SELECT a.name FROM agents a WHERE a.id = s.agent_id) AS agent_name FROM sandboxes s
                WHERE s.agent_id = \(bind: agentID.rawValue) AND s.state IN ('running', 'hibernated')
                    AND s.state_changed_at < \(bind: connectedAt.storedMilliseconds)\(unsafeRaw: self.engine.rowLockClause)
                """).all() : []
            var lost: [Sandbox] = []
            for row in candidates {
                var sandbox = try row.sandbox()
                guard !sandboxIDs.contains(sandbox.id) else { continue }
                let reason = "Agent '\(try row.string("agent_name"))' restarted and no longer runs this sandbox; its process is gone. Delete it and create a new one."
                sandbox.move(to: .failed, at: now.truncatedToStoredPrecision, error: reason)
                try await self.writeState(of: sandbox, database)
                lost.append(sandbox)
            }
            var stops: [AgentCommand] = []
            var unknown: [SandboxID] = []
            if !sandboxIDs.isEmpty {
                let listed = try await database.raw("""
                    SELECT \(unsafeRaw: Columns.sandbox),
                        (SELECT COUNT(*) FROM agent_commands c WHERE c.sandbox_id = s.id AND c.action = 'stop_session'
                            AND c.status IN ('pending', 'sent', 'ack')) AS stops_under_way
                    FROM sandboxes s
                    WHERE s.agent_id = \(bind: agentID.rawValue) AND s.id IN (\(binds: sandboxIDs.map(\.rawValue)))\(unsafeRaw: self.engine.rowLockClause)
                    """).all()
                var known = Set<SandboxID>()
                for row in listed {
                    let sandbox = try row.sandbox()
                    known.insert(sandbox.id)
                    if sandbox.state.hasNoProcess, try row.decode(column: "stops_under_way", as: Int64.self) == 0 {
                        stops.append(try await self.insertCommand(.stopSession, for: sandbox, deadline: commandDeadline, at: now, database))
                    }
                }
                unknown = sandboxIDs.subtracting(known).sorted { $0.rawValue < $1.rawValue }
            }
            return InventoryReconciliation(lost: lost, stops: stops, unknown: unknown)
        }
    }

    public func failOverdueCommands(at now: Date) async throws -> [AgentCommand] {
        try await engine.transaction { database in
            // Only the commands are locked (the agent's name and presence are read, not locked).
            let rows = try await database.raw("""
                SELECT \(unsafeRaw: Columns.command), (SELECT a.name FROM agents a WHERE a.id = c.agent_id) AS agent_name,
                    (SELECT a.connectivity FROM agents a WHERE a.id = c.agent_id) AS agent_connectivity
                FROM agent_commands c
                WHERE c.status IN ('pending', 'sent', 'ack') AND c.deadline_at < \(bind: now.storedMilliseconds)
                ORDER BY c.deadline_at LIMIT 500\(unsafeRaw: self.engine.skipLockedClause)
                """).all()
            let stamp = now.truncatedToStoredPrecision
            var failed: [AgentCommand] = []
            for row in rows {
                var command = try row.agentCommand()
                let agent = try row.string("agent_name")
                let offline = try row.string("agent_connectivity") == AgentConnectivity.offline.rawValue
                let reason = offline
                    ? "Agent '\(agent)' stayed offline past the command's deadline, so the \(command.action.verb) did not happen; start the agent again, then retry."
                    : "Agent '\(agent)' did not finish the \(command.action.verb) before the command's deadline; check the agent's log, then retry."
                command.status = .failed
                command.completedAt = stamp
                command.errorMessage = reason
                var sandbox = try await self.lockedSandbox(command.sandboxID, database)
                self.settle(&sandbox, after: command.action, to: command.action.failedState, error: reason, at: stamp)
                try await self.writeStatus(of: command, database)
                if let sandbox { try await self.writeState(of: sandbox, database) }
                failed.append(command)
            }
            return failed
        }
    }

    public func reconcileIdleSandboxes(commandDeadline: Date, at now: Date) async throws -> [SandboxChange] {
        try await engine.transaction { database in
            let idle = try await database.raw("""
                SELECT \(unsafeRaw: Columns.sandbox) FROM sandboxes s
                WHERE s.state = 'running' AND s.idle_timeout_seconds IS NOT NULL
                    AND s.last_activity_at + s.idle_timeout_seconds * 1000 < \(bind: now.storedMilliseconds)
                ORDER BY s.last_activity_at LIMIT 100\(unsafeRaw: self.engine.skipLockedClause)
                """).all().map { try $0.sandbox() }
            var changes: [SandboxChange] = []
            for var sandbox in idle {
                let request: SandboxRequest = sandbox.spec.idleAction == .hibernate ? .hibernate : .stop
                sandbox.move(to: try request.transitionalState(from: sandbox.state), at: now.truncatedToStoredPrecision)
                try await self.writeState(of: sandbox, database)
                let command = try await self.insertCommand(request.action, for: sandbox, deadline: commandDeadline, at: now, database)
                changes.append(SandboxChange(sandbox: sandbox, command: command))
            }
            return changes
        }
    }

    // MARK: - Helpers

    /// Moves the sandbox after a command finished, when that still fits: a start that finishes after a stop was
    /// requested leaves the sandbox stopping. A start finished without an `ack` passes through `starting`.
    private func settle(_ sandbox: inout Sandbox?, after action: AgentCommandAction, to state: SandboxState, error: String?, at now: Date) {
        guard var current = sandbox else { return }
        if let acknowledged = action.acknowledgedState, current.state == .pending, state != .failed {
            current.move(to: acknowledged, at: now)
        }
        current.move(to: state, at: now, error: error)
        sandbox = current
    }

    private func lockedSandbox(_ id: SandboxID, _ database: any SQLDatabase) async throws -> Sandbox? {
        try await database.raw("""
            SELECT \(unsafeRaw: Columns.sandbox) FROM sandboxes s WHERE s.id = \(bind: id.rawValue)\(unsafeRaw: engine.rowLockClause)
            """).first()?.sandbox()
    }

    private func writeStatus(of command: AgentCommand, _ database: any SQLDatabase) async throws {
        try await database.raw("""
            UPDATE agent_commands SET status = \(bind: command.status.rawValue), error_message = \(bind: command.errorMessage),
                acknowledged_at = \(bind: command.acknowledgedAt.storedMilliseconds), completed_at = \(bind: command.completedAt.storedMilliseconds)
            WHERE id = \(bind: command.id.rawValue)
            """).run()
    }
}
