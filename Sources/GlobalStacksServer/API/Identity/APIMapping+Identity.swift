import GlobalStacksAPI
import GlobalStacksContract
import GlobalStacksDomain

/// Users, sessions and API keys in the shape of the API.
extension APIMapping {
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

    static func apiKey(_ credential: Credential) -> Components.Schemas.ApiKey {
        .init(
            id: credential.id.rawValue, name: credential.name ?? "", prefix: credential.tokenPrefix,
            createdAt: credential.createdAt, lastUsedAt: credential.lastUsedAt, expiresAt: credential.expiresAt,
            revoked: credential.revokedAt != nil
        )
    }
}
