import Foundation
import GlobalStacksDomain
import SQLKit

/// The console's shell context: what a credential remembers and what its user may name.
extension SQLStore {
    public func clearTenant(_ scope: OrganizationScope, _ account: AccountScope) async throws {
        let (organizationID, credentialID, userID) = (scope.organizationID.rawValue, account.credentialID.rawValue, account.userID.rawValue)
        try await engine.transaction { database in
            try await database.raw("""
                UPDATE credentials SET active_tenant_id = NULL
                WHERE id = \(bind: credentialID) AND user_id = \(bind: userID) AND active_organization_id = \(bind: organizationID)
                """).run()
            try await database.raw("""
                DELETE FROM remembered_tenants WHERE organization_id = \(bind: organizationID)
                AND credential_id = (SELECT id FROM credentials WHERE id = \(bind: credentialID) AND user_id = \(bind: userID))
                """).run()
        }
    }

    public func shellSession(_ account: AccountScope) async throws -> ShellSession {
        let (credentialID, userID) = (account.credentialID.rawValue, account.userID.rawValue)
        return try await engine.read { database in
            let rows = try await database.raw("""
                SELECT c.active_organization_id, u.remembered_organization_id, r.organization_id AS r_organization_id, r.tenant_id AS r_tenant_id
                FROM credentials c JOIN users u ON u.id = c.user_id
                LEFT JOIN remembered_tenants r ON r.credential_id = c.id
                WHERE c.id = \(bind: credentialID) AND c.user_id = \(bind: userID)
                """).all()
            guard let first = rows.first else { return ShellSession(workspace: nil, rememberedTenants: [:], rememberedWorkspace: nil) }
            var remembered: [OrganizationID: TenantID] = [:]
            for row in rows {
                if let organization: OrganizationID = try row.optionalIdentifier("r_organization_id"), let tenant: TenantID = try row.optionalIdentifier("r_tenant_id") {
                    remembered[organization] = tenant
                }
            }
            return ShellSession(
                workspace: try first.optionalIdentifier("active_organization_id"), rememberedTenants: remembered,
                rememberedWorkspace: try first.optionalIdentifier("remembered_organization_id")
            )
        }
    }

    public func shellDirectory(_ account: AccountScope) async throws -> ShellDirectory {
        let userID = account.userID.rawValue
        return try await engine.read { database in
            let rows = try await database.raw("""
                SELECT o.id AS o_id, o.number AS o_number, o.slug AS o_slug, o.name AS o_name, o.kind AS o_kind,
                       t.id AS t_id, t.number AS t_number, t.external_id AS t_external_id, t.name AS t_name, t.status AS t_status
                FROM memberships m JOIN organizations o ON o.id = m.organization_id
                LEFT JOIN tenants t ON t.organization_id = o.id
                WHERE m.user_id = \(bind: userID) AND m.status = 'active'
                ORDER BY o.kind DESC, o.name, o.id, t.name, t.id
                """).all()
            var workspaces: [WorkspaceReference] = []
            var tenants: [TenantReference] = []
            for row in rows {
                let number = try row.decode(column: "o_number", as: Int64.self)
                if workspaces.last?.id != number {
                    workspaces.append(WorkspaceReference(
                        id: number, organizationID: try row.identifier("o_id"), slug: try row.string("o_slug"), name: try row.string("o_name"),
                        kind: try row.enumValue("o_kind")
                    ))
                }
                if try row.optionalString("t_id") != nil {
                    tenants.append(TenantReference(
                        id: try row.decode(column: "t_number", as: Int64.self), tenantID: try row.identifier("t_id"), workspaceID: number,
                        externalID: try row.string("t_external_id"), name: try row.string("t_name"), status: try row.enumValue("t_status")
                    ))
                }
            }
            return ShellDirectory(workspaces: workspaces, tenants: tenants)
        }
    }
}
