import GlobalStacksAPI
import GlobalStacksContract
import GlobalStacksDomain
import GlobalStacksUseCases

/// Quotas of the active organization, its members and its groups.
extension GroupsHandler {
    func getGroupQuota(_ input: Operations.GetGroupQuota.Input, caller: Caller) async throws -> Operations.GetGroupQuota.Output {
        let groupID: GroupID = try pathID(input.path.groupId, "group")
        let usage = try await groups.quota(.group(groupID), caller: caller)
        return .ok(.init(body: .json(APIMapping.groupQuota(usage, groupID: groupID))))
    }

    func setGroupQuota(_ input: Operations.SetGroupQuota.Input, caller: Caller) async throws -> Operations.SetGroupQuota.Output {
        let groupID: GroupID = try pathID(input.path.groupId, "group")
        guard case .json(let request) = input.body else { throw DomainError.invalidInput("Send a JSON body.") }
        let usage = try await groups.setQuota(.group(groupID), try Self.quotaChange(request), caller: caller)
        return .ok(.init(body: .json(APIMapping.groupQuota(usage, groupID: groupID))))
    }

    func removeGroupQuota(_ input: Operations.RemoveGroupQuota.Input, caller: Caller) async throws -> Operations.RemoveGroupQuota.Output {
        try await groups.removeQuota(.group(try pathID(input.path.groupId, "group")), caller: caller)
        return .noContent(.init())
    }

    func getUserQuota(_ input: Operations.GetUserQuota.Input, caller: Caller) async throws -> Operations.GetUserQuota.Output {
        let userID: UserID = try pathID(input.path.userId, "member")
        let usage = try await groups.quota(.user(userID), caller: caller)
        return .ok(.init(body: .json(APIMapping.userQuota(usage, userID: userID))))
    }

    func setUserQuota(_ input: Operations.SetUserQuota.Input, caller: Caller) async throws -> Operations.SetUserQuota.Output {
        let userID: UserID = try pathID(input.path.userId, "member")
        guard case .json(let request) = input.body else { throw DomainError.invalidInput("Send a JSON body.") }
        let usage = try await groups.setQuota(.user(userID), try Self.quotaChange(request), caller: caller)
        return .ok(.init(body: .json(APIMapping.userQuota(usage, userID: userID))))
    }

    func removeUserQuota(_ input: Operations.RemoveUserQuota.Input, caller: Caller) async throws -> Operations.RemoveUserQuota.Output {
        try await groups.removeQuota(.user(try pathID(input.path.userId, "member")), caller: caller)
        return .noContent(.init())
    }

    func getOrganizationQuota(_ input: Operations.GetOrganizationQuota.Input, caller: Caller) async throws -> Operations.GetOrganizationQuota.Output {
        let usage = try await groups.quota(.organization, caller: caller)
        return .ok(.init(body: .json(APIMapping.organizationQuota(usage, organizationID: Self.organizationID(caller)))))
    }

    func setOrganizationQuota(_ input: Operations.SetOrganizationQuota.Input, caller: Caller) async throws -> Operations.SetOrganizationQuota.Output {
        guard case .json(let request) = input.body else { throw DomainError.invalidInput("Send a JSON body.") }
        let usage = try await groups.setQuota(.organization, try Self.quotaChange(request), caller: caller)
        return .ok(.init(body: .json(APIMapping.organizationQuota(usage, organizationID: Self.organizationID(caller)))))
    }

    func removeOrganizationQuota(_ input: Operations.RemoveOrganizationQuota.Input, caller: Caller) async throws -> Operations.RemoveOrganizationQuota.Output {
        try await groups.removeQuota(.organization, caller: caller)
        return .noContent(.init())
    }

    func getQuotaUsage(_ input: Operations.GetQuotaUsage.Input, caller: Caller) async throws -> Operations.GetQuotaUsage.Output {
        let quotas = try await groups.applicableQuotas(caller: caller)
        return .ok(.init(body: .json(.init(items: quotas.map { usage in
            let (scope, subject): (Components.Schemas.QuotaUsageEntry.ScopePayload, String) = switch usage.target {
            case .organization: (.organization, Self.organizationID(caller))
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

    private static func organizationID(_ caller: Caller) -> String {
        caller.principal.organization.organization.id.rawValue
    }
}
