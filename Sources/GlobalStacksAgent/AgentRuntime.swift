import Foundation
import GlobalStacksAgentProtocol
import GlobalStacksDomain
import HTTPTypes
import HummingbirdWSClient
import Logging
import NIOCore
import NIOWebSocket

/// `gstacks agent`: enrolls once, starts the data-plane services it keeps again, then keeps a WebSocket connection
/// to the control plane, heartbeating, answering pings, carrying out commands with its sandbox driver and its
/// service supervisor, reporting sandboxes that ended and the state of its services, and
/// reconnecting with exponential backoff and full jitter when the connection drops. A `shutdown` message from the
/// control plane ends it (sandboxes of the process driver end with it).
public struct AgentRuntime: Sendable {
    let settings: AgentSettings
    let logger: Logger

    public init(settings: AgentSettings, logger: Logger) {
        self.settings = settings
        self.logger = logger
    }

    public func run() async throws {
        var credentials = try await enrolledCredentials()
        var logger = self.logger
        logger[metadataKey: "agent_id"] = "\(credentials.agentID)"
        let serviceDirectories = ServiceDirectories(root: settings.servicesDirectory)
        // Templates need bubblewrap: their steps and sandboxes see the template's root, never the host's.
        let templateStore = settings.driver == .process && SandboxIsolation.detect() != .plain
            ? try TemplateStore(directory: settings.templatesDirectory.appendingPathComponent("roots"), serverURL: settings.serverURL, logger: logger)
            : nil
        let driver: any SandboxDriver = switch settings.driver {
        case .process:
            try ProcessDriver(
                root: settings.sandboxDirectory, allowUnconfined: settings.allowUnconfined, services: serviceDirectories, templates: templateStore, logger: logger
            )
        case .noop: NoopDriver(root: settings.sandboxDirectory)
        }
        let services = settings.driver == .process
            ? try ServiceSupervisor(directories: serviceDirectories, allowUnconfined: settings.allowUnconfined, logger: logger)
            : nil
        let outbox = AgentOutbox(logger: logger)
        let extensions = settings.driver == .process && ExtensionRunner.isAvailable
            ? try ExtensionRunner(root: settings.extensionsDirectory, serverURL: settings.serverURL, allowLoopbackEgress: settings.allowLoopbackEgress, logger: logger)
            : nil
        let templates = try templateStore.map {
            try TemplateBuilder(directory: settings.templatesDirectory, store: $0, serverURL: settings.serverURL, debianMirror: settings.debianMirror, logger: logger)
        }
        let executor = CommandExecutor(driver: driver, extensions: extensions, templates: templates, services: services, outbox: outbox, logger: logger)
        let reporter = Task {
            for await exit in driver.exits { await outbox.report(exit) }
        }
        defer { reporter.cancel() }
        // Sent while connected; every service's state is sent again on each connect.
        let serviceReporter = Task {
            guard let services else { return }
            for await status in services.statuses { await outbox.send(.serviceStatus(status)) }
        }
        defer { serviceReporter.cancel() }
        // The services this host keeps run again before the control plane says anything.
        await services?.startStored()
        var failures = 0
        while !Task.isCancelled {
            credentials = await rotatedIfDue(credentials, logger: logger)
            let connectedAt = Date()
            do {
                let shutdown = try await connect(credentials, driver: driver, executor: executor, services: services, outbox: outbox, logger: logger)
                if shutdown { break }
                logger.notice("Connection closed by the control plane; reconnecting")
            } catch let error as WebSocketClientError where error == .webSocketUpgradeFailed {
                let reason = await Enrollment.connectionRefusal(settings, credentials)
                logger.error("The control plane refused the connection; trying again", metadata: ["reason": "\(reason)"])
            } catch {
                logger.warning("Connection failed; reconnecting", metadata: ["error": "\(error)"])
            }
            // A connection that lasted resets the backoff; quick failures grow it.
            failures = Date().timeIntervalSince(connectedAt) > settings.heartbeatInterval * 3 ? 0 : failures + 1
            let ceiling = min(settings.maximumBackoff, settings.initialBackoff * pow(2, Double(failures)))
            try? await Task.sleep(for: .seconds(Double.random(in: 0...ceiling)))
        }
        // Told to shut down, or cancelled: no sandbox or service may keep running untracked (services start again
        // with the next agent).
        await driver.stopAll()
        await services?.stopAll()
    }

    /// A key older than the rotation interval (by its file's age), or a rotation left unfinished, is replaced
    /// before connecting. The new key is saved as pending first, then the control plane is asked, then it becomes
    /// the key; a failure at any point is logged and the same pending key is tried again at the next connect.
    private func rotatedIfDue(_ credentials: AgentCredentials, logger: Logger) async -> AgentCredentials {
        var credentials = credentials
        do {
            if credentials.pendingKey == nil {
                guard let interval = settings.keyRotationInterval,
                      let saved = try FileManager.default.attributesOfItem(atPath: settings.credentialsFile.path)[.modificationDate] as? Date,
                      Date().timeIntervalSince(saved) > interval
                else { return credentials }
                credentials.pendingKey = SecretToken.generate(prefix: "gsa_").value
                try credentials.save(to: settings.credentialsFile)
            }
            let rotated = try await Enrollment.rotateKey(settings, credentials)
            try rotated.save(to: settings.credentialsFile)
            logger.notice("Rotated the agent's key", metadata: ["credentials": "\(settings.credentialsFile.path)"])
            return rotated
        } catch {
            logger.warning("Rotating the agent's key failed; using the current one and trying again at the next connect", metadata: ["error": "\(error)"])
            return credentials
        }
    }

    private func enrolledCredentials() async throws -> AgentCredentials {
        if let existing = try AgentCredentials.load(from: settings.credentialsFile) {
            return existing
        }
        guard let token = settings.provisioningToken else { throw AgentError.notEnrolled }
        try AgentCredentials.checkWritable(settings.credentialsFile)
        let credentials = try await Enrollment.register(settings, token: token)
        try credentials.save(to: settings.credentialsFile)
        logger.notice("Enrolled; waiting for approval", metadata: ["agent_id": "\(credentials.agentID)", "credentials": "\(settings.credentialsFile.path)"])
        return credentials
    }

    /// One connection; returns true when the control plane asked the agent to shut down.
    private func connect(
        _ credentials: AgentCredentials, driver: any SandboxDriver, executor: CommandExecutor, services: ServiceSupervisor?, outbox: AgentOutbox,
        logger: Logger
    ) async throws -> Bool {
        let url = settings.endpoint("v1/agents/connect", webSocket: true).absoluteString
        let shutdown = ShutdownFlag()
        try await WebSocketClient.connect(
            url: url,
            // Pings detect a half-open connection (a partition, a powered-off server) long before TCP would.
            configuration: .init(
                maxFrameSize: AgentProtocol.maximumMessageBytes, additionalHeaders: [.authorization: "Bearer \(credentials.key)"],
                autoPing: .enabled(timePeriod: .seconds(15))
            ),
            logger: logger
        ) { inbound, outbound, _ in
            logger.info("Connected to the control plane")
            await outbox.connected(outbound)
            defer { outbox.disconnected() }
            await services?.republish()
            // Nobody waits for the workspace commands of a connection that ended.
            defer { Task { await executor.workspace.cancelAll() } }
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    var first = true
                    while !Task.isCancelled {
                        let sessions = await driver.sessions()
                        // The first heartbeat of a connection lists the sandboxes this agent holds (bounded).
                        let inventory = first ? Array(sessions.prefix(AgentProtocol.maximumInventory)) : nil
                        first = false
                        let heartbeat = AgentMessage.heartbeat(HeartbeatMessage(
                            status: "online", activeSessions: sessions.count, capacity: settings.capacity, sessions: inventory
                        ))
                        try await outbound.write(.text(String(decoding: try AgentProtocol.encode(heartbeat), as: UTF8.self)))
                        try await Task.sleep(for: .seconds(settings.heartbeatInterval))
                    }
                }
                for try await message in inbound.messages(maxSize: AgentProtocol.maximumMessageBytes) {
                    let text: String
                    switch message {
                    case .text(let value):
                        text = value
                    case .binary(let buffer):
                        do {
                            await executor.workspace.receive(try StreamFrame(decoding: buffer.readableBytesView))
                        } catch {
                            logger.notice("Ignored a binary frame from the control plane", metadata: ["reason": "\(error)"])
                        }
                        continue
                    }
                    do {
                        switch try AgentProtocol.decodeControl(Data(text.utf8)).message {
                        case .ping:
                            let pong = AgentMessage.pong(PongMessage(timestamp: Date()))
                            try await outbound.write(.text(String(decoding: try AgentProtocol.encode(pong), as: UTF8.self)))
                        case .shutdown(let request):
                            logger.notice("The control plane asked this agent to shut down; finishing the commands under way", metadata: ["reason": "\(request.reason ?? "-")"])
                            await executor.drain(within: .seconds(30))
                            shutdown.set()
                            try await outbound.close(.normalClosure, reason: "shutting down")
                        case .command(let command):
                            await executor.receive(command)
                        case .credit(let credit):
                            await executor.workspace.credit(credit)
                        case .cancel(let cancel):
                            await executor.workspace.cancel(cancel.commandId)
                        case .resize(let resize):
                            await executor.workspace.resize(resize)
                        }
                    } catch {
                        logger.notice("Ignored a frame from the control plane", metadata: ["reason": "\(error)"])
                    }
                }
                group.cancelAll()
            }
        }
        return shutdown.isSet
    }
}

/// Set once from the connection handler, read after it returns.
private final class ShutdownFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false

    func set() { lock.withLock { value = true } }
    var isSet: Bool { lock.withLock { value } }
}
