import GlobalStacksAPI
import GlobalStacksContract
import GlobalStacksDomain

/// Tenants in the shape of the API.
extension APIMapping {
    static func tenant(_ tenant: Tenant) -> Components.Schemas.Tenant {
        .init(
            id: tenant.id.rawValue, createdAt: tenant.createdAt, updatedAt: tenant.updatedAt,
            name: tenant.name, slug: tenant.slug.rawValue, description: tenant.description
        )
    }

    static func tenantDetail(_ tenant: Tenant, activeTenantID: TenantID?) -> Components.Schemas.TenantDetail {
        .init(
            id: tenant.id.rawValue, organizationId: tenant.organizationID.rawValue, name: tenant.name,
            slug: tenant.slug.rawValue, description: tenant.description, externalId: tenant.externalID,
            status: .init(rawValue: tenant.status.rawValue)!, operable: tenant.status.isOperable,
            active: tenant.id == activeTenantID, createdAt: tenant.createdAt, updatedAt: tenant.updatedAt
        )
    }
}
