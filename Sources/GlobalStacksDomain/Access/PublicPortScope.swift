/// Proof of what anyone may reach without credentials: the ports of one sandbox, if its creator made them public
/// (the store answers only for such a sandbox). Made only by `AccessPolicy.publicPortScope`.
public struct PublicPortScope: Sendable, Equatable {
    public let sandboxID: SandboxID

    init(sandboxID: SandboxID) {
        self.sandboxID = sandboxID
    }
}

extension AccessPolicy {
    /// A visitor without credentials may ask for a sandbox's ports; only a sandbox with public ports answers.
    public static func publicPortScope(_ sandboxID: SandboxID) -> PublicPortScope {
        PublicPortScope(sandboxID: sandboxID)
    }
}
