import Foundation
import GlobalStacksAPI
import GlobalStacksAgentProtocol
import GlobalStacksContract
import GlobalStacksDomain
import GlobalStacksStore
import GlobalStacksUseCases
import Hummingbird
import HummingbirdWebSocket
import Logging
import NIOCore
import OpenAPIHummingbird
import OpenAPIRuntime
import ServiceLifecycle

/// Builds the whole server: store (migrated), first-start bootstrap, router and services.
public func buildApplication(_ configuration: ServerConfiguration, logger: Logger) async throws -> some ApplicationProtocol {
    let opened = try await StoreFactory.open(configuration.database, logger: logger)
    let store = opened.store
    let connections = AgentConnections()
    let live = LiveCommands(connections: connections)
    let sealer = try SecretSealer(keyFile: configuration.secretKeyFile.map { URL(fileURLWithPath: $0) }
        ?? URL(fileURLWithPath: configuration.dataDirectory).appendingPathComponent("secret.key"))
    let grants = ArtifactGrants(sealer: sealer)
    let dispatch = ExtensionDispatch(
        store: store, admission: InvocationAdmission(store: store), live: live, connections: connections, sealer: sealer, grants: grants,
        issuer: CredentialIssuer(store: store, lifetime: CredentialLifetime(configuration))
    )
    let content = try contentStore(configuration, store: store, sealer: sealer)
    let templates = TemplateRunner(store: store, live: live, connections: connections, grants: grants, content: content)
    let catalog = OperationCatalog.standard(
        includeTestOperations: configuration.enableTestOperations, dispatch: dispatch, store: store, live: live, templates: templates
    )
    let gate = OperationGate(store: store, definitions: catalog.all.map(\.definition), counter: OperationStartMetrics())
    // Runs finished by this process's workers, for the requests that wait for one.
    let completions = RunCompletions()
    // Every background service waits on this one gate, opened once the schema is migrated and first start has run.
    let started = StartupGate()
    let heartbeats = HeartbeatRecorder(store: store, startAfter: started, logger: logger)
    let dispatcher = CommandDispatcher(store: store, notifications: opened, connections: connections, startAfter: started, grants: grants, logger: logger)
    let warmPools = WarmPoolKeeper(store: store, connections: connections, commandDeadline: configuration.commandDeadline, startAfter: started, logger: logger)
    let gateway = AgentGateway(
        store: store, heartbeats: heartbeats, services: ServiceReconciler(store: store, live: live), connections: connections, live: live,
        dispatcher: dispatcher, relayURL: configuration.resolvedRelayURL,
        commandDeadline: configuration.commandDeadline,
        pingInterval: configuration.agentPingInterval, logger: logger
    )
    let workspace = WorkspaceService(
        store: store, transport: WorkspaceChannel(live: live), maximumFileBytes: configuration.maximumSandboxFileBytes
    )
    let embeddedAgent = configuration.embeddedAgentDirectory.map { _ in EmbeddedAgentStatus() }
    // One authenticator and one principal cache for the API and the streaming exec, so that the cache's one
    // invalidation (any request that may change state) covers both.
    let authenticator = Authenticator(store: store, lifetime: CredentialLifetime(configuration), principals: PrincipalCache())
    let execStream = ExecStreamEndpoint(
        authenticator: authenticator, workspace: workspace, shellContext: ShellContextService(store: store), publicOrigin: configuration.publicOrigin,
        logger: logger
    )
    let sandboxStates = SandboxStateSignal()
    let portWebSocket = SandboxPortWebSocket(workspace: workspace, authenticator: authenticator, sandboxDomain: configuration.sandboxDomain, logger: logger)
    var app = Application(
        router: SandboxHostRouter(domain: configuration.sandboxDomain, router: try buildRouter(
            store: store, gate: gate, completions: completions, connections: connections, workspace: workspace, authenticator: authenticator,
            execStream: execStream, sealer: sealer, grants: grants, embeddedAgent: embeddedAgent, sandboxStates: sandboxStates,
            warmPools: warmPools, configuration: configuration
        )),
        server: .guardedHTTP1WebSocketUpgrade(
            configuration: .init(
                http1: .init(
                    idleTimeout: TimeAmount(configuration.connections.idleTimeout),
                    httpDecoderConfiguration: .init(
                        maxHeaderFieldSize: ConnectionSettings.maximumRequestHeadBytes, maxHeaderListSize: ConnectionSettings.maximumRequestHeadBytes
                    )
                ),
                ws: .init(maxFrameSize: AgentProtocol.maximumMessageBytes)
            ),
            limiter: connectionLimiter(configuration.connections, logger: logger),
            settings: configuration.connections,
            shouldUpgrade: { request, channel, _ in
                if let stream = await execStream.shouldUpgrade(request, on: channel) { return stream }
                if let port = await portWebSocket.shouldUpgrade(request, on: channel) { return port }
                return try await gateway.shouldUpgrade(request)
            }
        ),
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "gstacks"),
        logger: logger
    )
    if let connectionPool = opened.connectionPool { app.addServices(connectionPool) }
    // Services stop in reverse order, after the HTTP server: the embedded agent (stopping its sandboxes), the
    // workers (handing back runs in flight), then the store.
    app.addServices(
        StoreShutdown(store: opened),
        heartbeats,
        dispatcher,
        SandboxStateListener(notifications: opened, signal: sandboxStates, logger: logger),
        warmPools,
        SandboxReconciler(
            store: store, commandDeadline: configuration.commandDeadline, interval: configuration.reconcileInterval,
            retention: configuration.workers.retention, startAfter: started, logger: logger
        ),
        OperationWorkers(
            store: store, notifications: opened, catalog: catalog.filtered { !longRunningOperations.contains($0) },
            wake: RunWakeSignal(), completions: completions, settings: configuration.workers, credentialsDirectory: configuration.credentialsDirectory,
            startAfter: started, logger: logger
        ),
        // Invocations and template builds wait on agents for up to their time limit: a pool of their own, with a wake
        // signal of its own, so they never hold up the other runs, nor those them.
        OperationWorkers(
            store: store, notifications: opened, catalog: catalog.filtered { longRunningOperations.contains($0) },
            wake: RunWakeSignal(), completions: completions, settings: configuration.invocationWorkerSettings,
            credentialsDirectory: configuration.credentialsDirectory, startAfter: started, isPrimary: false, logger: logger
        )
    )
    if let directory = configuration.embeddedAgentDirectory, let embeddedAgent {
        let loopback = configuration.host == "0.0.0.0" || configuration.host == "::" ? "127.0.0.1" : configuration.host
        app.addServices(EmbeddedAgent(
            store: store, directory: URL(fileURLWithPath: directory), serverURL: URL(string: "http://\(loopback):\(configuration.port)")!,
            startAfter: started, status: embeddedAgent, logger: logger
        ))
    }
    // Runs once the database pool is up and before the first request is accepted.
    app.beforeServerStarts {
        try await opened.migrate(logger: logger)
        try await FirstStart(store: store, configuration: configuration, logger: logger).run()
        started.open()
    }
    return app
}

/// Raises the descriptor limit and caps connections below it (see `DescriptorLimit`), saying what both are.
private func connectionLimiter(_ settings: ConnectionSettings, logger: Logger) -> ConnectionLimiter {
    let descriptors = DescriptorLimit.raiseToHardLimit()
    let capacity = settings.maximumConnections ?? DescriptorLimit.connectionCap(forDescriptorLimit: descriptors)
    logger.info("Accepting up to \(capacity) connections, \(settings.maximumConnectionsPerAddress) per client address", metadata: ["descriptor_limit": "\(descriptors)"])
    return ConnectionLimiter(capacity: capacity, capacityPerAddress: settings.maximumConnectionsPerAddress, logger: logger)
}

/// The routes and middleware, separate from start-up so tests can drive the router directly.
func buildRouter(
    store: any Store, gate: OperationGate, completions: RunCompletions, connections: AgentConnections, workspace: WorkspaceService, authenticator: Authenticator,
    execStream: ExecStreamEndpoint, sealer: SecretSealer, grants: ArtifactGrants,
    embeddedAgent: EmbeddedAgentStatus? = nil, sandboxStates: SandboxStateSignal? = nil, warmPools: WarmPoolKeeper? = nil,
    configuration: ServerConfiguration
) throws -> Router<AppRequestContext> {
    let router = Router(context: AppRequestContext.self)
    let envd = EnvdEndpoint(workspace: workspace, authenticator: authenticator)
    router.addMiddleware {
        NoSniffMiddleware()
        ErrorResponseMiddleware()
        MetricsMiddleware()
        LogRequestsMiddleware(.debug)
        BodySizeLimitMiddleware(maxBytes: configuration.maxRequestBodyBytes)
        RequestEnvironmentMiddleware(principals: authenticator.principals)
    }
    if let relayURL = configuration.resolvedRelayURL {
        router.add(middleware: WorkspaceRelay(
            store: store, connections: connections, authenticator: authenticator, workspace: workspace, ownURL: relayURL
        ))
    }
    ServiceEndpoints(store: store, registry: PrometheusMetrics.registry).addRoutes(to: router)
    // Reached only when the agent gateway refused the upgrade.
    router.get("/v1/sandboxes/:sandboxId/exec/stream") { request, context -> Response in
        throw try await execStream.refusal(request, sandboxPath: context.parameters.get("sandboxId") ?? "")
    }
    router.get(RouterPath(AgentGateway.path)) { request, _ -> Response in
        throw try await AgentGateway.refusal(request, store: store)
    }
    let content = try contentStore(configuration, store: store, sealer: sealer)
    ArtifactEndpoint(grants: grants, content: content).addRoutes(to: router)
    TemplateContentEndpoint(grants: grants, content: content, uploads: store, incoming: contentDirectory(configuration).appendingPathComponent(".incoming")).addRoutes(to: router)
    let useCases = try UseCases(
        store: store, gate: gate, completions: completions, connections: connections, workspace: workspace, lifetime: authenticator.lifetime,
        content: content, sealer: sealer, embeddedAgent: embeddedAgent, sandboxStates: sandboxStates, poolWakeups: warmPools, configuration: configuration
    )
    let api = APIController(useCases, authenticator: authenticator, configuration: configuration)
    try api.registerHandlers(
        on: router,
        configuration: .init(dateTranscoder: MillisecondDateTranscoder(), jsonEncodingOptions: [.sortedKeys, .withoutEscapingSlashes]),
        // Outermost first: errors (401s included) become the contract's body; authentication is decided before any handler.
        middlewares: [APIErrorMiddleware(), AuthenticationMiddleware(authenticator: api.authenticator)]
    )
    ConsoleController(
        useCases: useCases, authenticator: authenticator, renderer: try ConsoleRenderer(), secureCookies: configuration.secureCookies,
        sessionLifetime: configuration.sessionAbsoluteLifetime, deviceSignInProviders: useCases.deviceLogins.order.map(\.name)
    ).addRoutes(to: router)
    E2BController(useCases: useCases, authenticator: authenticator, sandboxDomain: configuration.sandboxDomain).addRoutes(to: router)
    envd.addRoutes(to: router)
    SandboxPortEndpoint(workspace: workspace, authenticator: authenticator).addRoutes(to: router)
    return router
}

/// Operation types whose runs wait on an agent for minutes: they have a pool of workers of their own.
private let longRunningOperations: Set<OperationTypeKey> = [
    OperationTypeDefinition.integrationExtensionInvoke.key, OperationTypeDefinition.templateBuild.key, OperationTypeDefinition.templateSnapshot.key,
]

/// Where uploaded content lives: `content.dir`, else `extension-content` in the data directory.
private func contentDirectory(_ configuration: ServerConfiguration) -> URL {
    configuration.contentDirectory.map { URL(fileURLWithPath: $0) } ?? URL(fileURLWithPath: configuration.dataDirectory).appendingPathComponent("extension-content")
}

/// The content store: files in the content directory, or the `artifact_cache` object store when one is named.
private func contentStore(_ configuration: ServerConfiguration, store: any Store, sealer: SecretSealer) throws -> any ContentStore {
    let files = FileContentStore(directory: contentDirectory(configuration))
    return try configuration.artifactCacheStore.map { id in
        guard let storeID = ObjectStoreID(path: id) else { throw SettingError("artifact.cache.store (--artifact-cache-store) must be an object store id, a UUID (got '\(id.prefix(64))').") }
        return ArtifactCacheContentStore(storeID: storeID, directory: store, sealer: sealer, files: files)
    } ?? files
}

/// Closes database connections after the HTTP server has stopped.
struct StoreShutdown: Service {
    let store: StoreHandle

    func run() async throws {
        try? await gracefulShutdown()
        await store.shutdown()
    }
}
