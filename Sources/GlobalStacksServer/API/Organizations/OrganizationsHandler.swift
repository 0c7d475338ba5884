import GlobalStacksAPI
import GlobalStacksContract
import GlobalStacksDomain
import GlobalStacksUseCases

/// Organizations and their members: maps the contract's input to `OrganizationService` and its results back.
struct OrganizationsHandler {
    let organizations: OrganizationService

    func listOrganizations(_ input: Operations.ListOrganizations.Input, caller: Caller) async throws -> Operations.ListOrganizations.Output {
        let activeID = caller.principal.organization.organization.id
        let items = try await organizations.organizations(caller: caller).map {
            APIMapping.organization($0.organization, role: $0.role, active: $0.organization.id == activeID)
        }
        return .ok(.init(body: .json(.init(activeOrganizationId: activeID.rawValue, items: items))))
    }

    func createOrganization(_ input: Operations.CreateOrganization.Input, caller: Caller) async throws -> Operations.CreateOrganization.Output {
        guard case .json(let request) = input.body else { throw DomainError.invalidInput("Send a JSON body.") }
        let organization = try await organizations.create(name: request.name, caller: caller)
        return .created(.init(body: .json(APIMapping.organization(organization, role: .owner, active: false))))
    }

    func activateOrganization(_ input: Operations.ActivateOrganization.Input, caller: Caller) async throws -> Operations.ActivateOrganization.Output {
        try await organizations.activate(try pathID(input.path.organizationId, "organization"), caller: caller)
        return .ok(.init())
    }

    func getCurrentOrganization(_ input: Operations.GetCurrentOrganization.Input, caller: Caller) async throws -> Operations.GetCurrentOrganization.Output {
        let current = try await organizations.current(caller: caller)
        return .ok(.init(body: .json(.init(
            organization: APIMapping.organization(current.membership.organization, role: current.membership.role, active: true),
            members: current.members.map(APIMapping.member),
            invitations: current.pendingInvitations.map { APIMapping.invitation($0, at: current.asOf) },
            currentRole: APIMapping.role(current.membership.role)
        ))))
    }

    func updateCurrentOrganization(_ input: Operations.UpdateCurrentOrganization.Input, caller: Caller) async throws -> Operations.UpdateCurrentOrganization.Output {
        guard case .json(let request) = input.body else { throw DomainError.invalidInput("Send a JSON body.") }
        let organization = try await organizations.rename(to: request.name, caller: caller)
        return .ok(.init(body: .json(APIMapping.organization(organization, role: caller.principal.organization.role, active: true))))
    }

    func updateOrganizationMember(_ input: Operations.UpdateOrganizationMember.Input, caller: Caller) async throws -> Operations.UpdateOrganizationMember.Output {
        guard case .json(let request) = input.body else { throw DomainError.invalidInput("Send a JSON body.") }
        let member = try await organizations.changeRole(
            of: try pathID(input.path.userId, "user"), to: APIMapping.role(request.role), caller: caller
        )
        return .ok(.init(body: .json(APIMapping.member(member))))
    }

    func removeOrganizationMember(_ input: Operations.RemoveOrganizationMember.Input, caller: Caller) async throws -> Operations.RemoveOrganizationMember.Output {
        try await organizations.remove(try pathID(input.path.userId, "user"), caller: caller)
        return .ok(.init())
    }
}
