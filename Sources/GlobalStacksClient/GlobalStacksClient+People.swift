import Foundation
import GlobalStacksContract

extension GlobalStacksClient {
    public typealias OrganizationMember = Components.Schemas.OrganizationMember
    public typealias OrganizationInvitation = Components.Schemas.OrganizationInvitation
    public typealias Group = Components.Schemas.Group
    public typealias GroupMembership = Components.Schemas.GroupMembership

    /// The active organization's members.
    public func members() async throws -> [OrganizationMember] {
        try await call { try await client.getCurrentOrganization().ok.body.json.members }
    }

    public func setMemberRole(_ userID: String, role: String) async throws -> OrganizationMember {
        guard let role = Components.Schemas.OrganizationRole(rawValue: role) else {
            throw GlobalStacksClientError(status: 400, message: "role must be owner, admin or member.")
        }
        return try await call {
            try await client.updateOrganizationMember(path: .init(userId: userID), body: .json(.init(role: role))).ok.body.json
        }
    }

    public func removeMember(_ userID: String) async throws {
        _ = try await call { try await client.removeOrganizationMember(path: .init(userId: userID)).ok }
    }

    public func invitations() async throws -> [OrganizationInvitation] {
        try await call { try await client.listOrganizationInvitations().ok.body.json.items }
    }

    /// Invites someone; the answer's `acceptUrl` holds the secret token, shown this once.
    public func invite(email: String, role: String) async throws -> OrganizationInvitation {
        guard let role = Components.Schemas.OrganizationRole(rawValue: role) else {
            throw GlobalStacksClientError(status: 400, message: "role must be owner, admin or member.")
        }
        return try await call {
            try await client.createOrganizationInvitation(body: .json(.init(email: email, role: role))).created.body.json
        }
    }

    public func revokeInvitation(_ id: String) async throws {
        _ = try await call { try await client.revokeOrganizationInvitation(path: .init(invitationId: id)).ok }
    }

    public func acceptInvitation(token: String) async throws {
        _ = try await call { try await client.acceptOrganizationInvitation(path: .init(token: token)).ok }
    }

    public func groups() async throws -> [Group] {
        try await call { try await client.listGroups().ok.body.json.items }
    }

    public func createGroup(name: String, displayName: String?, parentID: String?) async throws -> Group {
        try await call {
            try await client.createGroup(body: .json(.init(name: name, displayName: displayName, parentId: parentID))).created.body.json
        }
    }

    public func deleteGroup(_ id: String) async throws {
        _ = try await call { try await client.deleteGroup(path: .init(groupId: id)).noContent }
    }

    public func groupMembers(_ id: String) async throws -> [GroupMembership] {
        try await call { try await client.listGroupMembers(path: .init(groupId: id)).ok.body.json.items }
    }

    public func addGroupMember(_ id: String, userID: String) async throws {
        _ = try await call { try await client.addGroupMember(path: .init(groupId: id), body: .json(.init(userId: userID))).created }
    }

    public func removeGroupMember(_ id: String, userID: String) async throws {
        _ = try await call { try await client.removeGroupMember(path: .init(groupId: id, userId: userID)).noContent }
    }

    /// Where a quota is set: the organization, a member, or a group.
    public enum QuotaTarget: Sendable {
        case organization
        case member(String)
        case group(String)
    }

    public func setQuota(_ target: QuotaTarget, maxSessions: Int?, maxCpu: String?, maxMemory: String?, maxStorage: String?) async throws {
        let body = Components.Schemas.SetQuotaRequest(maxSessions: maxSessions, maxCpu: maxCpu, maxMemory: maxMemory, maxStorage: maxStorage)
        _ = try await call {
            switch target {
            case .organization: _ = try await client.setOrganizationQuota(body: .json(body)).ok
            case .member(let user): _ = try await client.setUserQuota(path: .init(userId: user), body: .json(body)).ok
            case .group(let group): _ = try await client.setGroupQuota(path: .init(groupId: group), body: .json(body)).ok
            }
        }
    }

    public func removeQuota(_ target: QuotaTarget) async throws {
        _ = try await call {
            switch target {
            case .organization: _ = try await client.removeOrganizationQuota().noContent
            case .member(let user): _ = try await client.removeUserQuota(path: .init(userId: user)).noContent
            case .group(let group): _ = try await client.removeGroupQuota(path: .init(groupId: group)).noContent
            }
        }
    }
}
