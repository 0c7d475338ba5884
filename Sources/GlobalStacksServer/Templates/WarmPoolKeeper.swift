import Foundation
import GlobalStacksDomain
import GlobalStacksStore
import GlobalStacksUseCases
import Logging
import ServiceLifecycle

/// Keeps warm pools full: every two seconds, and at once after a create claimed a waiting sandbox, it starts what each
/// pool lacks on each agent connected to this process and retires waiting sandboxes that failed or are not wanted.
/// Several replicas may run it: each fills pools on the agents connected to it.
final class WarmPoolKeeper: Service, WarmPoolWakeups, Sendable {
    private let store: any WarmPoolKeeping
    private let connections: AgentConnections
    private let commandDeadline: TimeInterval
    private let startAfter: StartupGate
    private let logger: Logger
    private let wake = RunWakeSignal()
    private let counter = WarmPoolMetrics()
    static let interval: Duration = .seconds(2)

    init(store: any WarmPoolKeeping, connections: AgentConnections, commandDeadline: TimeInterval, startAfter: StartupGate, logger: Logger) {
        self.store = store
        self.connections = connections
        self.commandDeadline = commandDeadline
        self.startAfter = startAfter
        self.logger = logger
    }

    func poolClaimed() { wake.signal() }

    func run() async throws {
        await cancelWhenGracefulShutdown { await self.startAfter.wait() }
        guard !Task.isCancelled, !Task.isShuttingDownGracefully else { return }
        let wakeUps = wake.subscribe()
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                group.addTask {
                    while !Task.isCancelled {
                        try? await Task.sleep(for: Self.interval)
                        self.wake.signal()
                    }
                }
                group.addTask {
                    for await _ in wakeUps { await self.refill() }
                }
            }
        }
        wake.finish()
    }

    func refill() async {
        do {
            let now = Date()
            let changes = try await store.refillWarmPools(
                connectedAgents: connections.connectedAgents, commandDeadline: now.addingTimeInterval(commandDeadline), at: now
            )
            counter.count(.refilled, changes.started.count)
            for change in changes.started + changes.retired {
                logger.info("Warm pool", metadata: [
                    "sandbox_id": "\(change.sandbox.id)", "tenant_id": "\(change.sandbox.tenantID)", "agent_id": "\(change.sandbox.agentID)",
                    "action": "\(change.command.action.rawValue)",
                ])
            }
        } catch {
            logger.error("Refilling warm pools failed; retrying", metadata: ["error": "\(error)"])
        }
    }
}
