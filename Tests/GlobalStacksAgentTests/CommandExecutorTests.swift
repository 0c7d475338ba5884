import Foundation
import GlobalStacksAgent
import GlobalStacksAgentProtocol
import GlobalStacksDomain
import Logging
import Testing

@Suite("Agent command executor")
struct CommandExecutorTests {
    /// Counts what the driver was asked to do; starts take a while, so a repeat can arrive mid-way.
    actor CountingDriver: SandboxDriver {
        var starts: [String: Int] = [:]
        var stops = 0
        nonisolated let exits = AsyncStream<SessionExit> { _ in }

        func start(_ session: StartSessionPayload) async throws {
            starts[session.sessionId, default: 0] += 1
            try await Task.sleep(for: .milliseconds(100))
        }
        func stop(_ sessionID: String) async throws { stops += 1 }
        func hibernate(_ sessionID: String) async throws { throw DriverError("nothing to freeze") }
        func wake(_ sessionID: String) async throws {}
        func delete(_ sessionID: String) async throws {}
        func sessions() async -> [String] { Array(starts.keys) }
        func stopAll() async { stops += starts.count }
        func entry(_ sessionID: String) async throws -> SandboxEntry { throw DriverError("no workspace here", kind: .conflict) }
        func isRunning(_ sessionID: String) async -> Bool { starts[sessionID] != nil }
        func workspace(_ sessionID: String) async -> URL? { nil }
    }

    actor RecordingSink: AgentMessageSink {
        var messages: [AgentMessage] = []
        func send(_ message: AgentMessage) async { messages.append(message) }
        func send(_ frame: StreamFrame) async {}
    }

    static func command(_ id: String, _ action: String, session: String = "s-1") throws -> CommandMessage {
        var payload = StartSessionPayload(sessionId: session)
        payload.command = ["sleep", "1"]
        let body: CommandBody = action == "start_session" ? .startSession(payload) : .stopSession(SessionReference(sessionId: session))
        return try CommandMessage(commandId: id, body: body).with(action: action)
    }

    static func settle(_ sink: RecordingSink, until count: Int) async throws -> [AgentMessage] {
        for _ in 0..<100 where await sink.messages.count < count {
            try await Task.sleep(for: .milliseconds(20))
        }
        return await sink.messages
    }

    @Test func serviceCommandsAreStoredCommandsAndAStartAnswersWithTheSocketDirectory() async throws {
        let root = URL(fileURLWithPath: "/tmp/gsdp-\(UUID().uuidString.prefix(8).lowercased())")
        defer { try? FileManager.default.removeItem(at: root) }
        let services = try ServiceSupervisor(directories: ServiceDirectories(root: root), isolation: .plain, allowUnconfined: true, logger: Logger(label: "test"))
        let sink = RecordingSink()
        let executor = CommandExecutor(driver: CountingDriver(), services: services, outbox: sink, logger: Logger(label: "test"))
        let spec = StartServicePayload(serviceId: "svc-1", tenantId: "t1", command: ["sleep", "30"])
        await executor.receive(try CommandMessage(commandId: "c-1", body: .startService(spec)))
        await executor.receive(try CommandMessage(commandId: "c-2", body: .removeService(ServiceReference(serviceId: "svc-1"))))
        await executor.receive(try CommandMessage(commandId: "c-3", body: .startService(spec)))  // delivered again after the remove
        let messages = try await Self.settle(sink, until: 6)
        #expect(messages.filter { if case .ack = $0 { true } else { false } }.count == 3, "stored commands are acknowledged")
        #expect(messages.contains(.complete(CompleteMessage(commandId: "c-1", result: ["socketDirectory": .string("/run/globalstacks/data-plane/svc-1")]))))
        #expect(messages.contains(.complete(CompleteMessage(commandId: "c-2", result: ["serviceId": .string("svc-1")]))))
        #expect(messages.contains { if case .failed(let failed) = $0 { failed.commandId == "c-3" } else { false } }, "a start after the remove is refused")
        #expect(await services.processID(of: "svc-1") == nil)

        // An agent that runs no services (the noop driver) refuses a start, and has nothing to remove.
        let none = RecordingSink()
        let noServices = CommandExecutor(driver: CountingDriver(), outbox: none, logger: Logger(label: "test"))
        await noServices.receive(try CommandMessage(commandId: "c-4", body: .startService(spec)))
        await noServices.receive(try CommandMessage(commandId: "c-5", body: .removeService(ServiceReference(serviceId: "svc-1"))))
        let answers = try await Self.settle(none, until: 4)
        #expect(answers.contains { if case .failed(let failed) = $0 { failed.commandId == "c-4" } else { false } })
        #expect(answers.contains(.complete(CompleteMessage(commandId: "c-5", result: ["serviceId": .string("svc-1")]))))
    }

    @Test func aRepeatedCommandHasOneEffectAndItsResultIsSentAgain() async throws {
        let driver = CountingDriver()
        let sink = RecordingSink()
        let executor = CommandExecutor(driver: driver, outbox: sink, logger: Logger(label: "test"))
        let start = try Self.command("c-1", "start_session")
        await executor.receive(start)
        await executor.receive(start)  // redelivered while it runs
        var messages = try await Self.settle(sink, until: 3)
        #expect(messages == [.ack(AckMessage(commandId: "c-1")), .ack(AckMessage(commandId: "c-1")), .complete(CompleteMessage(commandId: "c-1", result: ["sessionId": .string("s-1")]))])
        await executor.receive(start)  // redelivered after it finished
        messages = try await Self.settle(sink, until: 5)
        #expect(messages.suffix(2) == [.ack(AckMessage(commandId: "c-1")), .complete(CompleteMessage(commandId: "c-1", result: ["sessionId": .string("s-1")]))])
        #expect(await driver.starts == ["s-1": 1], "started once")
    }

    @Test func commandsOfOneSandboxRunInOrderAndFailuresAreReported() async throws {
        let driver = CountingDriver()
        let sink = RecordingSink()
        let executor = CommandExecutor(driver: driver, outbox: sink, logger: Logger(label: "test"))
        await executor.receive(try Self.command("c-1", "start_session"))
        await executor.receive(try Self.command("c-2", "hibernate_session"))
        await executor.receive(try Self.command("c-3", "launch_rocket"))
        await executor.receive(CommandMessage(commandId: "c-4", action: "stop_session", payload: [:]))
        let messages = try await Self.settle(sink, until: 8)
        let results = messages.filter { if case .ack = $0 { false } else { true } }
        #expect(results.count == 4)
        #expect(results.contains(.failed(FailedMessage(commandId: "c-2", error: "nothing to freeze"))))
        #expect(results.contains { if case .failed(let failed) = $0 { failed.commandId == "c-3" && failed.error.contains("unknown action") } else { false } })
        #expect(results.contains { if case .failed(let failed) = $0 { failed.commandId == "c-4" && failed.error.contains("sessionId") } else { false } })
        let order = results.compactMap { message -> String? in
            switch message {
            case .complete(let complete): complete.commandId
            case .failed(let failed): failed.commandId
            default: nil
            }
        }
        #expect(order.firstIndex(of: "c-1")! < order.firstIndex(of: "c-2")!, "the hibernate waited for the start")
    }

    @Test func drainingFinishesWhatIsUnderWayAndRefusesTheRest() async throws {
        let driver = CountingDriver()
        let sink = RecordingSink()
        let executor = CommandExecutor(driver: driver, outbox: sink, logger: Logger(label: "test"))
        await executor.receive(try Self.command("c-1", "start_session"))
        await executor.drain(within: .seconds(5))
        #expect(await sink.messages.last == .complete(CompleteMessage(commandId: "c-1", result: ["sessionId": .string("s-1")])), "the start under way finished first")
        await executor.receive(try Self.command("c-2", "start_session", session: "s-2"))
        let last = await sink.messages.last
        #expect(last == .failed(FailedMessage(commandId: "c-2", error: "The agent is shutting down; the command was not run.")))
        #expect(await driver.starts["s-2"] == nil)
    }

    /// A workspace command is answered by its result alone (nothing redelivers it, so there is no `ack`), with the
    /// kind of refusal the control plane turns into a status.
    @Test func aWorkspaceCommandIsAnsweredWithoutAnAck() async throws {
        let sink = RecordingSink()
        let executor = CommandExecutor(driver: CountingDriver(), outbox: sink, logger: Logger(label: "test"))
        await executor.receive(try CommandMessage(commandId: "live-1", body: .statFile(FilePathPayload(sessionId: "s-1", path: "a"))))
        let messages = try await Self.settle(sink, until: 1)
        #expect(messages == [.failed(FailedMessage(commandId: "live-1", error: "no workspace here", kind: .conflict))])
    }
}

extension CommandMessage {
    /// The same payload under another action (an unknown one, or one whose payload does not fit).
    func with(action: String) -> CommandMessage {
        CommandMessage(commandId: commandId, action: action, payload: payload)
    }
}
