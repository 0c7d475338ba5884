import Foundation
import GlobalStacksAgent
import GlobalStacksAgentProtocol
import GlobalStacksDomain
import GlobalStacksStore
import GlobalStacksUseCases
import Logging
import ServiceLifecycle

/// `gstacks server --embedded-agent`: a single-node installation that runs sandboxes with no second process. The
/// server enrolls an agent of its own into the `globalstacks-managed` cluster `local` (created on first start,
/// visible to every tenant), approves it, keeps its key in `<directory>/agent.json` (0600), and runs it: the same
/// `gstacks agent` code, dialing this server over loopback like any other agent.
struct EmbeddedAgent: Service {
    static let clusterSlug = "local"
    static let agentName = "embedded"

    /// System parts only: the server enrolls its agent as the platform, with no principal behind it.
    let store: any EmbeddedAgentBootstrap & IdentityBootstrap & AgentEnrollmentAuthority & AgentPresenceRepository
    let directory: URL
    let serverURL: URL
    let startAfter: StartupGate
    let status: EmbeddedAgentStatus
    let logger: Logger
    /// How often an agent not yet enrolled looks for the first site admin (made by setup, maybe on another replica).
    static let siteAdminPollInterval: Duration = .milliseconds(500)

    /// Never ends the server: a problem (no site admin yet, bubblewrap missing, the agent revoked) is logged and
    /// retried until the server shuts down.
    func run() async throws {
        await cancelWhenGracefulShutdown {
            await startAfter.wait()
        }
        var agentLogger = self.logger
        agentLogger[metadataKey: "component"] = "embedded-agent"
        let logger = agentLogger
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    status.starting()
                    try await runAgent(logger: logger)
                    // Returning without cancellation means the control plane sent `shutdown` (a revoke).
                    guard !Task.isCancelled else { return }
                    status.failed("it was told to shut down (revoked?).")
                    logger.notice("The embedded agent was told to shut down (revoked?); trying again in 30 s")
                } catch {
                    guard !Task.isCancelled else { return }
                    status.failed("\(error)")
                    logger.error("The embedded agent is not running; trying again in 30 s", metadata: ["error": "\(error)"])
                }
                try? await Task.sleep(for: .seconds(30))
            }
        }
    }

    private func runAgent(logger: Logger) async throws {
        guard SandboxIsolation.detect() != .plain else {
            // Never unconfined (see below), so no --allow-unconfined here: the hint is to install bubblewrap.
            throw DomainError.conflict(
                "bubblewrap (bwrap) is not installed, or not on PATH, so the embedded agent cannot confine sandboxes. Install it (apt-get install bubblewrap). "
                    + "The embedded agent never runs sandboxes unconfined (they would run as the server's user, beside its database); where bubblewrap cannot be "
                    + "installed, run a separate `gstacks agent --allow-unconfined` as another user."
            )
        }
        let credentialsFile = directory.appendingPathComponent("agent.json")
        if let credentials = try AgentCredentials.load(from: credentialsFile) {
            guard try await store.agent(keyHash: SecretHasher.hash(credentials.key), at: Date()) != nil else {
                throw DomainError.conflict("The embedded agent was revoked; delete \(credentialsFile.path) and restart the server to enroll it again.")
            }
        } else {
            try await enroll(into: credentialsFile)
        }
        var settings = AgentSettings(serverURL: serverURL, provisioningToken: nil, credentialsFile: credentialsFile, name: Self.agentName)
        settings.capacity = Self.hostCapacity
        settings.sandboxDirectory = directory.appendingPathComponent("sandboxes")
        settings.extensionsDirectory = directory.appendingPathComponent("extensions")
        settings.servicesDirectory = directory.appendingPathComponent("data-plane")
        // Never unconfined: its sandboxes would run as the server's user, next to its database.
        settings.allowUnconfined = false
        try await AgentRuntime(settings: settings, logger: logger).run()
    }

    /// Enrolls and approves the embedded agent directly in the store, then saves its key.
    private func enroll(into credentialsFile: URL) async throws {
        try AgentCredentials.checkWritable(credentialsFile)
        let cluster = try await store.managedCluster(
            slug: try Slug(validating: Self.clusterSlug), creatingWithName: "local", provider: "process", metadata: ["embedded": "true"], at: Date()
        )
        let token = SecretToken.generate(prefix: SecretPrefix.provisioningToken)
        let now = Date()
        // The server is the operator here; the token is used at once and never leaves this process.
        let creator = try await firstSiteAdmin()
        _ = try await store.createProvisioningToken(NewProvisioningToken(
            name: "embedded agent", tokenHash: SecretHasher.hash(token.value), tokenPrefix: token.displayPrefix, singleUse: true,
            expiresAt: now.addingTimeInterval(300), createdBy: creator
        ), managedClusterID: cluster.id, at: now)
        let key = SecretToken.generate(prefix: SecretPrefix.agentKey)
        let capacity = Self.hostCapacity
        let agent = try await store.registerAgent(AgentRegistration(
            name: Self.agentName, platform: .process, region: nil,
            capacity: AgentCapacity(maxSessions: capacity.maxSessions, cpu: try CPUQuantity(parsing: capacity.cpu), memory: try ByteQuantity(parsing: capacity.memory)),
            capabilities: Set(["process"] + (ExtensionRunner.isAvailable ? [InvokeExtensionPayload.runtimeCapability] : [])
                + (TemplateBuilder.isAvailable ? [BuildTemplatePayload.buildCapability] : [])), metadata: ["embedded": "true"]
        ), provisioningTokenHash: SecretHasher.hash(token.value), keyHash: SecretHasher.hash(key.value), keyPrefix: key.displayPrefix, at: now)
        _ = try await store.approveManagedAgent(id: agent.id, by: creator, at: now)
        try AgentCredentials(agentID: agent.id.rawValue, name: agent.name, key: key.value, serverURL: serverURL.absoluteString).save(to: credentialsFile)
        logger.notice("Enrolled the embedded agent into the managed cluster 'local'", metadata: ["agent_id": "\(agent.id)", "cluster_id": "\(cluster.id)"])
    }

    /// The first site admin, waiting for setup to make one: the agent enrolls the moment it exists.
    private func firstSiteAdmin() async throws -> UserID {
        if let admin = try await store.firstSiteAdmin() { return admin }
        logger.info("The embedded agent enrolls as soon as the first site admin exists: redeem the setup token printed above (gstacks setup URL)")
        while true {
            try await Task.sleep(for: Self.siteAdminPollInterval)
            if let admin = try await store.firstSiteAdmin() { return admin }
        }
    }

    /// Half the host's cores and 4Gi, at most 8 sandboxes: room for the control plane beside them.
    static var hostCapacity: CapacityPayload {
        let cores = max(1, ProcessInfo.processInfo.activeProcessorCount)
        return CapacityPayload(maxSessions: 8, cpu: "\(max(500, cores * 500))m", memory: "4Gi")
    }
}
