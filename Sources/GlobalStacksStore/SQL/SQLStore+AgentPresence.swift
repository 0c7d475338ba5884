import Foundation
import GlobalStacksDomain
import SQLKit

extension SQLStore: AgentPresenceRepository {
    public func agent(keyHash: String) async throws -> Agent? {
        try await engine.read { database in
            try await database.raw("""
                SELECT \(unsafeRaw: Columns.agent) FROM agents a WHERE a.key_hash = \(bind: keyHash) AND a.revoked_at IS NULL
                """).first()?.agent()
        }
    }

    public func markAgentConnected(_ id: AgentID, connectionID: String, at now: Date) async throws {
        try await engine.transaction { database in
            try await database.raw("""
                UPDATE agents SET connectivity = 'online',
                    connection_id = \(bind: connectionID),
                    last_heartbeat_at = \(bind: now.storedMilliseconds), key_last_used_at = \(bind: now.storedMilliseconds),
                    updated_at = \(bind: now.storedMilliseconds)
                WHERE id = \(bind: id.rawValue)
                """).run()
        }
    }

    public func recordHeartbeats(_ heartbeats: [AgentID: Date]) async throws {
        guard !heartbeats.isEmpty else { return }
        // One statement per 500 agents (1,000 parameters), in one lock order, in one transaction.
        let sorted = heartbeats.sorted { $0.key.rawValue < $1.key.rawValue }
        try await engine.transaction { database in
            for start in stride(from: 0, to: sorted.count, by: 500) {
                let chunk = sorted[start..<min(start + 500, sorted.count)]
                var rows = SQLQueryString("")
                for (index, (id, time)) in chunk.enumerated() {
                    rows.appendLiteral(index == 0 ? "" : ", ")
                    rows.appendInterpolation("(\(bind: id.rawValue), \(bind: time.storedMilliseconds))" as SQLQueryString)
                }
                try await database.raw("""
                    WITH beats (id, at_ms) AS (VALUES \(rows))
                    UPDATE agents SET last_heartbeat_at = beats.at_ms, connectivity = 'online'
                    FROM beats WHERE agents.id = beats.id AND agents.revoked_at IS NULL AND agents.connection_id IS NOT NULL
                    """).run()
            }
        }
    }

    public func markAgentDisconnected(_ id: AgentID, connectionID: String, at now: Date) async throws {
        try await engine.transaction { database in
            try await database.raw("""
                UPDATE agents SET connectivity = 'offline', connection_id = NULL, updated_at = \(bind: now.storedMilliseconds)
                WHERE id = \(bind: id.rawValue) AND connection_id = \(bind: connectionID)
                """).run()
        }
    }

    public func markSilentAgentsOffline(notHeardSince cutoff: Date, at now: Date) async throws -> [AgentID] {
        try await engine.transaction { database in
            try await database.raw("""
                UPDATE agents SET connectivity = 'offline', updated_at = \(bind: now.storedMilliseconds)
                WHERE connectivity <> 'offline' AND (last_heartbeat_at IS NULL OR last_heartbeat_at < \(bind: cutoff.storedMilliseconds))
                RETURNING id
                """).all().map { AgentID(rawValue: try $0.string("id")) }
        }
    }
}
