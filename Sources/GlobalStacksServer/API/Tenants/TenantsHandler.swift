import GlobalStacksAPI
import GlobalStacksContract
import GlobalStacksDomain
import GlobalStacksUseCases

/// Tenants of the active organization: maps the contract's input to `TenantService` and its results back.
struct TenantsHandler {
    let tenants: TenantService

    func listTenants(_ input: Operations.ListTenants.Input, caller: Caller) async throws -> Operations.ListTenants.Output {
        .ok(.init(body: .json(.init(items: try await tenants.tenants(caller: caller).map(APIMapping.tenant)))))
    }

    func createTenant(_ input: Operations.CreateTenant.Input, caller: Caller) async throws -> Operations.CreateTenant.Output {
        guard case .json(let request) = input.body else { throw DomainError.invalidInput("Send a JSON body.") }
        let tenant = try await tenants.create(name: request.name, slug: request.slug, description: request.description, caller: caller)
        return .created(.init(body: .json(APIMapping.tenant(tenant))))
    }

    func getTenant(_ input: Operations.GetTenant.Input, caller: Caller) async throws -> Operations.GetTenant.Output {
        let tenant = try await tenants.tenant(try pathID(input.path.tenantId, "tenant"), caller: caller)
        return .ok(.init(body: .json(APIMapping.tenantDetail(tenant, activeTenantID: caller.principal.tenant?.id))))
    }

    func updateTenant(_ input: Operations.UpdateTenant.Input, caller: Caller) async throws -> Operations.UpdateTenant.Output {
        guard case .json(let request) = input.body else { throw DomainError.invalidInput("Send a JSON body.") }
        let change = TenantChange(
            name: request.name, description: request.description, status: request.status.flatMap { TenantStatus(rawValue: $0.rawValue) }
        )
        let tenant = try await tenants.update(try pathID(input.path.tenantId, "tenant"), change, caller: caller)
        return .ok(.init(body: .json(APIMapping.tenantDetail(tenant, activeTenantID: caller.principal.tenant?.id))))
    }

    func activateTenant(_ input: Operations.ActivateTenant.Input, caller: Caller) async throws -> Operations.ActivateTenant.Output {
        let tenant = try await tenants.activate(try pathID(input.path.tenantId, "tenant"), caller: caller)
        return .ok(.init(body: .json(APIMapping.tenantDetail(tenant, activeTenantID: tenant.id))))
    }
}
