import GlobalStacksDomain
import GlobalStacksStore

/// The broker's one admission of an invocation, applied when it is asked for (`BrokerService`, to refuse before a
/// run exists) and again from the current state right before its run executes (the invoke executor): installed and
/// runnable (403), the operation declared with its permissions consented (403) and its target kind (400), the input
/// valid for the operation's schema (400), and an able agent in the target (409; 503 when none runs extensions).
public struct InvocationAdmission: Sendable {
    private let store: any InstallRepository & ClusterRepository & AgentRepository

    public init(store: any InstallRepository & ClusterRepository & AgentRepository) {
        self.store = store
    }

    public func admit(_ invocation: ExtensionInvocation, in scope: TenantScope) async throws -> AdmittedInvocation {
        let key = invocation.key
        guard let installed = try await store.install(key: key, scope) else {
            throw DomainError.forbidden("'\(key)' is not installed in the active tenant; install it first (POST /v1/integration-installs/\(key)).")
        }
        let manifest = installed.release.release.manifest
        let (status, reason) = installed.install.effectiveStatus(releaseCompatibility: Compatibility(manifest: manifest, agentCapabilities: []))
        let operation = try BrokerInvocation.admit(
            install: installed.install, status: status, statusReason: reason, manifest: manifest, operation: invocation.operation,
            targetKind: invocation.targetKind
        )
        try BrokerInvocation.validate(input: invocation.input, against: operation)
        let agents = try await ExtensionTargets.agents(
            targetKind: invocation.targetKind, targetID: invocation.targetID, manifest: manifest, scope, store: store
        )
        return AdmittedInvocation(installed: installed, operation: operation, agents: agents)
    }
}
