import Foundation
import GlobalStacksAgentProtocol
import GlobalStacksDomain
import GlobalStacksStore
import Logging

/// Keeps what a host runs in line with the Data Plane's records: when a host connects it is told again to run each
/// of its instances' services (it restarts them from its own disk by itself; this covers a host that lost them) and
/// to remove those being deleted (finishing a delete that found the host away). Its health reports move the
/// instances' states.
struct ServiceReconciler: Sendable {
    let store: any DataPlaneServiceRegistry
    let live: LiveCommands

    /// A host that is not approved (any more) is told nothing: the services' environments are not sent to it.
    func hostConnected(_ host: Agent, logger: Logger) async {
        guard host.approval == .approved else { return }
        let agent = host.id
        do {
            for instance in try await store.dataPlaneInstances(agentID: agent) {
                do {
                    if instance.state == .draining {
                        try await ServiceCommands.remove(instance, live: live)
                        _ = try await store.recordServiceRemoved(instance.id, agentID: agent, at: Date())
                    } else if instance.state.wantsService, let service = instance.service {
                        try await ServiceCommands.start(instance, service, live: live)
                    }
                } catch {
                    logger.notice("A host did not take a data-plane service command", metadata: [
                        "instance_id": "\(instance.id)", "tenant_id": "\(instance.tenantID)", "error": "\(error)",
                    ])
                }
            }
        } catch {
            logger.error("Reading the host's data-plane instances failed", metadata: ["error": "\(error)"])
        }
    }

    /// The agent's `service_status`: `healthy`, `unhealthy`/`restarting` (degraded) and `failed` move the instance;
    /// `starting` keeps its state and records the health.
    func record(_ report: ServiceStatusMessage, from agent: AgentID, logger: Logger) async throws {
        guard let id = DataPlaneInstanceID(path: report.serviceId) else { return }
        let state: DataPlaneInstanceState? = switch report.state {
        case "healthy": .healthy
        case "unhealthy", "restarting": .degraded
        case "failed": .failed
        default: nil
        }
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        let health = try JSONDecoder().decode([String: JSONValue].self, from: encoder.encode(report.health))
        if let instance = try await store.recordServiceHealth(id, agentID: agent, state: state, reason: report.reason, health: health, at: Date()) {
            logger.info("Data-plane service reported", metadata: [
                "instance_id": "\(instance.id)", "tenant_id": "\(instance.tenantID)", "report": "\(report.state)", "state": "\(instance.state.rawValue)",
            ])
        }
    }
}
