import GlobalStacksAPI
import GlobalStacksContract
import GlobalStacksUseCases

/// The operations of this area, mapped to its handler.
extension APIController {
    var tenants: TenantsHandler { TenantsHandler(tenants: useCases.tenants) }

    func listTenants(_ input: Operations.ListTenants.Input) async throws -> Operations.ListTenants.Output { try await tenants.listTenants(input, caller: try caller) }
    func createTenant(_ input: Operations.CreateTenant.Input) async throws -> Operations.CreateTenant.Output { try await tenants.createTenant(input, caller: try caller) }
    func getTenant(_ input: Operations.GetTenant.Input) async throws -> Operations.GetTenant.Output { try await tenants.getTenant(input, caller: try caller) }
    func updateTenant(_ input: Operations.UpdateTenant.Input) async throws -> Operations.UpdateTenant.Output { try await tenants.updateTenant(input, caller: try caller) }
    func activateTenant(_ input: Operations.ActivateTenant.Input) async throws -> Operations.ActivateTenant.Output { try await tenants.activateTenant(input, caller: try caller) }
}
