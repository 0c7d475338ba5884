import Foundation
import GlobalStacksAPI
import GlobalStacksDomain
import GlobalStacksStore
import GlobalStacksUseCases

/// Organizations, their members and invitations.
struct OrganizationsHandler {
    let store: any RequestStore
    let authenticator: Authenticator
    let publicURL: String

    func listOrganizations(_ input: Operations.ListOrganizations.Input) async throws -> Operations.ListOrganizations.Output {
        let principal = try authenticator.principal()
        let activeID = principal.organization.organization.id
        let items = try await store.memberships(AccessPolicy.accountScope(principal)).map {
            APIMapping.organization($0.organization, role: $0.role, active: $0.organization.id == activeID)
        }
        return .ok(.init(body: .json(.init(activeOrganizationId: activeID.rawValue, items: items))))
    }

    func createOrganization(_ input: Operations.CreateOrganization.Input) async throws -> Operations.CreateOrganization.Output {
        let principal = try authenticator.principal()
        guard case .json(let request) = input.body else { throw DomainError.invalidInput("Send a JSON body.") }
        let organization = try await store.createOrganization(name: try Validation.name(request.name), AccessPolicy.accountScope(principal), at: Date())
        return .created(.init(body: .json(APIMapping.organization(organization, role: .owner, active: false))))
    }

    func activateOrganization(_ input: Operations.ActivateOrganization.Input) async throws -> Operations.ActivateOrganization.Output {
        let principal = try authenticator.principal()
        let id: OrganizationID = try pathID(input.path.organizationId, "organization")
        let account = AccessPolicy.accountScope(principal)
        guard let membership = try await store.membership(organizationID: id, account) else {
            throw DomainError.notFound("No organization \(id) among yours.")
        }
        try await store.activateOrganization(AccessPolicy.organizationScope(for: membership, account), account)
        return .ok(.init())
    }

    func getCurrentOrganization(_ input: Operations.GetCurrentOrganization.Input) async throws -> Operations.GetCurrentOrganization.Output {
        let principal = try authenticator.principal()
        let current = principal.organization
        let scope = AccessPolicy.organizationScope(principal)
        let now = Date()
        async let members = store.members(scope)
        // Pending invitations carry who was invited: only those who manage the organization see them.
        async let invitations = AccessPolicy.allows(.manageOrganization, principal)
            ? store.invitations(scope) : []
        return .ok(.init(body: .json(.init(
            organization: APIMapping.organization(current.organization, role: current.role, active: true),
            members: try await members.map(APIMapping.member),
            invitations: try await invitations.filter { $0.status(at: now) == .pending }.map { APIMapping.invitation($0, at: now) },
            currentRole: APIMapping.role(current.role)
        ))))
    }

    func updateCurrentOrganization(_ input: Operations.UpdateCurrentOrganization.Input) async throws -> Operations.UpdateCurrentOrganization.Output {
        let principal = try authenticator.principal()
        let scope = try AccessPolicy.organizationScope(requiring: .manageOrganization, principal)
        guard case .json(let request) = input.body else { throw DomainError.invalidInput("Send a JSON body.") }
        let organization = try await store.renameOrganization(name: try Validation.name(request.name), scope, at: Date())
        return .ok(.init(body: .json(APIMapping.organization(organization, role: principal.organization.role, active: true))))
    }

    func updateOrganizationMember(_ input: Operations.UpdateOrganizationMember.Input) async throws -> Operations.UpdateOrganizationMember.Output {
        let principal = try authenticator.principal()
        guard case .json(let request) = input.body else { throw DomainError.invalidInput("Send a JSON body.") }
        let member = try await store.changeMemberRole(
            member: try pathID(input.path.userId, "user"), to: APIMapping.role(request.role), AccessPolicy.organizationScope(principal), at: Date()
        )
        return .ok(.init(body: .json(APIMapping.member(member))))
    }

    func removeOrganizationMember(_ input: Operations.RemoveOrganizationMember.Input) async throws -> Operations.RemoveOrganizationMember.Output {
        let principal = try authenticator.principal()
        try await store.removeMember(try pathID(input.path.userId, "user"), AccessPolicy.organizationScope(principal), at: Date())
        return .ok(.init())
    }
}
