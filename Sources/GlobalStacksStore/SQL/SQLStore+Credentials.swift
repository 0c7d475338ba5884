import Foundation
import GlobalStacksDomain
import SQLKit

extension SQLStore: CredentialAuthority, AccountRepository {
    public func createCredential(_ new: NewCredential, at now: Date) async throws -> Credential {
        let id = CredentialID.generate()
        let time = now.storedMilliseconds
        try await engine.transaction { database in
            try await database.raw("""
                INSERT INTO credentials (id, kind, user_id, token_hash, token_prefix, name, active_organization_id, active_tenant_id,
                                         created_at, last_used_at, expires_at, permissions, sandbox_id)
                VALUES (\(bind: id.rawValue), \(bind: new.kind.rawValue), \(bind: new.userID.rawValue), \(bind: new.tokenHash),
                        \(bind: new.tokenPrefix), \(bind: new.name), \(bind: new.activeOrganizationID.rawValue), \(bind: new.activeTenantID?.rawValue),
                        \(bind: time), \(bind: time), \(bind: new.expiresAt.storedMilliseconds),
                        \(bind: new.permissions.map { JSONColumn.encode($0.map(\.rawValue).sorted()) }), \(bind: new.sandboxID?.rawValue))
                """).run()
            if let sandboxID = new.sandboxID {
                // Each handle on a sandbox gets a token of its own; the oldest beyond the newest 20 stop working.
                try await database.raw("""
                    DELETE FROM credentials WHERE sandbox_id = \(bind: sandboxID.rawValue) AND id NOT IN (
                        SELECT id FROM credentials WHERE sandbox_id = \(bind: sandboxID.rawValue) ORDER BY created_at DESC, id DESC LIMIT 20)
                    """).run()
            }
        }
        return Credential(
            id: id, kind: new.kind, userID: new.userID, name: new.name, tokenPrefix: new.tokenPrefix,
            createdAt: now.truncatedToStoredPrecision, lastUsedAt: now.truncatedToStoredPrecision,
            expiresAt: new.expiresAt?.truncatedToStoredPrecision, revokedAt: nil, permissions: new.permissions,
            sandboxID: new.sandboxID
        )
    }

    public func revokeIssuedCredential(id: CredentialID, at now: Date) async throws {
        try await engine.transaction { database in
            try await database.raw("""
                UPDATE credentials SET revoked_at = \(bind: now.storedMilliseconds) WHERE id = \(bind: id.rawValue) AND revoked_at IS NULL
                """).run()
        }
    }

    /// One prepared query (`PrincipalByToken`) resolves the credential, its user, the active organization and tenant.
    public func principal(tokenHash: String, kind: Credential.Kind) async throws -> Principal? {
        guard let row = try await engine.readHot(PrincipalByToken.self, binds: [tokenHash, kind.rawValue]).first else { return nil }
        let user = try row.user()
        let credential = try row.credential()
        if try row.optionalString("o_id") != nil {
            let organization = OrganizationMembershipView(organization: try row.organization(), role: try row.enumValue("m_role"))
            let tenant = try row.optionalString("t_id") != nil ? try row.tenant() : nil
            return Principal(user: user, credential: credential, organization: organization, tenant: tenant)
        }
        // The selected organization is gone or the user left it: fall back to the personal organization.
        guard let personal = try await engine.read({ database in
            try await self.membership(userID: user.id, organizationID: user.personalOrganizationID, in: database)
        }) else {
            return nil
        }
        return Principal(user: user, credential: credential, organization: personal, tenant: nil)
    }

    public func touchCredential(id: CredentialID, at now: Date) async throws {
        try await engine.transaction { database in
            try await database.raw("""
                UPDATE credentials SET last_used_at = \(bind: now.storedMilliseconds)
                WHERE id = \(bind: id.rawValue) AND last_used_at < \(bind: now.storedMilliseconds)
                """).run()
        }
    }

    public func revokeCredential(id: CredentialID, kind: Credential.Kind, _ account: AccountScope, at now: Date) async throws -> Bool {
        let userID = account.userID
        return try await engine.transaction { database in
            try await database.raw("""
                UPDATE credentials SET revoked_at = \(bind: now.storedMilliseconds)
                WHERE id = \(bind: id.rawValue) AND kind = \(bind: kind.rawValue) AND user_id = \(bind: userID.rawValue) AND revoked_at IS NULL
                RETURNING id
                """).first() != nil
        }
    }

    public func apiKeys(_ account: AccountScope) async throws -> [Credential] {
        let userID = account.userID
        return try await engine.read { database in
            try await database.raw("""
                SELECT \(unsafeRaw: Columns.credential) FROM credentials c
                WHERE c.user_id = \(bind: userID.rawValue) AND c.kind = 'api_key' ORDER BY c.created_at, c.id
                """).all().map { try $0.credential() }
        }
    }

    public func activateOrganization(_ scope: OrganizationScope, _ account: AccountScope) async throws {
        let (organizationID, credentialID) = (scope.organizationID, account.credentialID)
        try await engine.transaction { database in
            try await database.raw("""
                UPDATE credentials SET active_organization_id = \(bind: organizationID.rawValue),
                    active_tenant_id = (
                        SELECT r.tenant_id FROM remembered_tenants r
                        JOIN tenants t ON t.id = r.tenant_id AND t.organization_id = r.organization_id
                        WHERE r.credential_id = \(bind: credentialID.rawValue) AND r.organization_id = \(bind: organizationID.rawValue))
                WHERE id = \(bind: credentialID.rawValue) AND user_id = \(bind: account.userID.rawValue)
                """).run()
            // The workspace a session whose own organization is gone is restored to (the console's shell context).
            try await database.raw("""
                UPDATE users SET remembered_organization_id = \(bind: organizationID.rawValue) WHERE id = \(bind: account.userID.rawValue)
                """).run()
        }
    }

    public func activateTenant(_ scope: TenantScope, _ account: AccountScope) async throws {
        let credentialID = account.credentialID
        try await engine.transaction { database in
            try await database.raw("""
                UPDATE credentials SET active_organization_id = \(bind: scope.organizationID.rawValue),
                    active_tenant_id = \(bind: scope.tenantID.rawValue)
                WHERE id = \(bind: credentialID.rawValue) AND user_id = \(bind: account.userID.rawValue)
                """).run()
            try await database.raw("""
                INSERT INTO remembered_tenants (credential_id, organization_id, tenant_id)
                SELECT id, \(bind: scope.organizationID.rawValue), \(bind: scope.tenantID.rawValue) FROM credentials
                WHERE id = \(bind: credentialID.rawValue) AND user_id = \(bind: account.userID.rawValue)
                ON CONFLICT (credential_id, organization_id) DO UPDATE SET tenant_id = excluded.tenant_id
                """).run()
            try await database.raw("""
                UPDATE users SET remembered_organization_id = \(bind: scope.organizationID.rawValue) WHERE id = \(bind: account.userID.rawValue)
                """).run()
        }
    }
}

/// The principal lookup behind every authenticated request: credential, user, active organization (while the
/// user is still an active member) and active tenant (while it belongs to that organization).
struct PrincipalByToken: HotStatement {
    static let sql = """
        SELECT \(Columns.credential), \(Columns.user), \(Columns.organization), m.role AS m_role, \(Columns.tenant)
        FROM credentials c
        JOIN users u ON u.id = c.user_id
        LEFT JOIN memberships m ON m.organization_id = c.active_organization_id AND m.user_id = c.user_id AND m.status = 'active'
        LEFT JOIN organizations o ON o.id = m.organization_id
        LEFT JOIN tenants t ON t.id = c.active_tenant_id AND t.organization_id = m.organization_id
        WHERE c.token_hash = $1 AND c.kind = $2
        """
}
