import Foundation
import GlobalStacksAPI
import GlobalStacksDomain
import GlobalStacksStore
import GlobalStacksUseCases

/// Tenants of the active organization.
struct TenantsHandler {
    let store: any RequestStore
    let authenticator: Authenticator

    func listTenants(_ input: Operations.ListTenants.Input) async throws -> Operations.ListTenants.Output {
        let principal = try authenticator.principal()
        let tenants = try await store.tenants(AccessPolicy.organizationScope(principal))
        return .ok(.init(body: .json(.init(items: tenants.map(APIMapping.tenant)))))
    }

    func createTenant(_ input: Operations.CreateTenant.Input) async throws -> Operations.CreateTenant.Output {
        let principal = try authenticator.principal()
        let scope = try AccessPolicy.organizationScope(requiring: .manageTenants, principal)
        guard case .json(let request) = input.body else { throw DomainError.invalidInput("Send a JSON body.") }
        let tenant = try await store.createTenant(
            name: try Validation.name(request.name), slug: try Slug(validating: request.slug),
            description: try Validation.description(request.description), scope, at: Date()
        )
        return .created(.init(body: .json(APIMapping.tenant(tenant))))
    }

    func getTenant(_ input: Operations.GetTenant.Input) async throws -> Operations.GetTenant.Output {
        let principal = try authenticator.principal()
        let tenant = try await visibleTenant(try pathID(input.path.tenantId, "tenant"), principal)
        return .ok(.init(body: .json(APIMapping.tenantDetail(tenant, activeTenantID: principal.tenant?.id))))
    }

    func updateTenant(_ input: Operations.UpdateTenant.Input) async throws -> Operations.UpdateTenant.Output {
        let principal = try authenticator.principal()
        let scope = try AccessPolicy.tenantScope(for: try await visibleTenant(try pathID(input.path.tenantId, "tenant"), principal), principal)
        try AccessPolicy.require(.manageTenants, principal)
        guard case .json(let request) = input.body else { throw DomainError.invalidInput("Send a JSON body.") }
        let name = try request.name.map { try Validation.name($0) }
        let description = try Validation.description(request.description)
        let status = request.status.flatMap { TenantStatus(rawValue: $0.rawValue) }
        let tenant = try await store.updateTenant(scope, at: Date()) { tenant in
            if let name { tenant.name = name }
            if let description { tenant.description = description }
            if let status {
                guard tenant.status.canTransition(to: status) else {
                    throw DomainError.conflict("An archived tenant cannot become \(status.rawValue).")
                }
                tenant.status = status
            }
        }
        return .ok(.init(body: .json(APIMapping.tenantDetail(tenant, activeTenantID: principal.tenant?.id))))
    }

    func activateTenant(_ input: Operations.ActivateTenant.Input) async throws -> Operations.ActivateTenant.Output {
        let principal = try authenticator.principal()
        let tenant = try await visibleTenant(try pathID(input.path.tenantId, "tenant"), principal)
        try await store.activateTenant(try AccessPolicy.tenantScope(for: tenant, principal), AccessPolicy.accountScope(principal))
        return .ok(.init(body: .json(APIMapping.tenantDetail(tenant, activeTenantID: tenant.id))))
    }

    /// A tenant of the caller's active organization; anything else is 404.
    private func visibleTenant(_ id: TenantID, _ principal: Principal) async throws -> Tenant {
        guard let tenant = try await store.tenant(id: id, AccessPolicy.organizationScope(principal)) else {
            throw DomainError.notFound("No tenant \(id) in the active organization.")
        }
        return tenant
    }
}
