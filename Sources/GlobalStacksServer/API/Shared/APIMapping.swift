import Foundation
import GlobalStacksAPI
import GlobalStacksDomain

/// Domain values in the shape of the API contract.
enum APIMapping {
    static func userSummary(_ user: User) -> Components.Schemas.UserSummary {
        .init(id: user.id.rawValue, email: user.email.canonical, displayName: user.displayName)
    }

    static func userAccount(_ user: User) -> Components.Schemas.UserAccount {
        .init(
            id: user.id.rawValue, email: user.email.canonical, displayName: user.displayName,
            siteRole: .init(rawValue: user.siteRole.rawValue)!, active: user.isActive,
            personalOrganizationId: user.personalOrganizationID.rawValue, createdAt: user.createdAt, updatedAt: user.updatedAt
        )
    }

    static func session(_ principal: Principal) -> Components.Schemas.SessionResponse {
        .init(
            authenticated: true, sessionId: principal.credential.id.rawValue,
            tenantId: principal.tenant?.id.rawValue, user: userSummary(principal.user)
        )
    }

    static func organization(_ organization: Organization, role: OrganizationRole?, active: Bool?) -> Components.Schemas.Organization {
        .init(
            value1: .init(id: organization.id.rawValue, createdAt: organization.createdAt, updatedAt: organization.updatedAt),
            value2: .init(
                name: organization.name, slug: organization.slug.rawValue, kind: .init(rawValue: organization.kind.rawValue)!,
                role: role.map(self.role), active: active
            )
        )
    }

    static func role(_ role: OrganizationRole) -> Components.Schemas.OrganizationRole {
        .init(rawValue: role.rawValue)!
    }

    static func role(_ role: Components.Schemas.OrganizationRole) -> OrganizationRole {
        OrganizationRole(rawValue: role.rawValue)!
    }

    static func member(_ membership: Membership) -> Components.Schemas.OrganizationMember {
        .init(
            userId: membership.userID.rawValue, email: membership.email.canonical, displayName: membership.displayName,
            role: role(membership.role), status: .init(rawValue: membership.status.rawValue)!,
            createdAt: membership.createdAt, updatedAt: membership.updatedAt
        )
    }

    static func invitation(_ invitation: Invitation, at now: Date, acceptURL: String? = nil) -> Components.Schemas.OrganizationInvitation {
        .init(
            id: invitation.id.rawValue, email: invitation.email.canonical, role: role(invitation.role),
            status: .init(rawValue: invitation.status(at: now).rawValue)!, tokenPrefix: invitation.tokenPrefix,
            acceptUrl: acceptURL, expiresAt: invitation.expiresAt, createdAt: invitation.createdAt, updatedAt: invitation.updatedAt
        )
    }

    static func tenant(_ tenant: Tenant) -> Components.Schemas.Tenant {
        .init(
            value1: .init(id: tenant.id.rawValue, createdAt: tenant.createdAt, updatedAt: tenant.updatedAt),
            value2: .init(name: tenant.name, slug: tenant.slug.rawValue, description: tenant.description)
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

    static func apiKey(_ credential: Credential) -> Components.Schemas.ApiKey {
        .init(
            id: credential.id.rawValue, name: credential.name ?? "", prefix: credential.tokenPrefix,
            createdAt: credential.createdAt, lastUsedAt: credential.lastUsedAt, expiresAt: credential.expiresAt,
            revoked: credential.revokedAt != nil
        )
    }
}
