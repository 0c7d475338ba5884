import Foundation
import GlobalStacksAPI
import GlobalStacksContract
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

    /// A quota's limits and usage, in the fields every quota schema shares (the contract's `QuotaFigures`).
    private struct Figures {
        let maxSessions: Int?, maxCpu: String?, maxMemory: String?, maxStorage: String?
        let usedSessions: Int, usedCpu: String, usedMemory: String, usedStorage: String
        let updatedAt: Date?

        init(_ usage: QuotaUsage) {
            maxSessions = usage.limits.maxSessions
            maxCpu = usage.limits.maxCPU?.description
            maxMemory = usage.limits.maxMemory?.description
            maxStorage = usage.limits.maxStorage?.description
            usedSessions = usage.used.sessions
            usedCpu = usage.used.cpu.description
            usedMemory = usage.used.memory.description
            usedStorage = usage.used.storage.description
            updatedAt = usage.updatedAt
        }
    }

    static func quotaFigures(_ usage: QuotaUsage) -> Components.Schemas.QuotaFigures {
        let f = Figures(usage)
        return .init(
            maxSessions: f.maxSessions, maxCpu: f.maxCpu, maxMemory: f.maxMemory, maxStorage: f.maxStorage, usedSessions: f.usedSessions,
            usedCpu: f.usedCpu, usedMemory: f.usedMemory, usedStorage: f.usedStorage, updatedAt: f.updatedAt
        )
    }

    static func userQuota(_ usage: QuotaUsage, userID: UserID) -> Components.Schemas.UserQuota {
        let f = Figures(usage)
        return .init(
            maxSessions: f.maxSessions, maxCpu: f.maxCpu, maxMemory: f.maxMemory, maxStorage: f.maxStorage, usedSessions: f.usedSessions,
            usedCpu: f.usedCpu, usedMemory: f.usedMemory, usedStorage: f.usedStorage, updatedAt: f.updatedAt, userId: userID.rawValue
        )
    }

    static func groupQuota(_ usage: QuotaUsage, groupID: GroupID) -> Components.Schemas.GroupQuota {
        let f = Figures(usage)
        return .init(
            maxSessions: f.maxSessions, maxCpu: f.maxCpu, maxMemory: f.maxMemory, maxStorage: f.maxStorage, usedSessions: f.usedSessions,
            usedCpu: f.usedCpu, usedMemory: f.usedMemory, usedStorage: f.usedStorage, updatedAt: f.updatedAt, groupId: groupID.rawValue
        )
    }

    static func organizationQuota(_ usage: QuotaUsage, organizationID: String) -> Components.Schemas.OrganizationQuota {
        let f = Figures(usage)
        return .init(
            maxSessions: f.maxSessions, maxCpu: f.maxCpu, maxMemory: f.maxMemory, maxStorage: f.maxStorage, usedSessions: f.usedSessions,
            usedCpu: f.usedCpu, usedMemory: f.usedMemory, usedStorage: f.usedStorage, updatedAt: f.updatedAt, organizationId: organizationID
        )
    }
}
