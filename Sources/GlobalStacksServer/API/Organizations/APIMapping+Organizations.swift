import Foundation
import GlobalStacksAPI
import GlobalStacksContract
import GlobalStacksDomain

/// Organizations, their members and invitations in the shape of the API.
extension APIMapping {
    static func organization(_ organization: Organization, role: OrganizationRole?, active: Bool?) -> Components.Schemas.Organization {
        .init(
            id: organization.id.rawValue, createdAt: organization.createdAt, updatedAt: organization.updatedAt,
            name: organization.name, slug: organization.slug.rawValue, kind: .init(rawValue: organization.kind.rawValue)!,
                role: role.map(self.role), active: active
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
}
