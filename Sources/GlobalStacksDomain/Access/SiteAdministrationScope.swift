/// Proof that a principal is a site admin, required by the store methods that manage every user account.
/// Made only by `AccessPolicy`.
public struct SiteAdministrationScope: Sendable, Equatable {
    public let adminID: UserID

    init(adminID: UserID) {
        self.adminID = adminID
    }
}
