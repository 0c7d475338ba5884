import Foundation
import GlobalStacksDomain
import SQLKit

extension SQLStore: ExecHistoryRepository {
    public func recordExecStart(_ record: ExecRecord, scope: TenantScope) async throws {
        try await engine.transaction { database in
            guard try await self.sandbox(record.sandboxID, scope, lock: false, database) != nil else { throw Self.noSandbox(record.sandboxID) }
            try await database.raw("""
                INSERT INTO sandbox_execs (id, sandbox_id, tenant_id, organization_id, user_id, command, working_directory, started_at)
                VALUES (\(bind: record.id.rawValue), \(bind: record.sandboxID.rawValue), \(bind: scope.tenantID.rawValue),
                    \(bind: scope.organizationID.rawValue), \(bind: record.userID.rawValue), \(bind: JSONColumn.encode(record.command)),
                    \(bind: record.workingDirectory), \(bind: record.startedAt.storedMilliseconds))
                """).run()
            // Bounded per sandbox: entries older than the newest `keptPerSandbox` go.
            try await database.raw("""
                DELETE FROM sandbox_execs WHERE sandbox_id = \(bind: record.sandboxID.rawValue) AND id IN (
                    SELECT id FROM sandbox_execs WHERE sandbox_id = \(bind: record.sandboxID.rawValue)
                    ORDER BY started_at DESC, id DESC LIMIT 100 OFFSET \(bind: ExecRecord.keptPerSandbox))
                """).run()
        }
    }

    public func recordExecEnd(_ id: ExecRecordID, _ outcome: ExecOutcome, scope: TenantScope) async throws {
        try await engine.transaction { database in
            try await database.raw("""
                UPDATE sandbox_execs SET ended_at = \(bind: outcome.endedAt.storedMilliseconds), exit_code = \(bind: outcome.exitCode),
                    signal = \(bind: outcome.signal), timed_out_at = \(bind: outcome.timedOut ? outcome.endedAt.storedMilliseconds : nil),
                    duration_ms = \(bind: outcome.durationMilliseconds), error = \(bind: outcome.error)
                WHERE id = \(bind: id.rawValue) AND tenant_id = \(bind: scope.tenantID.rawValue) AND organization_id = \(bind: scope.organizationID.rawValue)
                """).run()
        }
    }

    public func execHistory(sandboxID: SandboxID, scope: TenantScope, limit: Int) async throws -> [ExecRecord] {
        try await engine.read { database in
            guard try await self.sandbox(sandboxID, scope, lock: false, database) != nil else { throw Self.noSandbox(sandboxID) }
            return try await database.raw("""
                SELECT \(unsafeRaw: Columns.exec) FROM sandbox_execs e
                WHERE e.sandbox_id = \(bind: sandboxID.rawValue) AND e.tenant_id = \(bind: scope.tenantID.rawValue)
                ORDER BY e.started_at DESC, e.id DESC LIMIT \(bind: max(1, min(limit, ExecRecord.keptPerSandbox)))
                """).all().map { try $0.execRecord() }
        }
    }
}

extension Columns {
    static let exec = "e.id AS e_id, e.sandbox_id AS e_sandbox_id, e.user_id AS e_user_id, e.command AS e_command, e.working_directory AS e_working_directory, e.started_at AS e_started_at, e.ended_at AS e_ended_at, e.exit_code AS e_exit_code, e.signal AS e_signal, e.timed_out_at AS e_timed_out_at, e.duration_ms AS e_duration_ms, e.error AS e_error"
}

extension SQLRow {
    func execRecord() throws -> ExecRecord {
        let outcome = try optionalDate("e_ended_at").map { endedAt in
            ExecOutcome(
                endedAt: endedAt, exitCode: try decode(column: "e_exit_code", as: Int?.self), signal: try optionalString("e_signal"),
                timedOut: try optionalDate("e_timed_out_at") != nil, durationMilliseconds: try decode(column: "e_duration_ms", as: Int?.self),
                error: try optionalString("e_error")
            )
        }
        return ExecRecord(
            id: try identifier("e_id"), sandboxID: try identifier("e_sandbox_id"), userID: try identifier("e_user_id"),
            command: try JSONColumn.decode([String].self, try string("e_command"), column: "sandbox_execs.command"),
            workingDirectory: try optionalString("e_working_directory"), startedAt: try date("e_started_at"), outcome: outcome
        )
    }
}
