import Foundation
import GlobalStacksAgentProtocol
import GlobalStacksDomain
import GlobalStacksStore
import Logging
import ServiceLifecycle

/// Delivers stored commands to the agents connected to this process. Commands are written to the database first
/// (by the API or the reconciler); this service only reads them and sends. It wakes when this process stores one,
/// on a PostgreSQL notification from another replica, and once a second as a fallback. An agent that connects gets
/// every unfinished command again; it treats a repeated `commandId` as the same command.
final class CommandDispatcher: Service, Sendable {
    private let store: any AgentCommandRepository
    private let notifications: any StoreNotifications
    private let connections: AgentConnections
    private let wake = RunWakeSignal()
    private let startAfter: StartupGate
    /// Mints the credential with which an agent fetches a sandbox's template.
    private let grants: ArtifactGrants?
    private let logger: Logger

    init(
        store: any AgentCommandRepository, notifications: any StoreNotifications, connections: AgentConnections, startAfter: StartupGate,
        grants: ArtifactGrants? = nil, logger: Logger
    ) {
        self.grants = grants
        self.store = store
        self.notifications = notifications
        self.connections = connections
        self.startAfter = startAfter
        self.logger = logger
    }

    /// New commands are stored; deliver them soon.
    func signal() { wake.signal() }

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await self.startAfter.wait()
        }
        guard !Task.isCancelled, !Task.isShuttingDownGracefully else { return }
        let wakeUps = wake.subscribe()
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                group.addTask { await self.listen() }
                group.addTask {
                    while !Task.isCancelled {
                        try? await Task.sleep(for: .seconds(1))
                        self.wake.signal()
                    }
                }
                group.addTask {
                    for await _ in wakeUps {
                        await self.deliverPending()
                    }
                }
            }
        }
        wake.finish()
    }

    /// Sends every unfinished command of a newly connected agent, in the order they were issued.
    private func redeliver(to agent: AgentID) async {
        var logger = self.logger
        logger[metadataKey: "agent_id"] = "\(agent)"
        do {
            let deliveries = try await store.unfinishedCommands(agentID: agent)
            guard !deliveries.isEmpty else { return }
            let writtenAt = Date()
            let sent = await send(deliveries, logger: logger)
            try await store.markCommandsSent(sent, at: writtenAt)
            logger.info("Delivered unfinished commands again after the agent connected", metadata: ["commands": "\(sent.count)"])
        } catch {
            logger.error("Redelivering commands failed; they are sent with the next delivery", metadata: ["error": "\(error)"])
        }
    }

    /// One loop delivers everything, so an agent's commands go out in the order they were issued: first every
    /// unfinished command of agents that just connected, then new commands of the others.
    private func deliverPending() async {
        let fresh = connections.takeFresh()
        for agent in fresh {
            await redeliver(to: agent)
        }
        let agents = connections.connectedAgents.filter { !fresh.contains($0) }
        // Bounded IN lists; an agent's commands stay in order because one loop delivers them.
        for chunk in stride(from: 0, to: agents.count, by: 500).map({ Array(agents[$0..<min($0 + 500, agents.count)]) }) {
            do {
                let deliveries = try await store.pendingCommands(agentIDs: chunk, limit: 1000)
                guard !deliveries.isEmpty else { continue }
                let writtenAt = Date()
                try await store.markCommandsSent(await send(deliveries, logger: logger), at: writtenAt)
            } catch {
                logger.error("Delivering commands failed; retrying on the next wake-up", metadata: ["error": "\(error)"])
            }
        }
    }

    /// Writes each command to its agent's connection; returns those written.
    private func send(_ deliveries: [CommandDelivery], logger: Logger) async -> [AgentCommandID] {
        var sent: [AgentCommandID] = []
        for delivery in deliveries {
            do {
                let message = try CommandMessage(commandId: delivery.command.id.rawValue, body: Self.body(delivery, grants: grants))
                if try await connections.send(.command(message), to: delivery.command.agentID) {
                    sent.append(delivery.command.id)
                }
            } catch {
                logger.notice("Writing a command to its agent failed; it is sent again when the agent reconnects", metadata: [
                    "command_id": "\(delivery.command.id)", "agent_id": "\(delivery.command.agentID)", "error": "\(error)",
                ])
            }
        }
        return sent
    }

    static func body(_ delivery: CommandDelivery, grants: ArtifactGrants? = nil) -> CommandBody {
        let sandbox = delivery.sandbox
        let reference = SessionReference(sessionId: sandbox.id.rawValue)
        switch delivery.command.action {
        case .stopSession: return .stopSession(reference)
        case .hibernateSession: return .hibernateSession(reference)
        case .wakeSession: return .wakeSession(reference)
        case .deleteSession: return .deleteSession(reference)
        case .startSession:
            var payload = StartSessionPayload(sessionId: sandbox.id.rawValue)
            payload.user = sandbox.createdBy.rawValue
            payload.template = sandbox.spec.template
            payload.resources = ["cpu": sandbox.spec.cpu.description, "memory": sandbox.spec.memory.description, "storage": sandbox.spec.storage.description]
            payload.persistentHome = false
            payload.environment = sandbox.spec.environment
            payload.command = sandbox.spec.command
            payload.network = sandbox.spec.network
            // Its tenant's data-plane services on the host are visible to it (their socket directories), no others.
            payload.tenantId = sandbox.tenantID.rawValue
            if let template = delivery.template, let grants {
                payload.rootTemplate = TemplateArtifact(
                    digest: template.digest.rawValue, sizeBytes: template.sizeBytes, path: TemplateContentEndpoint.archivePath(template.digest),
                    token: grants.issueTemplate(subject: sandbox.id.rawValue, digest: template.digest, expiresAt: Date().addingTimeInterval(TemplateRunner.grantLifetime))
                )
                // The template's variables under the sandbox's own.
                payload.environment = template.config.environment.merging(sandbox.spec.environment) { _, own in own }
                payload.workingDirectory = template.config.workingDirectory
                payload.readyCommand = template.config.readyCommand
            }
            return .startSession(payload)
        }
    }

    private func listen() async {
        await notifications.listen(.commands, for: "new agent commands", logger: logger) { self.wake.signal() }
    }
}
