import Foundation
import GlobalStacksAPI
import GlobalStacksDomain
import GlobalStacksStore
import GlobalStacksUseCases

/// Groups and quotas of the active organization. Every member may read them; owners and admins change them.
struct GroupsHandler {
    let store: any RequestStore
    let authenticator: Authenticator

    func listGroups(_ input: Operations.ListGroups.Input) async throws -> Operations.ListGroups.Output {
        let scope = AccessPolicy.organizationScope(try authenticator.principal())
        let groups = try await store.groups(scope)
        let counts = try await store.groupMemberCounts(scope)
        return .ok(.init(body: .json(.init(items: groups.map { APIMapping.group($0, memberCount: counts[$0.id] ?? 0) }))))
    }

    func createGroup(_ input: Operations.CreateGroup.Input) async throws -> Operations.CreateGroup.Output {
        let scope = try await organizationManagedByCaller()
        guard case .json(let request) = input.body else { throw DomainError.invalidInput("Send a JSON body.") }
        let name = try Slug(validating: request.name, field: "name")
        let group = try await store.createGroup(NewGroup(
            name: name, displayName: try Validation.name(request.displayName ?? name.rawValue, field: "displayName"),
            description: try Validation.description(request.description), kind: request._type.flatMap { GroupKind(rawValue: $0.rawValue) } ?? .team,
            parentID: try request.parentId.map { try pathID($0, "parent group") }
        ), scope, at: Date())
        return .created(.init(body: .json(APIMapping.group(group, memberCount: 0))))
    }

    func getGroup(_ input: Operations.GetGroup.Input) async throws -> Operations.GetGroup.Output {
        let scope = AccessPolicy.organizationScope(try authenticator.principal())
        let group = try await visibleGroup(input.path.groupId, scope)
        let members = try await store.groupMemberCounts(scope)[group.id] ?? 0
        return .ok(.init(body: .json(APIMapping.group(group, memberCount: members))))
    }

    func deleteGroup(_ input: Operations.DeleteGroup.Input) async throws -> Operations.DeleteGroup.Output {
        let scope = try await organizationManagedByCaller()
        try await store.deleteGroup(id: try pathID(input.path.groupId, "group"), scope)
        return .noContent(.init())
    }

    func listGroupMembers(_ input: Operations.ListGroupMembers.Input) async throws -> Operations.ListGroupMembers.Output {
        let scope = AccessPolicy.organizationScope(try authenticator.principal())
        let members = try await store.groupMembers(groupID: try pathID(input.path.groupId, "group"), scope)
        return .ok(.init(body: .json(.init(items: members.map(APIMapping.groupMembership)))))
    }

    func addGroupMember(_ input: Operations.AddGroupMember.Input) async throws -> Operations.AddGroupMember.Output {
        let scope = try await organizationManagedByCaller()
        guard case .json(let request) = input.body else { throw DomainError.invalidInput("Send a JSON body.") }
        let membership = try await store.addGroupMember(
            groupID: try pathID(input.path.groupId, "group"), userID: try pathID(request.userId, "user"),
            role: request.role.flatMap { GroupRole(rawValue: $0.rawValue) } ?? .member, scope, at: Date()
        )
        return .created(.init(body: .json(APIMapping.groupMembership(membership))))
    }

    func removeGroupMember(_ input: Operations.RemoveGroupMember.Input) async throws -> Operations.RemoveGroupMember.Output {
        let scope = try await organizationManagedByCaller()
        try await store.removeGroupMember(
            groupID: try pathID(input.path.groupId, "group"), userID: try pathID(input.path.userId, "user"), scope
        )
        return .noContent(.init())
    }

    func getGroupQuota(_ input: Operations.GetGroupQuota.Input) async throws -> Operations.GetGroupQuota.Output {
        let scope = AccessPolicy.organizationScope(try authenticator.principal())
        let groupID: GroupID = try pathID(input.path.groupId, "group")
        let usage = try await store.quotaUsage(.group(groupID), scope)
        return .ok(.init(body: .json(.init(value1: APIMapping.quotaFigures(usage), value2: .init(groupId: groupID.rawValue)))))
    }

    func setGroupQuota(_ input: Operations.SetGroupQuota.Input) async throws -> Operations.SetGroupQuota.Output {
        let scope = try await organizationManagedByCaller()
        let groupID: GroupID = try pathID(input.path.groupId, "group")
        guard case .json(let request) = input.body else { throw DomainError.invalidInput("Send a JSON body.") }
        let usage = try await store.setQuota(.group(groupID), scope, change: try Self.quotaChange(request), at: Date())
        return .ok(.init(body: .json(.init(value1: APIMapping.quotaFigures(usage), value2: .init(groupId: groupID.rawValue)))))
    }

    func removeGroupQuota(_ input: Operations.RemoveGroupQuota.Input) async throws -> Operations.RemoveGroupQuota.Output {
        let scope = try await organizationManagedByCaller()
        try await store.removeQuota(.group(try pathID(input.path.groupId, "group")), scope)
        return .noContent(.init())
    }

    func getUserQuota(_ input: Operations.GetUserQuota.Input) async throws -> Operations.GetUserQuota.Output {
        let scope = AccessPolicy.organizationScope(try authenticator.principal())
        let userID: UserID = try pathID(input.path.userId, "member")
        let usage = try await store.quotaUsage(.user(userID), scope)
        return .ok(.init(body: .json(.init(value1: APIMapping.quotaFigures(usage), value2: .init(userId: userID.rawValue)))))
    }

    func setUserQuota(_ input: Operations.SetUserQuota.Input) async throws -> Operations.SetUserQuota.Output {
        let scope = try await organizationManagedByCaller()
        let userID: UserID = try pathID(input.path.userId, "member")
        guard case .json(let request) = input.body else { throw DomainError.invalidInput("Send a JSON body.") }
        let usage = try await store.setQuota(.user(userID), scope, change: try Self.quotaChange(request), at: Date())
        return .ok(.init(body: .json(.init(value1: APIMapping.quotaFigures(usage), value2: .init(userId: userID.rawValue)))))
    }

    func removeUserQuota(_ input: Operations.RemoveUserQuota.Input) async throws -> Operations.RemoveUserQuota.Output {
        let scope = try await organizationManagedByCaller()
        try await store.removeQuota(.user(try pathID(input.path.userId, "member")), scope)
        return .noContent(.init())
    }

    func getOrganizationQuota(_ input: Operations.GetOrganizationQuota.Input) async throws -> Operations.GetOrganizationQuota.Output {
        let scope = AccessPolicy.organizationScope(try authenticator.principal())
        let usage = try await store.quotaUsage(.organization, scope)
        return .ok(.init(body: .json(.init(value1: APIMapping.quotaFigures(usage), value2: .init(organizationId: scope.organizationID.rawValue)))))
    }

    func setOrganizationQuota(_ input: Operations.SetOrganizationQuota.Input) async throws -> Operations.SetOrganizationQuota.Output {
        let scope = try await organizationManagedByCaller()
        guard case .json(let request) = input.body else { throw DomainError.invalidInput("Send a JSON body.") }
        let usage = try await store.setQuota(.organization, scope, change: try Self.quotaChange(request), at: Date())
        return .ok(.init(body: .json(.init(value1: APIMapping.quotaFigures(usage), value2: .init(organizationId: scope.organizationID.rawValue)))))
    }

    func removeOrganizationQuota(_ input: Operations.RemoveOrganizationQuota.Input) async throws -> Operations.RemoveOrganizationQuota.Output {
        try await store.removeQuota(.organization, try await organizationManagedByCaller())
        return .noContent(.init())
    }

    func getQuotaUsage(_ input: Operations.GetQuotaUsage.Input) async throws -> Operations.GetQuotaUsage.Output {
        let principal = try authenticator.principal()
        let quotas = try await store.applicableQuotas(AccessPolicy.organizationScope(principal))
        return .ok(.init(body: .json(.init(items: quotas.map { usage in
            let (scope, subject): (Components.Schemas.QuotaUsageEntry.ScopePayload, String) = switch usage.target {
            case .organization: (.organization, principal.organization.organization.id.rawValue)
            case .user(let id): (.user, id.rawValue)
            case .group(let id): (.group, id.rawValue)
            }
            return .init(scope: scope, subjectId: subject, quota: APIMapping.quotaFigures(usage))
        }))))
    }

    private static func quotaChange(_ request: Components.Schemas.SetQuotaRequest) throws -> QuotaLimits {
        QuotaLimits(
            maxSessions: request.maxSessions, maxCPU: try request.maxCpu.map { try CPUQuantity(parsing: $0) },
            maxMemory: try request.maxMemory.map { try ByteQuantity(parsing: $0) }, maxStorage: try request.maxStorage.map { try ByteQuantity(parsing: $0) }
        )
    }

    private func organizationManagedByCaller() async throws -> OrganizationScope {
        try AccessPolicy.organizationScope(requiring: .manageOrganization, try authenticator.principal())
    }

    private func visibleGroup(_ pathValue: String, _ scope: OrganizationScope) async throws -> Group {
        let id: GroupID = try pathID(pathValue, "group")
        guard let group = try await store.group(id: id, scope) else { throw DomainError.notFound("No group \(id) in the active organization.") }
        return group
    }
}
