import Foundation
import GlobalStacksDomain
import SQLKit

extension SQLStore: TenantRepository {
    public func tenants(_ scope: OrganizationScope) async throws -> [Tenant] {
        let organizationID = scope.organizationID
        return try await engine.read { database in
            try await database.raw("""
                SELECT \(unsafeRaw: Columns.tenant) FROM tenants t WHERE t.organization_id = \(bind: organizationID.rawValue)
                ORDER BY t.created_at, t.id
                """).all().map { try $0.tenant() }
        }
    }

    public func tenant(id: TenantID, _ scope: OrganizationScope) async throws -> Tenant? {
        let organizationID = scope.organizationID
        return try await engine.read { database in
            try await database.raw("""
                SELECT \(unsafeRaw: Columns.tenant) FROM tenants t
                WHERE t.id = \(bind: id.rawValue) AND t.organization_id = \(bind: organizationID.rawValue)
                """).first()?.tenant()
        }
    }

    public func createTenant(name: String, slug: Slug, description: String?, _ scope: OrganizationScope, at now: Date) async throws -> Tenant {
        let organizationID = scope.organizationID
        let tenant = Tenant(
            id: .generate(), organizationID: organizationID, name: name, slug: slug, description: description,
            externalID: Tenant.generateExternalID(), status: .active,
            createdAt: now.truncatedToStoredPrecision, updatedAt: now.truncatedToStoredPrecision
        )
        try await engine.transaction { database in
            try await self.uniquely("A tenant with the slug '\(slug)' already exists in this organization; choose another slug.") {
                try await database.raw("""
                    INSERT INTO tenants (id, organization_id, name, slug, description, external_id, status, created_at, updated_at)
                    VALUES (\(bind: tenant.id.rawValue), \(bind: organizationID.rawValue), \(bind: name), \(bind: slug.rawValue),
                            \(bind: description), \(bind: tenant.externalID), \(bind: tenant.status.rawValue),
                            \(bind: now.storedMilliseconds), \(bind: now.storedMilliseconds))
                    """).run()
            }
        }
        return tenant
    }

    public func updateTenant(_ scope: TenantScope, at now: Date, _ change: @Sendable (inout Tenant) throws -> Void) async throws -> Tenant {
        try await engine.transaction { database in
            guard var tenant = try await database.raw("""
                SELECT \(unsafeRaw: Columns.tenant) FROM tenants t
                WHERE t.id = \(bind: scope.tenantID.rawValue) AND t.organization_id = \(bind: scope.organizationID.rawValue)\(unsafeRaw: self.engine.rowLockClause)
                """).first()?.tenant()
            else { throw DomainError.notFound("No tenant \(scope.tenantID) in the active organization.") }
            try change(&tenant)
            tenant.updatedAt = now.truncatedToStoredPrecision
            try await database.raw("""
                UPDATE tenants SET name = \(bind: tenant.name), description = \(bind: tenant.description),
                    status = \(bind: tenant.status.rawValue), updated_at = \(bind: now.storedMilliseconds)
                WHERE id = \(bind: tenant.id.rawValue)
                """).run()
            return tenant
        }
    }
}
