import Foundation
import GlobalStacksDomain
import Testing

@Suite("Organization roles and invitations")
struct MembershipRulesTests {
    @Test func membersCannotChangeRoles() {
        #expect(throws: DomainError.self) {
            try MembershipRules.checkRoleChange(kind: .business, actor: .member, target: .member, newRole: .admin, activeOwners: 1)
        }
    }

    @Test func onlyOwnersTouchTheOwnerRole() throws {
        #expect(throws: DomainError.forbidden("Only owners can grant or change the owner role.")) {
            try MembershipRules.checkRoleChange(kind: .business, actor: .admin, target: .member, newRole: .owner, activeOwners: 1)
        }
        #expect(throws: DomainError.self) {
            try MembershipRules.checkRoleChange(kind: .business, actor: .admin, target: .owner, newRole: .member, activeOwners: 2)
        }
        try MembershipRules.checkRoleChange(kind: .business, actor: .owner, target: .member, newRole: .owner, activeOwners: 1)
        try MembershipRules.checkRoleChange(kind: .business, actor: .admin, target: .member, newRole: .admin, activeOwners: 1)
    }

    @Test func theLastOwnerCanBeNeitherDemotedNorRemoved() throws {
        let lastOwner = DomainError.Kind.conflict
        do {
            try MembershipRules.checkRoleChange(kind: .business, actor: .owner, target: .owner, newRole: .admin, activeOwners: 1)
            Issue.record("expected a conflict")
        } catch let error as DomainError {
            #expect(error.kind == lastOwner)
        }
        #expect(throws: DomainError.self) {
            try MembershipRules.checkRemoval(kind: .business, actor: .owner, target: .owner, isSelf: true, activeOwners: 1)
        }
        try MembershipRules.checkRoleChange(kind: .business, actor: .owner, target: .owner, newRole: .admin, activeOwners: 2)
        try MembershipRules.checkRemoval(kind: .business, actor: .owner, target: .owner, isSelf: false, activeOwners: 2)
    }

    @Test func membersMayLeaveButNotRemoveOthers() throws {
        try MembershipRules.checkRemoval(kind: .business, actor: .member, target: .member, isSelf: true, activeOwners: 1)
        #expect(throws: DomainError.self) {
            try MembershipRules.checkRemoval(kind: .business, actor: .member, target: .member, isSelf: false, activeOwners: 1)
        }
        #expect(throws: DomainError.self) {
            try MembershipRules.checkRemoval(kind: .business, actor: .admin, target: .owner, isSelf: false, activeOwners: 2)
        }
    }

    @Test func invitations() throws {
        #expect(throws: DomainError.self) { try MembershipRules.checkInvitation(kind: .business, actor: .member, role: .member) }
        #expect(throws: DomainError.self) { try MembershipRules.checkInvitation(kind: .business, actor: .admin, role: .owner) }
        try MembershipRules.checkInvitation(kind: .business, actor: .admin, role: .admin)
        try MembershipRules.checkInvitation(kind: .business, actor: .owner, role: .owner)
    }

    @Test func personalOrganizationsHaveNoOtherMembers() {
        #expect(throws: DomainError.self) { try MembershipRules.checkInvitation(kind: .personal, actor: .owner, role: .member) }
        #expect(throws: DomainError.self) {
            try MembershipRules.checkRoleChange(kind: .personal, actor: .owner, target: .owner, newRole: .member, activeOwners: 2)
        }
        #expect(throws: DomainError.self) {
            try MembershipRules.checkRemoval(kind: .personal, actor: .owner, target: .owner, isSelf: true, activeOwners: 2)
        }
    }

    @Test func invitationStatusAndAcceptance() {
        let now = Date()
        let invitation = Invitation(
            id: .generate(), organizationID: .generate(), email: EmailAddress(canonical: "bo@example.com"), role: .member,
            storedStatus: .pending, tokenPrefix: "gsi_abc", expiresAt: now.addingTimeInterval(60), createdAt: now, updatedAt: now
        )
        #expect(invitation.status(at: now) == .pending)
        #expect(invitation.status(at: now.addingTimeInterval(61)) == .expired)
        #expect(invitation.acceptanceRefusal(by: EmailAddress(canonical: "bo@example.com"), at: now) == nil)
        #expect(invitation.acceptanceRefusal(by: EmailAddress(canonical: "eve@example.com"), at: now)?.kind == .conflict)
        #expect(invitation.acceptanceRefusal(by: EmailAddress(canonical: "bo@example.com"), at: now.addingTimeInterval(61))?.kind == .conflict)
        var revoked = invitation
        revoked.storedStatus = .revoked
        #expect(revoked.acceptanceRefusal(by: EmailAddress(canonical: "bo@example.com"), at: now)?.kind == .conflict)
    }
}
