import Foundation
import GlobalStacksDomain
import SQLKit

extension SQLStore: ProviderConnectionRepository {
    /// Rows of the scope's tenant, and only while that tenant is in the scope's organization.
    private func inScope(_ scope: TenantScope) -> SQLQueryString {
        """
        p.tenant_id = \(bind: scope.tenantID.rawValue)
            AND p.tenant_id IN (SELECT id FROM tenants WHERE organization_id = \(bind: scope.organizationID.rawValue))
        """
    }

    public func providerConnections(_ scope: TenantScope) async throws -> [ProviderConnection] {
        try await engine.read { database in
            try await database.raw("""
                SELECT \(unsafeRaw: Columns.providerConnection) FROM provider_connections p
                WHERE \(self.inScope(scope)) AND p.status <> 'deleted' ORDER BY p.id LIMIT 1000
                """).all().map { try $0.providerConnection() }
        }
    }

    public func providerConnection(id: ProviderConnectionID, _ scope: TenantScope) async throws -> ProviderConnection? {
        try await engine.read { database in
            try await database.raw("""
                SELECT \(unsafeRaw: Columns.providerConnection) FROM provider_connections p
                WHERE p.id = \(bind: id.rawValue) AND \(self.inScope(scope))
                """).first()?.providerConnection()
        }
    }

    public func createProviderConnection(_ connection: NewProviderConnection, _ scope: TenantScope, at now: Date) async throws -> ProviderConnection {
        try await engine.transaction { database in
            if connection.isDefault {
                try await self.releaseDefault(provider: connection.provider, scope, database)
            }
            let row = try await self.uniquely("A \(connection.provider) connection named '\(connection.name)' already exists in this tenant; choose another name.") {
                try await database.raw("""
                    INSERT INTO provider_connections (tenant_id, provider, kind, name, status, external_account_id, credential_reference,
                        default_provider, metadata, created_at, updated_at)
                    VALUES (\(bind: scope.tenantID.rawValue), \(bind: connection.provider), \(bind: connection.kind), \(bind: connection.name),
                        \(bind: ProviderConnectionStatus.connected.rawValue), \(bind: connection.externalAccountID),
                        \(bind: connection.credentialReference), \(bind: connection.isDefault ? connection.provider : nil),
                        \(bind: JSONColumn.encode(connection.metadata)), \(bind: now.storedMilliseconds), \(bind: now.storedMilliseconds))
                    RETURNING id
                    """).first()
            }
            guard let row else { throw StoreError.corruptRow("provider_connections insert returned no id") }
            let id = ProviderConnectionID(rawValue: try row.decode(column: "id", as: Int64.self))
            guard let created = try await self.lockedConnection(id: id, scope, database) else {
                throw StoreError.corruptRow("provider_connections \(id) vanished after insert")
            }
            return created
        }
    }

    public func updateProviderConnection(id: ProviderConnectionID, _ scope: TenantScope, at now: Date, _ change: @Sendable (inout ProviderConnection) throws -> Void) async throws -> ProviderConnection {
        try await engine.transaction { database in
            guard var connection = try await self.lockedConnection(id: id, scope, database), connection.status != .deleted else {
                throw DomainError.notFound("No provider connection \(id) in the active tenant.")
            }
            let wasDefault = connection.isDefault
            try change(&connection)
            connection.updatedAt = now.truncatedToStoredPrecision
            if connection.isDefault && !wasDefault {
                try await self.releaseDefault(provider: connection.provider, scope, database)
            }
            try await self.uniquely("A \(connection.provider) connection named '\(connection.name)' already exists in this tenant; choose another name.") {
                try await database.raw("""
                    UPDATE provider_connections SET name = \(bind: connection.name), status = \(bind: connection.status.rawValue),
                        status_reason = \(bind: connection.statusReason), credential_reference = \(bind: connection.credentialReference),
                        default_provider = \(bind: connection.isDefault ? connection.provider : nil),
                        writes_paused_at = \(bind: connection.writesPaused ? now.storedMilliseconds : nil),
                        metadata = \(bind: JSONColumn.encode(connection.metadata)), updated_at = \(bind: now.storedMilliseconds)
                    WHERE id = \(bind: id.rawValue)
                    """).run()
            }
            return connection
        }
    }

    public func deleteProviderConnection(id: ProviderConnectionID, _ scope: TenantScope, at now: Date) async throws {
        try await engine.transaction { database in
            guard let connection = try await self.lockedConnection(id: id, scope, database), connection.status != .deleted else {
                throw DomainError.notFound("No provider connection \(id) in the active tenant.")
            }
            try await database.raw("""
                UPDATE provider_connections SET status = 'deleted', default_provider = NULL, updated_at = \(bind: now.storedMilliseconds)
                WHERE id = \(bind: connection.id.rawValue)
                """).run()
        }
    }

    public func replaceDirectoryGroups(connectionID: ProviderConnectionID, _ scope: TenantScope, groups: [DirectoryGroup], at now: Date) async throws -> (added: Int, updated: Int, removed: Int) {
        try await engine.transaction { database in
            guard try await self.lockedConnection(id: connectionID, scope, database) != nil else {
                throw DomainError.notFound("No provider connection \(connectionID) in the tenant.")
            }
            let existing = try await database.raw("""
                SELECT external_id, display_name FROM directory_groups WHERE provider_connection_id = \(bind: connectionID.rawValue)
                """).all().reduce(into: [String: String]()) { names, row in
                names[try row.string("external_id")] = try row.string("display_name")
            }
            var added = 0, updated = 0
            for group in groups {
                switch existing[group.externalID] {
                case nil:
                    added += 1
                    try await database.raw("""
                        INSERT INTO directory_groups (provider_connection_id, external_id, tenant_id, display_name, synced_at)
                        VALUES (\(bind: connectionID.rawValue), \(bind: group.externalID), \(bind: scope.tenantID.rawValue),
                            \(bind: group.displayName), \(bind: now.storedMilliseconds))
                        """).run()
                case let name? where name != group.displayName:
                    updated += 1
                    try await database.raw("""
                        UPDATE directory_groups SET display_name = \(bind: group.displayName), synced_at = \(bind: now.storedMilliseconds)
                        WHERE provider_connection_id = \(bind: connectionID.rawValue) AND external_id = \(bind: group.externalID)
                        """).run()
                case .some:
                    continue  // unchanged: no write
                }
            }
            let kept = Set(groups.map(\.externalID))
            let vanished = existing.keys.filter { !kept.contains($0) }
            for externalID in vanished {
                try await database.raw("""
                    DELETE FROM directory_groups WHERE provider_connection_id = \(bind: connectionID.rawValue) AND external_id = \(bind: externalID)
                    """).run()
            }
            return (added, updated, vanished.count)
        }
    }

    public func directoryGroups(connectionID: ProviderConnectionID, _ scope: TenantScope) async throws -> [DirectoryGroup] {
        try await engine.read { database in
            try await database.raw("""
                SELECT g.external_id, g.display_name FROM directory_groups g
                JOIN provider_connections p ON p.id = g.provider_connection_id
                WHERE g.provider_connection_id = \(bind: connectionID.rawValue) AND \(self.inScope(scope))
                ORDER BY g.external_id
                """).all().map { DirectoryGroup(externalID: try $0.string("external_id"), displayName: try $0.string("display_name")) }
        }
    }

    private func lockedConnection(id: ProviderConnectionID, _ scope: TenantScope, _ database: any SQLDatabase) async throws -> ProviderConnection? {
        try await database.raw("""
            SELECT \(unsafeRaw: Columns.providerConnection) FROM provider_connections p
            WHERE p.id = \(bind: id.rawValue) AND \(inScope(scope))\(unsafeRaw: engine.rowLockClause)
            """).first()?.providerConnection()
    }

    private func releaseDefault(provider: String, _ scope: TenantScope, _ database: any SQLDatabase) async throws {
        try await database.raw("""
            UPDATE provider_connections SET default_provider = NULL
            WHERE tenant_id = \(bind: scope.tenantID.rawValue) AND default_provider = \(bind: provider)
            """).run()
    }
}
