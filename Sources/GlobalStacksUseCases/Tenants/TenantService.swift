import Foundation
import GlobalStacksDomain
import GlobalStacksStore

/// Tenants of the caller's active organization. Every member sees them and may make one their active tenant; owners
/// and admins create and change them. A tenant of another organization is not found.
public struct TenantService: Sendable {
    private let store: any TenantRepository & AccountRepository

    public init(store: any TenantRepository & AccountRepository) {
        self.store = store
    }

    public func tenants(caller: Caller) async throws -> [Tenant] {
        try await store.tenants(caller.organization)
    }

    public func create(name: String, slug: String, description: String?, caller: Caller) async throws -> Tenant {
        let scope = try caller.organization(requiring: .manageTenants)
        return try await store.createTenant(
            name: try Validation.name(name), slug: try Slug(validating: slug), description: try Validation.description(description), scope, at: Date()
        )
    }

    /// The tenant, or 404 when it is not in the caller's active organization.
    public func tenant(_ id: TenantID, caller: Caller) async throws -> Tenant {
        guard let tenant = try await store.tenant(id: id, caller.organization) else {
            throw DomainError.notFound("No tenant \(id) in the active organization.")
        }
        return tenant
    }

    /// Changes what `change` sets (nil: unchanged); an archived tenant stays archived (409).
    public func update(_ id: TenantID, _ change: TenantChange, caller: Caller) async throws -> Tenant {
        let scope = try AccessPolicy.tenantScope(for: try await tenant(id, caller: caller), caller.principal)
        try caller.require(.manageTenants)
        let name = try change.name.map { try Validation.name($0) }
        let description = try Validation.description(change.description)
        let status = change.status
        return try await store.updateTenant(scope, at: Date()) { tenant in
            if let name { tenant.name = name }
            if let description { tenant.description = description }
            if let status {
                guard tenant.status.canTransition(to: status) else {
                    throw DomainError.conflict("An archived tenant cannot become \(status.rawValue).")
                }
                tenant.status = status
            }
        }
    }

    /// Makes the tenant the active one of the caller's credential.
    public func activate(_ id: TenantID, caller: Caller) async throws -> Tenant {
        let tenant = try await tenant(id, caller: caller)
        try await store.activateTenant(try AccessPolicy.tenantScope(for: tenant, caller.principal), caller.account)
        return tenant
    }
}

/// A change to a tenant, as requested (validated by `TenantService`).
public struct TenantChange: Sendable {
    public var name: String?
    public var description: String?
    public var status: TenantStatus?

    public init(name: String?, description: String?, status: TenantStatus?) {
        self.name = name
        self.description = description
        self.status = status
    }
}
