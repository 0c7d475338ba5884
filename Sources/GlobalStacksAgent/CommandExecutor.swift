import Foundation
import GlobalStacksAgentProtocol
import Logging

/// Carries out the control plane's commands. Every delivery is acknowledged at once. Session and service commands
/// take effect exactly once: a command seen before is not run again (if it finished, its result is sent again; if it
/// is running, its result follows when it ends), and commands about one sandbox (or service) run one after another in
/// the order they arrive. Workspace commands go to the `WorkspaceRunner`, which runs them at once; they are not acknowledged.
public actor CommandExecutor {
    private let driver: any SandboxDriver
    /// Runs data-plane services; nil when this agent runs none (the noop driver).
    private let services: ServiceSupervisor?
    /// Where workspace commands, their stream frames, credit and cancellations go.
    public nonisolated let workspace: WorkspaceRunner
    private let outbox: any AgentMessageSink
    private let logger: Logger
    /// Results of finished commands, for redeliveries; the oldest are forgotten past `resultsKept`.
    private var results: [String: AgentMessage] = [:]
    private var resultOrder: [String] = []
    private var running: Set<String> = []
    private var lastOfSession: [String: Task<Void, Never>] = [:]
    private var queuedPerSession: [String: Int] = [:]
    /// Sandboxes stopped (and services removed) by this agent: a start that arrives after their stop (redelivered
    /// late) is refused.
    private var stopped: Set<String> = []
    private var stoppedOrder: [String] = []
    private var draining = false
    static let resultsKept = 10_000

    public init(
        driver: any SandboxDriver, extensions: ExtensionRunner? = nil, templates: TemplateBuilder? = nil, services: ServiceSupervisor? = nil,
        outbox: any AgentMessageSink, logger: Logger
    ) {
        self.driver = driver
        self.services = services
        self.outbox = outbox
        self.logger = logger
        self.workspace = WorkspaceRunner(driver: driver, extensions: extensions, templates: templates, outbox: outbox, logger: logger)
    }

    public func receive(_ command: CommandMessage) async {
        let id = command.commandId
        // A workspace command is sent once and answered only by its result: no `ack` (nothing redelivers it).
        if let body = try? command.body(), !body.action.isStored, !draining {
            await workspace.start(id, body)
            return
        }
        await outbox.send(.ack(AckMessage(commandId: id)))
        if let result = results[id] {
            await outbox.send(result)
            return
        }
        guard !running.contains(id) else { return }
        guard !draining else {
            await outbox.send(.failed(FailedMessage(commandId: id, error: "The agent is shutting down; the command was not run.")))
            return
        }
        let body: CommandBody
        do {
            body = try command.body()
        } catch {
            await finish(id, .failed(FailedMessage(commandId: id, error: "\(error)")))
            return
        }
        running.insert(id)
        let sessionID = body.sessionID
        let previous = lastOfSession[sessionID]
        queuedPerSession[sessionID, default: 0] += 1
        lastOfSession[sessionID] = Task {
            await previous?.value
            let result = await self.execute(body, commandID: id)
            await self.finish(id, result)
            self.dequeue(sessionID)
        }
    }

    /// Takes no new commands (they are answered `failed`: the control plane records the reason, and a start
    /// refused this way fails its sandbox) and waits, at most `limit`, for the commands under way.
    public func drain(within limit: Duration) async {
        draining = true
        let underWay = Array(lastOfSession.values)
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                for task in underWay { await task.value }
            }
            group.addTask { try? await Task.sleep(for: limit) }
            await group.next()
            group.cancelAll()
        }
    }

    private func dequeue(_ sessionID: String) {
        queuedPerSession[sessionID, default: 1] -= 1
        if queuedPerSession[sessionID] == 0 {
            queuedPerSession[sessionID] = nil
            lastOfSession[sessionID] = nil
        }
    }

    private func execute(_ body: CommandBody, commandID: String) async -> AgentMessage {
        var logger = self.logger
        logger[metadataKey: "command_id"] = "\(commandID)"
        logger[metadataKey: "sandbox_id"] = "\(body.sessionID)"
        do {
            var result: any Encodable = SessionReference(sessionId: body.sessionID)
            switch body {
            case .startSession(let session):
                guard !stopped.contains(session.sessionId) else { throw DriverError("This sandbox was stopped before it started.") }
                try await driver.start(session)
            case .stopSession(let session):
                try await driver.stop(session.sessionId)
                remember(stopped: session.sessionId)
            case .deleteSession(let session):
                try await driver.delete(session.sessionId)
                remember(stopped: session.sessionId)
            case .hibernateSession(let session): try await driver.hibernate(session.sessionId)
            case .wakeSession(let session): try await driver.wake(session.sessionId)
            case .startService(let service):
                guard let services else { throw DriverError("This agent runs no data-plane services (its driver runs no processes).") }
                guard !stopped.contains(service.serviceId) else { throw DriverError("This service was removed before it started.") }
                result = try await services.start(service)
            case .removeService(let service):
                // An agent without services holds none to remove.
                try await services?.remove(service.serviceId)
                remember(stopped: service.serviceId)
                result = service
            default: throw DriverError("'\(body.action.rawValue)' is not a session or service command.")
            }
            logger.info("Command completed", metadata: ["action": "\(body.action.rawValue)"])
            return .complete(try CompleteMessage(commandId: commandID, typedResult: result))
        } catch {
            logger.warning("Command failed", metadata: ["action": "\(body.action.rawValue)", "error": "\(error)"])
            return .failed(FailedMessage(commandId: commandID, error: "\(error)"))
        }
    }

    private func remember(stopped sessionID: String) {
        guard stopped.insert(sessionID).inserted else { return }
        stoppedOrder.append(sessionID)
        if stoppedOrder.count > Self.resultsKept { stopped.remove(stoppedOrder.removeFirst()) }
    }

    private func finish(_ id: String, _ result: AgentMessage) async {
        running.remove(id)
        results[id] = result
        resultOrder.append(id)
        if resultOrder.count > Self.resultsKept {
            results[resultOrder.removeFirst()] = nil
        }
        await outbox.send(result)
    }
}
