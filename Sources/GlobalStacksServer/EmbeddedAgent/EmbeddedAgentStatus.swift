import GlobalStacksDomain
import GlobalStacksUseCases
import Synchronization

/// Whether the embedded agent is on its way or stopped by a problem, so that a sandbox refused for want of an online
/// agent tells a single-node operator what is really happening, instead of advising to enroll an agent.
final class EmbeddedAgentStatus: PlacementAdvice {
    /// Why the embedded agent last failed to run; nil while it starts or runs.
    private let failure = Mutex<String?>(nil)

    func starting() { failure.withLock { $0 = nil } }
    func failed(_ reason: String) { failure.withLock { $0 = reason } }

    /// Placement's "no agent" refusals, explained by the embedded agent; nil for every other error (and for a
    /// refusal that does not come from a missing agent, such as full agents).
    func explain(_ error: DomainError) -> DomainError? {
        let missingAgent = [PlacementRefusal.noAgents, .noneApproved, .noneOnline].map(\.message)
        guard error.kind == .conflict, missingAgent.contains(error.message) else { return nil }
        if let reason = failure.withLock({ $0 }) {
            return .conflict("The embedded agent is not running: \(reason) It tries again every 30 s; the server's log says more.")
        }
        return .conflict("The embedded agent is starting; try again in a moment.")
    }
}
