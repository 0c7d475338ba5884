import Foundation
import GlobalStacksDomain
import SQLKit

/// Column lists and row decoders, one per table, so every query reads a model the same way.
enum Columns {
    static let user = "u.id AS u_id, u.email AS u_email, u.display_name AS u_display_name, u.site_role AS u_site_role, u.personal_organization_id AS u_personal_organization_id, u.deactivated_at AS u_deactivated_at, u.created_at AS u_created_at, u.updated_at AS u_updated_at"
    static let organization = "o.id AS o_id, o.name AS o_name, o.slug AS o_slug, o.kind AS o_kind, o.created_at AS o_created_at, o.updated_at AS o_updated_at"
    static let credential = "c.id AS c_id, c.kind AS c_kind, c.user_id AS c_user_id, c.name AS c_name, c.token_prefix AS c_token_prefix, c.created_at AS c_created_at, c.last_used_at AS c_last_used_at, c.expires_at AS c_expires_at, c.revoked_at AS c_revoked_at, c.permissions AS c_permissions, c.sandbox_id AS c_sandbox_id"
    static let tenant = "t.id AS t_id, t.organization_id AS t_organization_id, t.name AS t_name, t.slug AS t_slug, t.description AS t_description, t.external_id AS t_external_id, t.status AS t_status, t.created_at AS t_created_at, t.updated_at AS t_updated_at"
    static let cluster = "k.id AS k_id, k.tenant_id AS k_tenant_id, k.name AS k_name, k.slug AS k_slug, k.ownership AS k_ownership, k.provider AS k_provider, k.status AS k_status, k.metadata AS k_metadata, k.created_at AS k_created_at, k.updated_at AS k_updated_at"
    static let invitation = "i.id AS i_id, i.organization_id AS i_organization_id, i.email AS i_email, i.role AS i_role, i.status AS i_status, i.token_prefix AS i_token_prefix, i.expires_at AS i_expires_at, i.created_at AS i_created_at, i.updated_at AS i_updated_at"
    static let membership = "m.organization_id AS m_organization_id, m.user_id AS m_user_id, m.role AS m_role, m.status AS m_status, m.created_at AS m_created_at, m.updated_at AS m_updated_at, u.email AS u_email, u.display_name AS u_display_name"
}

extension SQLRow {
    func user() throws -> User {
        User(
            id: try identifier("u_id"), email: EmailAddress(canonical: try string("u_email")),
            displayName: try string("u_display_name"), siteRole: try enumValue("u_site_role"),
            personalOrganizationID: try identifier("u_personal_organization_id"),
            deactivatedAt: try optionalDate("u_deactivated_at"),
            createdAt: try date("u_created_at"), updatedAt: try date("u_updated_at")
        )
    }

    func organization() throws -> Organization {
        Organization(
            id: try identifier("o_id"), name: try string("o_name"), slug: try slug("o_slug"),
            kind: try enumValue("o_kind"), createdAt: try date("o_created_at"), updatedAt: try date("o_updated_at")
        )
    }

    func credential() throws -> Credential {
        Credential(
            id: try identifier("c_id"), kind: try enumValue("c_kind"), userID: try identifier("c_user_id"),
            name: try optionalString("c_name"), tokenPrefix: try string("c_token_prefix"),
            createdAt: try date("c_created_at"), lastUsedAt: try date("c_last_used_at"),
            expiresAt: try optionalDate("c_expires_at"), revokedAt: try optionalDate("c_revoked_at"),
            permissions: try optionalString("c_permissions").map { text in
                Set(try JSONColumn.decode([String].self, text, column: "credentials.permissions").compactMap(ExtensionPermission.init(rawValue:)))
            },
            sandboxID: try optionalIdentifier("c_sandbox_id")
        )
    }

    func tenant() throws -> Tenant {
        Tenant(
            id: try identifier("t_id"), organizationID: try identifier("t_organization_id"), name: try string("t_name"),
            slug: try slug("t_slug"), description: try optionalString("t_description"),
            externalID: try string("t_external_id"), status: try enumValue("t_status"),
            createdAt: try date("t_created_at"), updatedAt: try date("t_updated_at")
        )
    }

    func cluster() throws -> Cluster {
        let metadata = try JSONColumn.decode([String: String].self, try string("k_metadata"), column: "clusters.metadata")
        return Cluster(
            id: try identifier("k_id"), tenantID: try optionalIdentifier("k_tenant_id"), name: try string("k_name"),
            slug: try slug("k_slug"), ownership: try enumValue("k_ownership"), provider: try string("k_provider"),
            status: try enumValue("k_status"), metadata: metadata,
            createdAt: try date("k_created_at"), updatedAt: try date("k_updated_at")
        )
    }

    func invitation() throws -> Invitation {
        Invitation(
            id: try identifier("i_id"), organizationID: try identifier("i_organization_id"),
            email: EmailAddress(canonical: try string("i_email")), role: try enumValue("i_role"),
            storedStatus: try enumValue("i_status"), tokenPrefix: try string("i_token_prefix"),
            expiresAt: try date("i_expires_at"), createdAt: try date("i_created_at"), updatedAt: try date("i_updated_at")
        )
    }

    func membership() throws -> Membership {
        Membership(
            organizationID: try identifier("m_organization_id"), userID: try identifier("m_user_id"),
            email: EmailAddress(canonical: try string("u_email")), displayName: try string("u_display_name"),
            role: try enumValue("m_role"), status: try enumValue("m_status"),
            createdAt: try date("m_created_at"), updatedAt: try date("m_updated_at")
        )
    }
}
