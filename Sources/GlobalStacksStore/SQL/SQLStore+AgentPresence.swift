import Foundation
import GlobalStacksDomain
import SQLKit

extension SQLStore: AgentPresenceRepository {
    public func agent(keyHash: String, at now: Date) async throws -> Agent? {
        try await engine.read { database in
            try await database.raw("""
                SELECT \(unsafeRaw: Columns.agent) FROM agents a
                WHERE (a.key_hash = \(bind: keyHash)
                        OR (a.previous_key_hash = \(bind: keyHash) AND a.previous_key_expires_at > \(bind: now.storedMilliseconds)))
                    AND a.revoked_at IS NULL
                """).first()?.agent()
        }
    }

    public func rotateAgentKey(presentedKeyHash: String, newKeyHash: String, newKeyPrefix: String, previousKeyValidUntil: Date, at now: Date) async throws -> Agent {
        try await engine.transaction { database in
            if let repeated = try await database.raw("""
                SELECT \(unsafeRaw: Columns.agent) FROM agents a
                WHERE a.previous_key_hash = \(bind: presentedKeyHash) AND a.key_hash = \(bind: newKeyHash) AND a.revoked_at IS NULL
                """).first()?.agent() {
                return repeated
            }
            guard let agent = try await database.raw("""
                SELECT \(unsafeRaw: Columns.agent) FROM agents a
                WHERE a.key_hash = \(bind: presentedKeyHash) AND a.revoked_at IS NULL\(unsafeRaw: self.engine.rowLockClause)
                """).first()?.agent()
            else { throw DomainError.unauthenticated("Only an agent's current, unrevoked key can be rotated.") }
            // A key some agent holds (current, or previous even past its grace period) would make key lookups ambiguous. The refusal is
            // the same whichever agent holds it, this one included, so it tells nothing about other agents.
            let unusable = DomainError.invalidInput("This newKey cannot be used; send no newKey to get a generated one, or propose a fresh random key.")
            let taken = try await database.raw("""
                SELECT 1 AS taken FROM agents WHERE key_hash = \(bind: newKeyHash) OR previous_key_hash = \(bind: newKeyHash)
                """).first()
            guard taken == nil else { throw unusable }
            do {
                try await database.raw("""
                    UPDATE agents SET previous_key_hash = key_hash, previous_key_expires_at = \(bind: previousKeyValidUntil.storedMilliseconds),
                        key_hash = \(bind: newKeyHash), key_prefix = \(bind: newKeyPrefix), key_created_at = \(bind: now.storedMilliseconds),
                        updated_at = \(bind: now.storedMilliseconds)
                    WHERE id = \(bind: agent.id.rawValue)
                    """).run()
            } catch where self.engine.isUniqueViolation(error) {
                throw unusable  // another rotation took the key between the check and the update
            }
            return try await database.raw("""
                SELECT \(unsafeRaw: Columns.agent) FROM agents a WHERE a.id = \(bind: agent.id.rawValue)
                """).first()!.agent()
        }
    }

    public func markAgentConnected(_ id: AgentID, connectionID: String, relayURL: String?, at now: Date) async throws {
        try await engine.transaction { database in
            try await database.raw("""
                UPDATE agents SET connectivity = 'online',
                    connection_id = \(bind: connectionID), relay_url = \(bind: relayURL),
                    last_heartbeat_at = \(bind: now.storedMilliseconds), key_last_used_at = \(bind: now.storedMilliseconds),
                    updated_at = \(bind: now.storedMilliseconds)
                WHERE id = \(bind: id.rawValue)
                """).run()
        }
    }

    public func agentConnection(ofSandbox id: SandboxID) async throws -> (agentID: AgentID, relayURL: String?)? {
        try await engine.read { database in
            guard let row = try await database.raw("""
                SELECT a.id AS agent_id, a.relay_url AS relay_url FROM sandboxes s JOIN agents a ON a.id = s.agent_id
                WHERE s.id = \(bind: id.rawValue) AND a.connectivity = 'online'
                """).first()
            else { return nil }
            return (try row.identifier("agent_id"), try row.optionalString("relay_url"))
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
