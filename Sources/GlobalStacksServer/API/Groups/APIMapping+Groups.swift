import GlobalStacksAPI
import GlobalStacksDomain

/// Groups, their members and quotas in the shape of the API.
extension APIMapping {
    static func group(_ group: Group, memberCount: Int) -> Components.Schemas.Group {
        .init(
            id: group.id.rawValue, name: group.name.rawValue, displayName: group.displayName, description: group.description,
            _type: .init(rawValue: group.kind.rawValue)!, parentId: group.parentID?.rawValue, memberCount: memberCount,
            createdAt: group.createdAt, updatedAt: group.updatedAt
        )
    }

    static func groupMembership(_ membership: GroupMembership) -> Components.Schemas.GroupMembership {
        .init(
            id: membership.id.rawValue, userId: membership.userID.rawValue, groupId: membership.groupID.rawValue,
            role: .init(rawValue: membership.role.rawValue)!, createdAt: membership.createdAt
        )
    }

    static func quotaFigures(_ usage: QuotaUsage) -> Components.Schemas.QuotaFigures {
        .init(
            maxSessions: usage.limits.maxSessions, maxCpu: usage.limits.maxCPU?.description, maxMemory: usage.limits.maxMemory?.description,
            maxStorage: usage.limits.maxStorage?.description, usedSessions: usage.used.sessions, usedCpu: usage.used.cpu.description,
            usedMemory: usage.used.memory.description, usedStorage: usage.used.storage.description, updatedAt: usage.updatedAt
        )
    }
}
