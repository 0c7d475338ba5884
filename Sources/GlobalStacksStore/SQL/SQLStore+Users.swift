import Foundation
import GlobalStacksDomain
import SQLKit

extension SQLStore: IdentityBootstrap, SiteAdministrationRepository {
    public func userCount() async throws -> Int {
        try await engine.read { database in
            try await database.raw("SELECT COUNT(*) AS n FROM users").first()?.int("n") ?? 0
        }
    }

    public func firstSiteAdmin() async throws -> UserID? {
        try await engine.read { database in
            try await database.raw("""
                SELECT id FROM users WHERE site_role = 'admin' AND deactivated_at IS NULL ORDER BY created_at, id LIMIT 1
                """).first()?.identifier("id")
        }
    }

    public func createUser(_ user: NewUser, at now: Date) async throws -> User {
        try await engine.transaction { database in
            try await self.insertUser(user, at: now, in: database)
        }
    }

    public func createUser(_ user: NewUser, _ scope: SiteAdministrationScope, at now: Date) async throws -> User {
        try await createUser(user, at: now)
    }

    /// Inserts the user, their personal organization and their owner membership.
    func insertUser(_ user: NewUser, at now: Date, in database: any SQLDatabase) async throws -> User {
        let userID = UserID.generate()
        let organizationID = OrganizationID.generate()
        let localPart = String(user.email.canonical.prefix(while: { $0 != "@" }))
        let time = now.storedMilliseconds
        _ = try await insertOrganization(
            id: organizationID, name: "\(user.displayName)'s workspace", slug: Slug.derived(from: localPart, fallback: "workspace"),
            kind: .personal, at: time, in: database
        )
        try await uniquely("An account with the email \(user.email) already exists.") {
            try await database.raw("""
                INSERT INTO users (id, email, display_name, password_hash, site_role, personal_organization_id, created_at, updated_at)
                VALUES (\(bind: userID.rawValue), \(bind: user.email.canonical), \(bind: user.displayName), \(bind: user.passwordHash),
                        \(bind: user.siteRole.rawValue), \(bind: organizationID.rawValue), \(bind: time), \(bind: time))
                """).run()
        }
        try await database.raw("""
            INSERT INTO memberships (organization_id, user_id, role, status, created_at, updated_at)
            VALUES (\(bind: organizationID.rawValue), \(bind: userID.rawValue), \(bind: OrganizationRole.owner.rawValue),
                    \(bind: MembershipStatus.active.rawValue), \(bind: time), \(bind: time))
            """).run()
        return User(
            id: userID, email: user.email, displayName: user.displayName, siteRole: user.siteRole,
            personalOrganizationID: organizationID, deactivatedAt: nil,
            createdAt: now.truncatedToStoredPrecision, updatedAt: now.truncatedToStoredPrecision
        )
    }

    public func userForSignIn(email: EmailAddress) async throws -> (user: User, passwordHash: String)? {
        try await engine.read { database in
            guard let row = try await database.raw("""
                SELECT \(unsafeRaw: Columns.user), u.password_hash AS password_hash FROM users u WHERE u.email = \(bind: email.canonical)
                """).first()
            else { return nil }
            return (try row.user(), try row.string("password_hash"))
        }
    }

    public func listUsers(limit: Int, _ scope: SiteAdministrationScope) async throws -> [User] {
        try await engine.read { database in
            try await database.raw("""
                SELECT \(unsafeRaw: Columns.user) FROM users u ORDER BY u.created_at, u.id LIMIT \(bind: limit)
                """).all().map { try $0.user() }
        }
    }

    public func deactivateUser(id: UserID, _ scope: SiteAdministrationScope, at now: Date) async throws -> User {
        try await engine.transaction { database in
            // Lock the active admins first, always in id order: two admins deactivating each other take turns
            // (and cannot deadlock), so the last-admin count below stays true until commit.
            let admins = try await database.raw("""
                SELECT id FROM users WHERE site_role = 'admin' AND deactivated_at IS NULL ORDER BY id\(unsafeRaw: self.engine.rowLockClause)
                """).all().count
            guard let user = try await database.raw("""
                SELECT \(unsafeRaw: Columns.user) FROM users u WHERE u.id = \(bind: id.rawValue)\(unsafeRaw: self.engine.rowLockClause)
                """).first()?.user()
            else { throw DomainError.notFound("No user \(id).") }
            guard user.isActive else { return user }
            if user.siteRole == .admin {
                guard admins > 1 else {
                    throw DomainError.conflict("This is the last active site admin; make another user an admin first.")
                }
            }
            let time = now.storedMilliseconds
            try await database.raw("""
                UPDATE users SET deactivated_at = \(bind: time), updated_at = \(bind: time) WHERE id = \(bind: id.rawValue)
                """).run()
            try await database.raw("""
                UPDATE credentials SET revoked_at = \(bind: time) WHERE user_id = \(bind: id.rawValue) AND revoked_at IS NULL
                """).run()
            var deactivated = user
            deactivated.deactivatedAt = now.truncatedToStoredPrecision
            deactivated.updatedAt = now.truncatedToStoredPrecision
            return deactivated
        }
    }

    public func replaceSetupToken(hash: String, at now: Date) async throws {
        _ = try await engine.transaction { database in
            try await database.raw("""
                INSERT INTO setup_tokens (id, token_hash, created_at) VALUES (1, \(bind: hash), \(bind: now.storedMilliseconds))
                ON CONFLICT (id) DO UPDATE SET token_hash = excluded.token_hash, created_at = excluded.created_at
                """).run()
        }
    }

    public func redeemSetupToken(hash: String, admin: NewUser, at now: Date) async throws -> User {
        try await engine.transaction { database in
            let stored = try await database.raw("SELECT token_hash FROM setup_tokens WHERE id = 1\(unsafeRaw: self.engine.rowLockClause)").first()
            let users = try await database.raw("SELECT COUNT(*) AS n FROM users").first()?.int("n") ?? 0
            guard users == 0 else {
                throw DomainError.conflict("This installation is already set up; sign in instead.")
            }
            guard let stored, try stored.string("token_hash") == hash else {
                throw DomainError.forbidden("The setup token is not valid; use the token the server printed at start-up.")
            }
            try await database.raw("DELETE FROM setup_tokens").run()
            return try await self.insertUser(admin, at: now, in: database)
        }
    }
}
