import GlobalStacksDomain
import GlobalStacksStore

/// Where an invocation may run: approved, online agents of the target cluster that offer `extensions.runtime` and
/// every capability the release asks for. Checked when the invocation is asked for (to answer 409 or 503 at once)
/// and again when its run executes.
enum ExtensionTargets {
    /// Target kinds the broker resolves to agents.
    static let kinds = ["cluster"]

    static func agents(
        targetKind: String, targetID: String, manifest: ExtensionManifest, _ scope: TenantScope, store: some ClusterRepository & AgentRepository & InstallRepository
    ) async throws -> [Agent] {
        guard kinds.contains(targetKind) else {
            throw DomainError.invalidInput("targetKind '\(targetKind.prefix(100))' is not one the broker runs on (it runs on: \(kinds.joined(separator: ", "))).")
        }
        guard let clusterID = ClusterID(path: targetID), let cluster = try await store.cluster(id: clusterID, visibleTo: .tenant(scope)) else {
            throw DomainError.invalidInput("targetId '\(targetID.prefix(100))' names no cluster the active tenant may use.")
        }
        let runtime = BrokerInvocation.runtimeCapability
        let required = [runtime] + manifest.agentCapabilities
        let candidates = try await store.agents(visibleTo: .tenant(scope), clusterID: cluster.id).filter(\.receivesWork)
        let able = candidates.filter { agent in required.allSatisfy(agent.capabilities.contains) }
        guard !able.isEmpty else {
            // Only on the way to a refusal: whether any agent at all could run extensions (503) or not this target (409).
            guard try await store.agentCapabilities(scope).contains(runtime) else {
                throw DomainError.unavailable("No agent of the clusters this tenant may use runs extensions: an operator must connect one that offers '\(runtime)' (gstacks agent with the process driver and bubblewrap installed). Extensions never run in the control plane.")
            }
            let missing = required.filter { capability in !candidates.contains { $0.capabilities.contains(capability) } }
            let what = candidates.isEmpty ? "has no approved, online agent"
                : missing.isEmpty ? "has no single approved, online agent offering all of \(required.joined(separator: ", "))"
                : "has no approved, online agent offering \(missing.map { "'\($0)'" }.joined(separator: ", "))"
            throw DomainError.conflict("Cluster '\(cluster.name)' \(what), which '\(manifest.key)' needs to run.")
        }
        return able
    }
}
