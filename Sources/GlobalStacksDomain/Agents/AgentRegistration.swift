/// What a host sends to enroll (the contract's AgentRegistrationRequest plus capabilities), validated.
public struct AgentRegistration: Sendable {
    public let name: String
    public let platform: AgentPlatform
    public let region: String?
    public let capacity: AgentCapacity?
    public let capabilities: Set<String>
    public let metadata: [String: String]

    public init(name: String, platform: AgentPlatform, region: String?, capacity: AgentCapacity?, capabilities: Set<String>, metadata: [String: String]) {
        self.name = name
        self.platform = platform
        self.region = region
        self.capacity = capacity
        self.capabilities = capabilities
        self.metadata = metadata
    }
}
