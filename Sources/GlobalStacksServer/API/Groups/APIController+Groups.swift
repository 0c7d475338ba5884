import GlobalStacksAPI
import GlobalStacksContract
import GlobalStacksUseCases

/// The operations of this area, mapped to its handler.
extension APIController {
    var groups: GroupsHandler { GroupsHandler(groups: useCases.groups) }

    func listGroups(_ input: Operations.ListGroups.Input) async throws -> Operations.ListGroups.Output { try await groups.listGroups(input, caller: try caller) }
    func createGroup(_ input: Operations.CreateGroup.Input) async throws -> Operations.CreateGroup.Output { try await groups.createGroup(input, caller: try caller) }
    func getGroup(_ input: Operations.GetGroup.Input) async throws -> Operations.GetGroup.Output { try await groups.getGroup(input, caller: try caller) }
    func deleteGroup(_ input: Operations.DeleteGroup.Input) async throws -> Operations.DeleteGroup.Output { try await groups.deleteGroup(input, caller: try caller) }
    func listGroupMembers(_ input: Operations.ListGroupMembers.Input) async throws -> Operations.ListGroupMembers.Output { try await groups.listGroupMembers(input, caller: try caller) }
    func addGroupMember(_ input: Operations.AddGroupMember.Input) async throws -> Operations.AddGroupMember.Output { try await groups.addGroupMember(input, caller: try caller) }
    func removeGroupMember(_ input: Operations.RemoveGroupMember.Input) async throws -> Operations.RemoveGroupMember.Output { try await groups.removeGroupMember(input, caller: try caller) }
    func getGroupQuota(_ input: Operations.GetGroupQuota.Input) async throws -> Operations.GetGroupQuota.Output { try await groups.getGroupQuota(input, caller: try caller) }
    func setGroupQuota(_ input: Operations.SetGroupQuota.Input) async throws -> Operations.SetGroupQuota.Output { try await groups.setGroupQuota(input, caller: try caller) }
    func removeGroupQuota(_ input: Operations.RemoveGroupQuota.Input) async throws -> Operations.RemoveGroupQuota.Output { try await groups.removeGroupQuota(input, caller: try caller) }
    func getUserQuota(_ input: Operations.GetUserQuota.Input) async throws -> Operations.GetUserQuota.Output { try await groups.getUserQuota(input, caller: try caller) }
    func setUserQuota(_ input: Operations.SetUserQuota.Input) async throws -> Operations.SetUserQuota.Output { try await groups.setUserQuota(input, caller: try caller) }
    func removeUserQuota(_ input: Operations.RemoveUserQuota.Input) async throws -> Operations.RemoveUserQuota.Output { try await groups.removeUserQuota(input, caller: try caller) }
    func getOrganizationQuota(_ input: Operations.GetOrganizationQuota.Input) async throws -> Operations.GetOrganizationQuota.Output { try await groups.getOrganizationQuota(input, caller: try caller) }
    func setOrganizationQuota(_ input: Operations.SetOrganizationQuota.Input) async throws -> Operations.SetOrganizationQuota.Output { try await groups.setOrganizationQuota(input, caller: try caller) }
    func removeOrganizationQuota(_ input: Operations.RemoveOrganizationQuota.Input) async throws -> Operations.RemoveOrganizationQuota.Output { try await groups.removeOrganizationQuota(input, caller: try caller) }
    func getQuotaUsage(_ input: Operations.GetQuotaUsage.Input) async throws -> Operations.GetQuotaUsage.Output { try await groups.getQuotaUsage(input, caller: try caller) }
}
