/// Proof that a principal acts for the platform (site operator or admin): the `globalstacks-managed` clusters, their
/// agents and provisioning tokens, to change. Made only by `AccessPolicy.platformScope`.
public struct PlatformScope: Sendable, Equatable {
    public let operatorID: UserID

    init(operatorID: UserID) {
        self.operatorID = operatorID
    }
}
