/// Filters for listing sandboxes.
public struct SandboxFilter: Sendable, Equatable {
    public var state: SandboxState?
    /// Every one of these labels, with exactly this value.
    public var labels: [String: String]

    public init(state: SandboxState? = nil, labels: [String: String] = [:]) {
        self.state = state
        self.labels = labels
    }

    public func matches(labelsOf sandbox: Sandbox) -> Bool {
        labels.allSatisfy { sandbox.spec.labels[$0.key] == $0.value }
    }
}
