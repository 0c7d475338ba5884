/// Filters for listing sandboxes.
public struct SandboxFilter: Sendable, Equatable {
    public var state: SandboxState?
    public var label: (key: String, value: String)?

    public init(state: SandboxState? = nil, label: (key: String, value: String)? = nil) {
        self.state = state
        self.label = label
    }

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.state == rhs.state && lhs.label?.key == rhs.label?.key && lhs.label?.value == rhs.label?.value
    }
}
