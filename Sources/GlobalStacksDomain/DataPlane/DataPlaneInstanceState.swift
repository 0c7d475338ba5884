/// Where a data-plane instance is in its life. The provisioning run, the agent's health reports and delete move it;
/// only legal moves are taken.
public enum DataPlaneInstanceState: String, Sendable, Codable, CaseIterable {
    /// Created; provisioning runs, or the service has not passed its first health check yet.
    case provisioning
    case healthy
    /// Health checks fail, or the service is being restarted: it may come back by itself.
    case degraded
    /// The service cannot be kept up (provisioning failed, or the agent gave up restarting it), with the reason.
    case failed
    /// Deleting: the agent is removing the service and its data.
    case draining
    /// Gone, with its data. Kept as a record.
    case deleted

    public func canTransition(to next: DataPlaneInstanceState) -> Bool {
        Self.transitions[self, default: []].contains(next)
    }

    private static let transitions: [DataPlaneInstanceState: Set<DataPlaneInstanceState>] = [
        .provisioning: [.healthy, .degraded, .failed, .draining],
        .healthy: [.degraded, .failed, .draining],
        .degraded: [.healthy, .failed, .draining],
        // A new start of the service (the agent restarted it after a new `start_service`) can bring it back.
        .failed: [.healthy, .degraded, .draining],
        .draining: [.deleted],
        .deleted: [],
    ]

    /// States in which the agent should run the service.
    public var wantsService: Bool {
        switch self {
        case .provisioning, .healthy, .degraded, .failed: true
        case .draining, .deleted: false
        }
    }

    public func requireTransition(to next: DataPlaneInstanceState, action: String) throws {
        guard canTransition(to: next) else {
            throw DomainError.conflict("Cannot \(action) a data-plane instance that is \(rawValue).")
        }
    }
}
