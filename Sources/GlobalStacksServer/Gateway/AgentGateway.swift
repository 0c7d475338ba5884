import Foundation
import GlobalStacksAgentProtocol
import GlobalStacksDomain
import GlobalStacksStore
import GlobalStacksUseCases
import HTTPTypes
import Hummingbird
import HummingbirdWebSocket
import Logging
import NIOCore

/// The WebSocket endpoint agents dial out to (`GET /v1/agents/connect`, upgraded). The agent's key is checked
/// before the upgrade; a request without a valid key is not upgraded and the HTTP router answers 401.
/// Frames are the contract's envelopes; a bad frame is logged with its reason and the connection carries on.
struct AgentGateway: Sendable {
    static let path = "/v1/agents/connect"

    let store: any AgentPresenceRepository & AgentCommandRepository
    let heartbeats: HeartbeatRecorder
    /// The data-plane services hosts run: told again on connect, and their health reports.
    let services: ServiceReconciler
    let connections: AgentConnections
    /// Workspace commands under way: their frames, credit and results go to the waiting clients.
    let live: LiveCommands
    let dispatcher: CommandDispatcher
    /// Where other replicas reach this one (stored with each connection), nil with SQLite.
    let relayURL: String?
    let commandDeadline: TimeInterval
    let pingInterval: Duration
    let logger: Logger

    /// Decides the upgrade for one HTTP request.
    func shouldUpgrade(_ request: HTTPRequest) async throws -> ShouldUpgradeResult<WebSocketDataHandler<HTTP1WebSocketUpgradeChannel.Context>> {
        guard request.path?.split(separator: "?").first.map(String.init) == Self.path,
              let key = Self.agentKey(request.headerFields[.authorization]),
              let agent = try await store.agent(keyHash: SecretHasher.hash(key), at: Date())
        else { return .dontUpgrade }
        return .upgrade([:]) { inbound, outbound, _ in
            try await self.serve(agent, inbound: inbound, outbound: outbound)
        }
    }

    /// The agent key of an `Authorization: Bearer gsa_…` header.
    static func agentKey(_ authorization: String?) -> String? {
        guard let key = BearerToken.parse(authorization), key.hasPrefix(SecretPrefix.agentKey) else { return nil }
        return key
    }

    /// Why a request for the gateway was not upgraded, for the plain-HTTP answer an agent reads when its
    /// upgrade fails: no key, a key that no longer works, or a valid key without the upgrade headers.
    static func refusal(_ request: Request, store: any AgentPresenceRepository & AgentCommandRepository) async throws -> DomainError {
        guard let key = agentKey(request.headers[.authorization]) else {
            return .unauthenticated("Connect with a WebSocket upgrade and 'Authorization: Bearer \(SecretPrefix.agentKey)…' (the key the agent got when it enrolled).")
        }
        guard try await store.agent(keyHash: SecretHasher.hash(key), at: Date()) != nil else {
            return .unauthenticated("This agent key is revoked, expired or unknown. Enroll the agent again: delete its credentials file and start it with a new provisioning token (--token \(SecretPrefix.provisioningToken)…).")
        }
        return .invalidInput("This agent key is valid; connect with a WebSocket upgrade ('Connection: Upgrade', 'Upgrade: websocket').")
    }

    private func serve(_ agent: Agent, inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter) async throws {
        var logger = self.logger
        logger[metadataKey: "agent_id"] = "\(agent.id)"
        logger[metadataKey: "agent"] = "\(agent.name)"
        // Names this connection, so that an older one closing late does not mark the agent offline.
        let connectionID = UUID().uuidString
        try await store.markAgentConnected(agent.id, connectionID: connectionID, relayURL: relayURL, at: Date())
        connections.add(agent.id, connection: connectionID, outbound)
        defer {
            connections.remove(agent.id, connection: connectionID)
            live.connectionEnded(agent: agent.id, connectionID: connectionID)
        }
        // The dispatcher delivers the agent's unfinished commands again, in order, before anything newer.
        dispatcher.signal()
        let servicesTold = Task { [logger] in await services.hostConnected(agent, logger: logger) }
        defer { servicesTold.cancel() }
        let connectedAt = Date()
        var inventoryChecked = false
        logger.info("Agent connected", metadata: ["approval": "\(agent.approval.rawValue)"])
        // The contract's `ping`: an agent that answers `pong` counts as heard from even between heartbeats.
        let pinger = Task {
            while !Task.isCancelled {
                try await Task.sleep(for: self.pingInterval)
                try await outbound.write(.text(String(decoding: try AgentProtocol.encode(ControlMessage.ping(PingMessage(timestamp: Date()))), as: UTF8.self)))
            }
        }
        defer { pinger.cancel() }
        do {
            for try await message in inbound.messages(maxSize: AgentProtocol.maximumMessageBytes) {
                let text: String
                switch message {
                case .text(let value):
                    text = value
                case .binary(let buffer):
                    do {
                        let frame = try StreamFrame(decoding: buffer.readableBytesView)
                        if !live.deliver(.frame(frame), commandID: frame.commandId, from: agent.id) {
                            logger.debug("Ignored a stream frame of a command that is not under way", metadata: ["command_id": "\(frame.commandId.prefix(64))"])
                        }
                    } catch {
                        logger.notice("Refused a binary frame", metadata: ["reason": "\(error.description)"])
                    }
                    continue
                }
                do {
                    let (decoded, _) = try AgentProtocol.decodeAgent(Data(text.utf8))
                    if !inventoryChecked, case .heartbeat(let heartbeat) = decoded, let inventory = heartbeat.sessions {
                        inventoryChecked = true
                        await reconcileInventory(
                            agent, inventory, complete: heartbeat.activeSessions <= inventory.count, connectedAt: connectedAt,
                            outbound: outbound, logger: logger
                        )
                    }
                    await handle(decoded, from: agent, logger: logger)
                } catch {
                    logger.notice("Refused a frame", metadata: ["reason": "\(error.description)"])
                }
            }
        } catch {
            logger.notice("Agent connection ended with an error", metadata: ["error": "\(error)"])
        }
        try? await store.markAgentDisconnected(agent.id, connectionID: connectionID, at: Date())
        logger.info("Agent disconnected")
    }

    /// Reports are handled one at a time, in the order the agent sent them (an `ack` before its `complete`).
    private func handle(_ message: AgentMessage, from agent: Agent, logger: Logger) async {
        // Reports about workspace commands go to their waiting clients, never to the store.
        switch message {
        case .ack(let ack) where live.isLive(ack.commandId, of: agent.id): return
        case .complete(let complete) where live.deliver(.finished(.success(complete)), commandID: complete.commandId, from: agent.id): return
        case .failed(let failed) where live.deliver(.finished(.failure(failed)), commandID: failed.commandId, from: agent.id): return
        case .credit(let credit):
            _ = live.deliver(.credit(credit.bytes), commandID: credit.commandId, from: agent.id)
            return
        default: break
        }
        do {
            switch message {
            case .heartbeat, .pong:
                heartbeats.record(agent.id)
            case .credit:
                break
            case .ack(let ack):
                try await record(.acknowledged(AgentCommandID(rawValue: ack.commandId)), from: agent, logger: logger)
            case .complete(let complete):
                try await record(.completed(AgentCommandID(rawValue: complete.commandId)), from: agent, logger: logger)
            case .failed(let failed):
                try await record(.failed(AgentCommandID(rawValue: failed.commandId), error: failed.error), from: agent, logger: logger)
            case .serviceStatus(let report):
                heartbeats.record(agent.id)
                try await services.record(report, from: agent.id, logger: logger)
            case .status(let status):
                heartbeats.record(agent.id)
                guard let state = SandboxState(rawValue: status.state) else {
                    logger.notice("Ignored a status report with an unknown state", metadata: ["state": "\(status.state.prefix(32))"])
                    return
                }
                let exitStatus = status.platformMetadata?["exitStatus"].flatMap { value -> Int? in
                    if case .number(let number) = value { return Int(exactly: number) }
                    return nil
                }
                var error: String?
                if case .string(let text)? = status.platformMetadata?["error"] { error = text }
                let sandboxID = SandboxID(rawValue: status.sessionId)
                if let sandbox = try await store.recordSandboxStatus(sandboxID, state: state, exitStatus: exitStatus, error: error, agentID: agent.id, at: Date()) {
                    logger.info("Sandbox state reported", metadata: ["sandbox_id": "\(sandbox.id)", "tenant_id": "\(sandbox.tenantID)", "state": "\(state.rawValue)"])
                } else {
                    logger.debug("Status report did not change the sandbox", metadata: ["sandbox_id": "\(status.sessionId.prefix(64))", "state": "\(state.rawValue)"])
                }
            }
        } catch {
            // Not recorded: the command stays unfinished and is delivered again, so the agent reports it again.
            logger.error("Recording an agent report failed", metadata: ["error": "\(error)"])
        }
    }

    private func reconcileInventory(
        _ agent: Agent, _ inventory: [String], complete: Bool, connectedAt: Date, outbound: WebSocketOutboundWriter, logger: Logger
    ) async {
        do {
            let now = Date()
            let result = try await store.reconcileAgentInventory(
                agent.id, holding: Set(inventory.prefix(AgentProtocol.maximumInventory).map(SandboxID.init(rawValue:))),
                complete: complete && inventory.count <= AgentProtocol.maximumInventory, connectedAt: connectedAt,
                commandDeadline: now.addingTimeInterval(commandDeadline), at: now
            )
            // Processes of sandboxes this control plane no longer knows: stopped with a command that is not stored
            // (there is no sandbox to attach it to); the agent's answer to it is ignored.
            for id in result.unknown {
                let stop = try CommandMessage(commandId: "orphan-\(UUID().uuidString.lowercased())", body: .stopSession(SessionReference(sessionId: id.rawValue)))
                try await outbound.write(.text(String(decoding: try AgentProtocol.encode(ControlMessage.command(stop)), as: UTF8.self)))
            }
            if !result.unknown.isEmpty {
                logger.warning("The agent runs sandboxes this control plane does not know; stopping them", metadata: ["sandbox_ids": "\(result.unknown.map(\.rawValue))"])
            }
            if !result.lost.isEmpty {
                logger.warning("The agent restarted and lost sandboxes; they failed", metadata: ["sandbox_ids": "\(result.lost.map(\.id.rawValue))"])
            }
            if !result.stops.isEmpty {
                logger.warning("The agent still runs sandboxes that ended; stopping them", metadata: ["sandbox_ids": "\(result.stops.map(\.sandboxID.rawValue))"])
            }
        } catch {
            logger.error("Checking the agent's sandboxes failed", metadata: ["error": "\(error)"])
        }
    }

    private func record(_ report: CommandReport, from agent: Agent, logger: Logger) async throws {
        if let command = try await store.recordCommandReport(report, agentID: agent.id, at: Date()) {
            logger.info("Command \(command.status.rawValue)", metadata: [
                "command_id": "\(command.id)", "sandbox_id": "\(command.sandboxID)", "action": "\(command.action.rawValue)",
            ])
        } else {
            logger.debug("Report about a finished or unknown command ignored", metadata: ["command_id": "\(report.commandID.rawValue.prefix(64))"])
        }
    }
}
