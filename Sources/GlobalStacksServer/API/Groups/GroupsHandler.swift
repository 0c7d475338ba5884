import GlobalStacksAPI
import GlobalStacksContract
import GlobalStacksDomain
import GlobalStacksUseCases

/// Groups and quotas of the active organization: maps the contract's input to `GroupService` and its results back.
struct GroupsHandler {
    let groups: GroupService

    func listGroups(_ input: Operations.ListGroups.Input, caller: Caller) async throws -> Operations.ListGroups.Output {
        let items = try await groups.groups(caller: caller).map { APIMapping.group($0.group, memberCount: $0.memberCount) }
        return .ok(.init(body: .json(.init(items: items))))
    }

    func createGroup(_ input: Operations.CreateGroup.Input, caller: Caller) async throws -> Operations.CreateGroup.Output {
        guard case .json(let request) = input.body else { throw DomainError.invalidInput("Send a JSON body.") }
        let group = try await groups.create(
            name: request.name, displayName: request.displayName, description: request.description,
            kind: request._type.flatMap { GroupKind(rawValue: $0.rawValue) }, parentID: try request.parentId.map { try pathID($0, "parent group") },
            caller: caller
        )
        return .created(.init(body: .json(APIMapping.group(group, memberCount: 0))))
    }

    func getGroup(_ input: Operations.GetGroup.Input, caller: Caller) async throws -> Operations.GetGroup.Output {
        let counted = try await groups.group(try pathID(input.path.groupId, "group"), caller: caller)
        return .ok(.init(body: .json(APIMapping.group(counted.group, memberCount: counted.memberCount))))
    }

    func deleteGroup(_ input: Operations.DeleteGroup.Input, caller: Caller) async throws -> Operations.DeleteGroup.Output {
        try await groups.delete(try pathID(input.path.groupId, "group"), caller: caller)
        return .noContent(.init())
    }

    func listGroupMembers(_ input: Operations.ListGroupMembers.Input, caller: Caller) async throws -> Operations.ListGroupMembers.Output {
        let members = try await groups.members(of: try pathID(input.path.groupId, "group"), caller: caller)
        return .ok(.init(body: .json(.init(items: members.map(APIMapping.groupMembership)))))
    }

    func addGroupMember(_ input: Operations.AddGroupMember.Input, caller: Caller) async throws -> Operations.AddGroupMember.Output {
        guard case .json(let request) = input.body else { throw DomainError.invalidInput("Send a JSON body.") }
        let membership = try await groups.add(
            try pathID(request.userId, "user"), to: try pathID(input.path.groupId, "group"),
            role: request.role.flatMap { GroupRole(rawValue: $0.rawValue) }, caller: caller
        )
        return .created(.init(body: .json(APIMapping.groupMembership(membership))))
    }

    func removeGroupMember(_ input: Operations.RemoveGroupMember.Input, caller: Caller) async throws -> Operations.RemoveGroupMember.Output {
        try await groups.remove(try pathID(input.path.userId, "user"), from: try pathID(input.path.groupId, "group"), caller: caller)
        return .noContent(.init())
    }
}
