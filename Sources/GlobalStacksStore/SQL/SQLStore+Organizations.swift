import Foundation
import GlobalStacksDomain
import SQLKit

extension SQLStore: OrganizationRepository {
    public func memberships(_ account: AccountScope) async throws -> [OrganizationMembershipView] {
        let userID = account.userID
        return try await engine.read { database in
            try await database.raw("""
                SELECT \(unsafeRaw: Columns.organization), m.role AS m_role
                FROM memberships m JOIN organizations o ON o.id = m.organization_id
                WHERE m.user_id = \(bind: userID.rawValue) AND m.status = 'active'
                ORDER BY CASE o.kind WHEN 'personal' THEN 0 ELSE 1 END, o.created_at, o.id
                """).all().map { OrganizationMembershipView(organization: try $0.organization(), role: try $0.enumValue("m_role")) }
        }
    }

    public func membership(organizationID: OrganizationID, _ account: AccountScope) async throws -> OrganizationMembershipView? {
        try await engine.read { database in
            try await self.membership(userID: account.userID, organizationID: organizationID, in: database)
        }
    }

    func membership(userID: UserID, organizationID: OrganizationID, in database: any SQLDatabase) async throws -> OrganizationMembershipView? {
        guard let row = try await database.raw("""
            SELECT \(unsafeRaw: Columns.organization), m.role AS m_role
            FROM memberships m JOIN organizations o ON o.id = m.organization_id
            WHERE m.user_id = \(bind: userID.rawValue) AND m.organization_id = \(bind: organizationID.rawValue) AND m.status = 'active'
            """).first()
        else { return nil }
        return OrganizationMembershipView(organization: try row.organization(), role: try row.enumValue("m_role"))
    }

    public func createOrganization(name: String, _ account: AccountScope, at now: Date) async throws -> Organization {
        let owner = account.userID
        return try await engine.transaction { database in
            let id = OrganizationID.generate()
            let time = now.storedMilliseconds
            let slug = try await self.insertOrganization(id: id, name: name, slug: Slug.derived(from: name, fallback: "organization"), kind: .business, at: time, in: database)
            try await database.raw("""
                INSERT INTO memberships (organization_id, user_id, role, status, created_at, updated_at)
                VALUES (\(bind: id.rawValue), \(bind: owner.rawValue), 'owner', 'active', \(bind: time), \(bind: time))
                """).run()
            return Organization(id: id, name: name, slug: slug, kind: .business, createdAt: now.truncatedToStoredPrecision, updatedAt: now.truncatedToStoredPrecision)
        }
    }

    /// Inserts an organization under the first free slug near `slug`.
    func insertOrganization(id: OrganizationID, name: String, slug: Slug, kind: OrganizationKind, at time: Int64, in database: any SQLDatabase) async throws -> Slug {
        try await insertWithFreeSlug(slug) { candidate in
            try await database.raw("""
                INSERT INTO organizations (id, name, slug, kind, created_at, updated_at)
                VALUES (\(bind: id.rawValue), \(bind: name), \(bind: candidate.rawValue), \(bind: kind.rawValue), \(bind: time), \(bind: time))
                ON CONFLICT DO NOTHING RETURNING id
                """).first() != nil
        }
    }

    public func renameOrganization(name: String, _ scope: OrganizationScope, at now: Date) async throws -> Organization {
        let organizationID = scope.organizationID
        return try await engine.transaction { database in
            try await database.raw("""
                UPDATE organizations SET name = \(bind: name), updated_at = \(bind: now.storedMilliseconds) WHERE id = \(bind: organizationID.rawValue)
                """).run()
            guard let organization = try await database.raw("""
                SELECT \(unsafeRaw: Columns.organization) FROM organizations o WHERE o.id = \(bind: organizationID.rawValue)
                """).first()?.organization()
            else { throw DomainError.notFound("No organization \(organizationID).") }
            return organization
        }
    }

    public func members(_ scope: OrganizationScope) async throws -> [Membership] {
        try await engine.readHot(ActiveMembers.self, binds: [scope.organizationID.rawValue]).map { try $0.membership() }
    }

    public func changeMemberRole(member: UserID, to role: OrganizationRole, _ scope: OrganizationScope, at now: Date) async throws -> Membership {
        let (organizationID, actor) = (scope.organizationID, scope.userID)
        return try await engine.transaction { database in
            let context = try await self.lockedMembershipContext(organizationID: organizationID, actor: actor, member: member, in: database)
            try MembershipRules.checkRoleChange(kind: context.kind, actor: context.actorRole, target: context.member.role, newRole: role, activeOwners: context.activeOwners)
            try await database.raw("""
                UPDATE memberships SET role = \(bind: role.rawValue), updated_at = \(bind: now.storedMilliseconds)
                WHERE organization_id = \(bind: organizationID.rawValue) AND user_id = \(bind: member.rawValue)
                """).run()
            var updated = context.member
            updated.role = role
            updated.updatedAt = now.truncatedToStoredPrecision
            return updated
        }
    }

    public func removeMember(_ member: UserID, _ scope: OrganizationScope, at now: Date) async throws {
        let (organizationID, actor) = (scope.organizationID, scope.userID)
        try await engine.transaction { database in
            let context = try await self.lockedMembershipContext(organizationID: organizationID, actor: actor, member: member, in: database)
            try MembershipRules.checkRemoval(kind: context.kind, actor: context.actorRole, target: context.member.role, isSelf: actor == member, activeOwners: context.activeOwners)
            try await database.raw("""
                UPDATE memberships SET status = 'removed', updated_at = \(bind: now.storedMilliseconds)
                WHERE organization_id = \(bind: organizationID.rawValue) AND user_id = \(bind: member.rawValue)
                """).run()
            // A former member keeps no quota or group place here: neither can be managed without an active
            // membership, and neither should come back if the person is invited again.
            let (kind, subject) = Self.subjectKey(.user(member), organizationID)
            try await database.raw("""
                DELETE FROM quotas WHERE organization_id = \(bind: organizationID.rawValue) AND subject_kind = \(bind: kind) AND subject_id = \(bind: subject)
                """).run()
            try await database.raw("""
                DELETE FROM user_group_members WHERE user_id = \(bind: member.rawValue)
                AND group_id IN (SELECT id FROM user_groups WHERE organization_id = \(bind: organizationID.rawValue))
                """).run()
        }
    }

    /// Locks the organization (so concurrent role changes take turns) and reads what the membership rules need.
    private func lockedMembershipContext(organizationID: OrganizationID, actor: UserID, member: UserID, in database: any SQLDatabase) async throws
        -> (kind: OrganizationKind, actorRole: OrganizationRole, member: Membership, activeOwners: Int)
    {
        try await lockOrganization(organizationID, in: database)
        guard let actor = try await membership(userID: actor, organizationID: organizationID, in: database) else {
            throw DomainError.notFound("No organization \(organizationID).")
        }
        guard let target = try await database.raw("""
            SELECT \(unsafeRaw: Columns.membership) FROM memberships m JOIN users u ON u.id = m.user_id
            WHERE m.organization_id = \(bind: organizationID.rawValue) AND m.user_id = \(bind: member.rawValue) AND m.status = 'active'
            """).first()?.membership()
        else { throw DomainError.notFound("No member \(member) in this organization.") }
        let owners = try await database.raw("""
            SELECT COUNT(*) AS n FROM memberships WHERE organization_id = \(bind: organizationID.rawValue) AND role = 'owner' AND status = 'active'
            """).first()?.int("n") ?? 0
        return (actor.organization.kind, actor.role, target, owners)
    }

    func lockOrganization(_ organizationID: OrganizationID, in database: any SQLDatabase) async throws {
        _ = try await database.raw("""
            SELECT id FROM organizations WHERE id = \(bind: organizationID.rawValue)\(unsafeRaw: engine.rowLockClause)
            """).first()
    }

    public func invitations(_ scope: OrganizationScope) async throws -> [Invitation] {
        try await engine.readHot(RecentInvitations.self, binds: [scope.organizationID.rawValue]).map { try $0.invitation() }
    }

    public func createInvitation(_ new: NewInvitation, _ scope: OrganizationScope, at now: Date) async throws -> Invitation {
        let (organizationID, invitedBy) = (scope.organizationID, scope.userID)
        return try await engine.transaction { database in
            try await self.lockOrganization(organizationID, in: database)
            guard let actor = try await self.membership(userID: invitedBy, organizationID: organizationID, in: database) else {
                throw DomainError.notFound("No organization \(organizationID).")
            }
            try MembershipRules.checkInvitation(kind: actor.organization.kind, actor: actor.role, role: new.role)
            let alreadyMember = try await database.raw("""
                SELECT 1 AS member FROM memberships m JOIN users u ON u.id = m.user_id
                WHERE m.organization_id = \(bind: organizationID.rawValue) AND u.email = \(bind: new.email.canonical) AND m.status = 'active'
                """).first() != nil
            guard !alreadyMember else {
                throw DomainError.conflict("\(new.email) is already a member of this organization.")
            }
            let time = now.storedMilliseconds
            // A pending invitation past its expiry no longer blocks a new one.
            try await database.raw("""
                UPDATE invitations SET status = 'expired', updated_at = \(bind: time)
                WHERE organization_id = \(bind: organizationID.rawValue) AND email = \(bind: new.email.canonical)
                  AND status = 'pending' AND expires_at <= \(bind: time)
                """).run()
            let id = InvitationID.generate()
            try await self.uniquely("\(new.email) already has a pending invitation; revoke it to send a new one.") {
                try await database.raw("""
                    INSERT INTO invitations (id, organization_id, email, role, status, token_hash, token_prefix, invited_by, expires_at, created_at, updated_at)
                    VALUES (\(bind: id.rawValue), \(bind: organizationID.rawValue), \(bind: new.email.canonical), \(bind: new.role.rawValue),
                            'pending', \(bind: new.tokenHash), \(bind: new.tokenPrefix), \(bind: invitedBy.rawValue),
                            \(bind: new.expiresAt.storedMilliseconds), \(bind: time), \(bind: time))
                    """).run()
            }
            return Invitation(
                id: id, organizationID: organizationID, email: new.email, role: new.role, storedStatus: .pending,
                tokenPrefix: new.tokenPrefix, expiresAt: new.expiresAt.truncatedToStoredPrecision,
                createdAt: now.truncatedToStoredPrecision, updatedAt: now.truncatedToStoredPrecision
            )
        }
    }

    public func acceptInvitation(tokenHash: String, _ account: AccountScope, at now: Date) async throws -> (organization: Organization, invitation: Invitation) {
        let (userID, email) = (account.userID, account.email)
        return try await engine.transaction { database in
            guard var invitation = try await database.raw("""
                SELECT \(unsafeRaw: Columns.invitation) FROM invitations i WHERE i.token_hash = \(bind: tokenHash)\(unsafeRaw: self.engine.rowLockClause)
                """).first()?.invitation()
            else { throw DomainError.notFound("No invitation matches this link; check that it was copied whole.") }
            if let refusal = invitation.acceptanceRefusal(by: email, at: now) { throw refusal }
            if try await self.membership(userID: userID, organizationID: invitation.organizationID, in: database) != nil {
                throw DomainError.conflict("You are already a member of this organization.")
            }
            let time = now.storedMilliseconds
            try await database.raw("""
                INSERT INTO memberships (organization_id, user_id, role, status, created_at, updated_at)
                VALUES (\(bind: invitation.organizationID.rawValue), \(bind: userID.rawValue), \(bind: invitation.role.rawValue), 'active', \(bind: time), \(bind: time))
                ON CONFLICT (organization_id, user_id) DO UPDATE SET role = excluded.role, status = 'active', updated_at = excluded.updated_at
                """).run()
            try await database.raw("""
                UPDATE invitations SET status = 'accepted', accepted_by = \(bind: userID.rawValue), updated_at = \(bind: time)
                WHERE id = \(bind: invitation.id.rawValue)
                """).run()
            invitation.storedStatus = .accepted
            invitation.updatedAt = now.truncatedToStoredPrecision
            guard let organization = try await database.raw("""
                SELECT \(unsafeRaw: Columns.organization) FROM organizations o WHERE o.id = \(bind: invitation.organizationID.rawValue)
                """).first()?.organization()
            else { throw DomainError.notFound("The inviting organization no longer exists.") }
            return (organization, invitation)
        }
    }

    public func revokeInvitation(id invitationID: InvitationID, _ scope: OrganizationScope, at now: Date) async throws -> Invitation {
        let organizationID = scope.organizationID
        return try await engine.transaction { database in
            guard var invitation = try await database.raw("""
                SELECT \(unsafeRaw: Columns.invitation) FROM invitations i
                WHERE i.id = \(bind: invitationID.rawValue) AND i.organization_id = \(bind: organizationID.rawValue)\(unsafeRaw: self.engine.rowLockClause)
                """).first()?.invitation()
            else { throw DomainError.notFound("No invitation \(invitationID) in this organization.") }
            guard invitation.status(at: now) == .pending else {
                throw DomainError.conflict("Only pending invitations can be revoked; this one is \(invitation.status(at: now).rawValue).")
            }
            try await database.raw("""
                UPDATE invitations SET status = 'revoked', updated_at = \(bind: now.storedMilliseconds) WHERE id = \(bind: invitationID.rawValue)
                """).run()
            invitation.storedStatus = .revoked
            invitation.updatedAt = now.truncatedToStoredPrecision
            return invitation
        }
    }
}

/// The active members of an organization, oldest first (read by every `GET /v1/organizations/current`).
struct ActiveMembers: HotStatement {
    static let sql = """
        SELECT \(Columns.membership) FROM memberships m JOIN users u ON u.id = m.user_id
        WHERE m.organization_id = $1 AND m.status = 'active'
        ORDER BY m.created_at, m.user_id
        """
}

/// An organization's invitations, newest first.
struct RecentInvitations: HotStatement {
    static let sql = """
        SELECT \(Columns.invitation) FROM invitations i WHERE i.organization_id = $1 ORDER BY i.created_at DESC, i.id LIMIT 500
        """
}
