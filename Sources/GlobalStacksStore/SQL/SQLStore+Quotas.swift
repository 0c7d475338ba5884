import Foundation
import GlobalStacksDomain
import SQLKit

extension SQLStore: QuotaRepository {
    public func createGroup(_ group: NewGroup, _ scope: OrganizationScope, at now: Date) async throws -> Group {
        let organizationID = scope.organizationID
        return try await engine.transaction { database in
            if let parentID = group.parentID {
                guard try await self.group(parentID, organizationID, database) != nil else {
                    throw DomainError.notFound("No parent group \(parentID) in the active organization.")
                }
            }
            let created = Group(
                id: .generate(), organizationID: organizationID, parentID: group.parentID, name: group.name, displayName: group.displayName,
                description: group.description, kind: group.kind, createdAt: now.truncatedToStoredPrecision, updatedAt: now.truncatedToStoredPrecision
            )
            let inserted = try await database.raw("""
                INSERT INTO user_groups (id, organization_id, parent_id, name, display_name, description, kind, created_at, updated_at)
                VALUES (\(bind: created.id.rawValue), \(bind: organizationID.rawValue), \(bind: group.parentID?.rawValue),
                    \(bind: group.name.rawValue), \(bind: group.displayName), \(bind: group.description), \(bind: group.kind.rawValue),
                    \(bind: now.storedMilliseconds), \(bind: now.storedMilliseconds))
                ON CONFLICT DO NOTHING RETURNING id
                """).first()
            guard inserted != nil else { throw DomainError.conflict("A group named '\(group.name.rawValue)' already exists in this organization.") }
            return created
        }
    }

    public func groups(_ scope: OrganizationScope) async throws -> [Group] {
        let organizationID = scope.organizationID
        return try await engine.read { database in try await self.allGroups(organizationID, database).values.sorted { $0.name.rawValue < $1.name.rawValue } }
    }

    public func groupMemberCounts(_ scope: OrganizationScope) async throws -> [GroupID: Int] {
        let organizationID = scope.organizationID
        return try await engine.read { database in
            let rows = try await database.raw("""
                SELECT m.group_id, CAST(COUNT(*) AS BIGINT) AS members FROM user_group_members m JOIN user_groups g ON g.id = m.group_id
                WHERE g.organization_id = \(bind: organizationID.rawValue) GROUP BY m.group_id
                """).all()
            return Dictionary(uniqueKeysWithValues: try rows.map { (try $0.identifier("group_id"), Int(try $0.decode(column: "members", as: Int64.self))) })
        }
    }

    public func group(id: GroupID, _ scope: OrganizationScope) async throws -> Group? {
        let organizationID = scope.organizationID
        return try await engine.read { database in try await self.group(id, organizationID, database) }
    }

    public func deleteGroup(id: GroupID, _ scope: OrganizationScope) async throws {
        let organizationID = scope.organizationID
        try await engine.transaction { database in
            guard try await self.group(id, organizationID, database) != nil else { throw Self.noGroup(id) }
            if try await database.raw("SELECT id FROM user_groups WHERE parent_id = \(bind: id.rawValue) LIMIT 1").first() != nil {
                throw DomainError.conflict("Group \(id) has subgroups; delete or move them first.")
            }
            try await database.raw("DELETE FROM user_group_members WHERE group_id = \(bind: id.rawValue)").run()
            try await database.raw("""
                DELETE FROM quotas WHERE organization_id = \(bind: organizationID.rawValue) AND subject_kind = 'group' AND subject_id = \(bind: id.rawValue)
                """).run()
            try await database.raw("DELETE FROM user_groups WHERE id = \(bind: id.rawValue)").run()
        }
    }

    public func addGroupMember(groupID: GroupID, userID: UserID, role: GroupRole, _ scope: OrganizationScope, at now: Date) async throws -> GroupMembership {
        let organizationID = scope.organizationID
        return try await engine.transaction { database in
            // Under the organization's lock, as in removeMember, so a place cannot outlive a concurrent removal.
            try await self.lockOrganization(organizationID, in: database)
            guard try await self.group(groupID, organizationID, database) != nil else { throw Self.noGroup(groupID) }
            guard try await self.membership(userID: userID, organizationID: organizationID, in: database) != nil
            else { throw DomainError.notFound("No member \(userID) in the active organization; invite them first.") }
            let membership = GroupMembership(id: .generate(), groupID: groupID, userID: userID, role: role, createdAt: now.truncatedToStoredPrecision)
            let inserted = try await database.raw("""
                INSERT INTO user_group_members (id, group_id, user_id, role, created_at)
                VALUES (\(bind: membership.id.rawValue), \(bind: groupID.rawValue), \(bind: userID.rawValue), \(bind: role.rawValue), \(bind: now.storedMilliseconds))
                ON CONFLICT DO NOTHING RETURNING id
                """).first()
            guard inserted != nil else { throw DomainError.conflict("User \(userID) is already in group \(groupID).") }
            return membership
        }
    }

    public func groupMembers(groupID: GroupID, _ scope: OrganizationScope) async throws -> [GroupMembership] {
        let organizationID = scope.organizationID
        return try await engine.read { database in
            guard try await self.group(groupID, organizationID, database) != nil else { throw Self.noGroup(groupID) }
            return try await database.raw("""
                SELECT id, group_id, user_id, role, created_at FROM user_group_members WHERE group_id = \(bind: groupID.rawValue)
                ORDER BY created_at, id LIMIT 1000
                """).all().map { row in
                    GroupMembership(
                        id: try row.identifier("id"), groupID: try row.identifier("group_id"), userID: try row.identifier("user_id"),
                        role: try row.enumValue("role"), createdAt: try row.date("created_at")
                    )
                }
        }
    }

    public func removeGroupMember(groupID: GroupID, userID: UserID, _ scope: OrganizationScope) async throws {
        let organizationID = scope.organizationID
        try await engine.transaction { database in
            guard try await self.group(groupID, organizationID, database) != nil else { throw Self.noGroup(groupID) }
            let removed = try await database.raw("""
                DELETE FROM user_group_members WHERE group_id = \(bind: groupID.rawValue) AND user_id = \(bind: userID.rawValue) RETURNING id
                """).first()
            guard removed != nil else { throw DomainError.notFound("User \(userID) is not in group \(groupID).") }
        }
    }

    public func setQuota(_ target: QuotaTarget, _ scope: OrganizationScope, change: QuotaLimits, at now: Date) async throws -> QuotaUsage {
        let organizationID = scope.organizationID
        return try await engine.transaction { database in
            // Under the organization's lock, as in removeMember, so a user quota cannot outlive a concurrent removal.
            try await self.lockOrganization(organizationID, in: database)
            try await self.requireTarget(target, organizationID, database)
            let current = try await self.quotaUsage(target, organizationID, database)
            let limits = try current.limits.updated(with: change)
            let (kind, subject) = Self.subjectKey(target, organizationID)
            try await database.raw("""
                INSERT INTO quotas (organization_id, subject_kind, subject_id, max_sessions, max_cpu_millicores, max_memory_bytes, max_storage_bytes, created_at, updated_at)
                VALUES (\(bind: organizationID.rawValue), \(bind: kind), \(bind: subject), \(bind: limits.maxSessions), \(bind: limits.maxCPU?.millicores),
                    \(bind: limits.maxMemory?.bytes), \(bind: limits.maxStorage?.bytes), \(bind: now.storedMilliseconds), \(bind: now.storedMilliseconds))
                ON CONFLICT (organization_id, subject_kind, subject_id) DO UPDATE SET max_sessions = excluded.max_sessions,
                    max_cpu_millicores = excluded.max_cpu_millicores, max_memory_bytes = excluded.max_memory_bytes,
                    max_storage_bytes = excluded.max_storage_bytes, updated_at = excluded.updated_at
                """).run()
            return QuotaUsage(target: target, limits: limits, used: current.used, updatedAt: now.truncatedToStoredPrecision)
        }
    }

    public func removeQuota(_ target: QuotaTarget, _ scope: OrganizationScope) async throws {
        let organizationID = scope.organizationID
        try await engine.transaction { database in
            try await self.requireTarget(target, organizationID, database)
            let (kind, subject) = Self.subjectKey(target, organizationID)
            try await database.raw("""
                DELETE FROM quotas WHERE organization_id = \(bind: organizationID.rawValue) AND subject_kind = \(bind: kind) AND subject_id = \(bind: subject)
                """).run()
        }
    }

    public func quotaUsage(_ target: QuotaTarget, _ scope: OrganizationScope) async throws -> QuotaUsage {
        let organizationID = scope.organizationID
        return try await engine.read { database in
            try await self.requireTarget(target, organizationID, database)
            return try await self.quotaUsage(target, organizationID, database)
        }
    }

    public func applicableQuotas(_ scope: OrganizationScope) async throws -> [QuotaUsage] {
        let (userID, organizationID) = (scope.userID, scope.organizationID)
        return try await engine.read { database in try await self.applicableQuotas(userID, organizationID, database) }
    }

    // MARK: - Admission

    /// Throws the most restrictive refusal when `use` does not fit every quota that applies to the user. Call it inside
    /// the transaction that stores the sandbox, after locking the organization.
    func admit(_ use: ResourceUse, for userID: UserID, organizationID: OrganizationID, _ database: any SQLDatabase) async throws {
        let groups = try await allGroups(organizationID, database)
        let quotas = try await applicableQuotas(userID, organizationID, database, groups: groups).map { usage in
            let subject: QuotaSubject = switch usage.target {
            case .organization: .organization
            case .user: .user
            case .group(let id): .group(name: groups[id]?.name.rawValue ?? id.rawValue)
            }
            return ApplicableQuota(subject: subject, limits: usage.limits, used: usage.used)
        }
        try QuotaCheck.admit(use, under: quotas)
    }

    private func applicableQuotas(
        _ userID: UserID, _ organizationID: OrganizationID, _ database: any SQLDatabase, groups known: [GroupID: Group]? = nil
    ) async throws -> [QuotaUsage] {
        let groups = if let known { known } else { try await allGroups(organizationID, database) }
        let direct: [GroupID] = try await database.raw("""
            SELECT m.group_id FROM user_group_members m JOIN user_groups g ON g.id = m.group_id
            WHERE m.user_id = \(bind: userID.rawValue) AND g.organization_id = \(bind: organizationID.rawValue)
            """).all().map { try $0.identifier("group_id") }
        var targets: [QuotaTarget] = [.user(userID)]
        var seen = Set<GroupID>()
        for id in direct {
            for ancestor in Group.ancestry(of: id, in: groups) where seen.insert(ancestor).inserted {
                targets.append(.group(ancestor))
            }
        }
        targets.append(.organization)
        var result: [QuotaUsage] = []
        for target in targets {
            let usage = try await quotaUsage(target, organizationID, database, groups: groups)
            if usage.updatedAt != nil { result.append(usage) }
        }
        return result
    }

    private func quotaUsage(_ target: QuotaTarget, _ organizationID: OrganizationID, _ database: any SQLDatabase, groups: [GroupID: Group]? = nil) async throws -> QuotaUsage {
        let (kind, subject) = Self.subjectKey(target, organizationID)
        let row = try await database.raw("""
            SELECT max_sessions, max_cpu_millicores, max_memory_bytes, max_storage_bytes, updated_at FROM quotas
            WHERE organization_id = \(bind: organizationID.rawValue) AND subject_kind = \(bind: kind) AND subject_id = \(bind: subject)
            """).first()
        let limits = try QuotaLimits(
            maxSessions: row?.decode(column: "max_sessions", as: Int?.self),
            maxCPU: row?.decode(column: "max_cpu_millicores", as: Int64?.self).map(CPUQuantity.init(millicores:)),
            maxMemory: row?.decode(column: "max_memory_bytes", as: Int64?.self).map(ByteQuantity.init(bytes:)),
            maxStorage: row?.decode(column: "max_storage_bytes", as: Int64?.self).map(ByteQuantity.init(bytes:))
        )
        let creators: SQLQueryString
        switch target {
        case .organization:
            creators = ""
        case .user(let id):
            creators = " AND created_by = \(bind: id.rawValue)"
        case .group(let id):
            let known = groups
            let groups = if let known { known } else { try await allGroups(organizationID, database) }
            let subtree = groups.keys.filter { Group.ancestry(of: $0, in: groups).contains(id) }.map(\.rawValue)
            creators = " AND created_by IN (SELECT user_id FROM user_group_members WHERE group_id IN (\(binds: subtree.isEmpty ? [id.rawValue] : subtree)))"
        }
        let used = try await database.raw("""
            SELECT CAST(COALESCE(SUM(holds_compute), 0) AS BIGINT) AS sessions,
                CAST(COALESCE(SUM(holds_compute * cpu_millicores), 0) AS BIGINT) AS cpu,
                CAST(COALESCE(SUM(holds_compute * memory_bytes), 0) AS BIGINT) AS memory,
                CAST(COALESCE(SUM(storage_bytes), 0) AS BIGINT) AS storage
            FROM sandboxes WHERE organization_id = \(bind: organizationID.rawValue) AND state <> 'terminated' AND pooled = 0\(creators)
            """).first()
        return QuotaUsage(
            target: target, limits: limits,
            used: ResourceUse(
                sessions: Int(try used?.decode(column: "sessions", as: Int64.self) ?? 0),
                cpu: CPUQuantity(millicores: try used?.decode(column: "cpu", as: Int64.self) ?? 0),
                memory: ByteQuantity(bytes: try used?.decode(column: "memory", as: Int64.self) ?? 0),
                storage: ByteQuantity(bytes: try used?.decode(column: "storage", as: Int64.self) ?? 0)
            ),
            updatedAt: try row?.optionalDate("updated_at")
        )
    }

    // MARK: - Helpers

    private static func noGroup(_ id: GroupID) -> DomainError { .notFound("No group \(id) in the active organization.") }

    static func subjectKey(_ target: QuotaTarget, _ organizationID: OrganizationID) -> (kind: String, subject: String) {
        switch target {
        case .organization: ("organization", organizationID.rawValue)
        case .user(let id): ("user", id.rawValue)
        case .group(let id): ("group", id.rawValue)
        }
    }

    private func requireTarget(_ target: QuotaTarget, _ organizationID: OrganizationID, _ database: any SQLDatabase) async throws {
        switch target {
        case .organization:
            return
        case .user(let id):
            guard try await membership(userID: id, organizationID: organizationID, in: database) != nil
            else { throw DomainError.notFound("No member \(id) in the active organization.") }
        case .group(let id):
            guard try await group(id, organizationID, database) != nil else { throw Self.noGroup(id) }
        }
    }

    private func group(_ id: GroupID, _ organizationID: OrganizationID, _ database: any SQLDatabase) async throws -> Group? {
        try await database.raw("""
            SELECT \(unsafeRaw: Columns.group) FROM user_groups g WHERE g.id = \(bind: id.rawValue) AND g.organization_id = \(bind: organizationID.rawValue)
            """).first()?.group()
    }

    private func allGroups(_ organizationID: OrganizationID, _ database: any SQLDatabase) async throws -> [GroupID: Group] {
        let groups = try await database.raw("""
            SELECT \(unsafeRaw: Columns.group) FROM user_groups g WHERE g.organization_id = \(bind: organizationID.rawValue) LIMIT 10000
            """).all().map { try $0.group() }
        return Dictionary(uniqueKeysWithValues: groups.map { ($0.id, $0) })
    }
}
