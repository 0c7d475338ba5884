import Foundation
import GlobalStacksDomain
import GlobalStacksStore
import GlobalStacksUseCases

extension UseCases {
    /// The services on this server's store, with its implementations of their ports: bcrypt, the OIDC providers, the
    /// agents' connections, the content directory, the embedded agent's advice.
    init(
        store: some RequestStore & CredentialAuthority & IdentityBootstrap & AgentEnrollmentAuthority & DeviceLoginAuthority, gate: OperationGate,
        completions: RunCompletions, connections: AgentConnections, workspace: WorkspaceService, lifetime: CredentialLifetime,
        content: any ContentStore, sealer: SecretSealer, embeddedAgent: EmbeddedAgentStatus?, sandboxStates: SandboxStateSignal?,
        poolWakeups: (any WarmPoolWakeups)? = nil, configuration: ServerConfiguration
    ) throws {
        let issuer = CredentialIssuer(store: store, lifetime: lifetime)
        // One throttle for every anonymous attempt of this process: password sign-ins, setup, sign-up, device sign-ins.
        let throttle = LoginThrottle(attemptsPerWindow: configuration.loginAttemptsPerWindow, window: configuration.loginWindow)
        let clusters = ClusterService(store: store)
        self.init(
            identity: IdentityService(
                accounts: store, identity: store, issuer: issuer, passwords: PasswordHasher(cost: UInt8(clamping: configuration.bcryptCost)),
                throttle: throttle, allowSignUp: configuration.allowSignUp
            ),
            deviceLogins: DeviceLoginService(
                providers: try configuration.oidcProviders().map { try OIDCDeviceSignIn($0, sealer: sealer) }, store: store, issuer: issuer,
                throttle: throttle
            ),
            organizations: OrganizationService(store: store, publicURL: configuration.resolvedPublicURL),
            tenants: TenantService(store: store),
            groups: GroupService(store: store),
            clusters: clusters,
            agents: AgentService(store: store, clusters: clusters, connections: connections),
            sandboxes: SandboxService(
                store: store, commandDeadline: configuration.commandDeadline, issuer: issuer, placementAdvice: embeddedAgent,
                stateWakeups: sandboxStates, poolCounter: WarmPoolMetrics(), poolWakeups: poolWakeups
            ),
            workspace: workspace,
            operations: OperationService(store: store, gate: gate, credentialsDirectory: configuration.credentialsDirectory),
            publishing: PublishingService(store: store, content: content),
            review: ReviewService(store: store, content: content),
            installs: InstallService(store: store, sealer: sealer, gate: gate),
            broker: BrokerService(store: store, admission: InvocationAdmission(store: store), gate: gate, completions: completions),
            dataPlane: DataPlaneService(store: store, gate: gate),
            shellContext: ShellContextService(store: store),
            templates: TemplateService(store: store, gate: gate, content: content, commandDeadline: configuration.commandDeadline)
        )
    }
}
