import Foundation
import GlobalStacksAgentProtocol
import GlobalStacksDomain
import Testing

@Suite("Agent protocol: workspace additions")
struct WorkspaceProtocolTests {
    @Test func everyCommandBodyRoundTripsThroughTheContractsEnvelope() throws {
        var exec = ExecPayload(sessionId: "s", command: ["ls", "-l"], timeoutSeconds: 1.5, outputLimitBytes: 10)
        exec.tty = TerminalSize(columns: 80, rows: 24)
        exec.environment = ["A": "b"]
        var start = StartSessionPayload(sessionId: "s")
        start.command = ["sleep", "1"]
        let bodies: [CommandBody] = [
            .startSession(start), .stopSession(SessionReference(sessionId: "s")), .hibernateSession(SessionReference(sessionId: "s")),
            .wakeSession(SessionReference(sessionId: "s")), .deleteSession(SessionReference(sessionId: "s")), .exec(exec), .readOutput(ReadOutputPayload(sessionId: "s", tailLines: 5, follow: true)),
            .listFiles(FilePathPayload(sessionId: "s", path: ".")), .statFile(FilePathPayload(sessionId: "s", path: "a")),
            .readFile(FilePathPayload(sessionId: "s", path: "a")), .writeFile(WriteFilePayload(sessionId: "s", path: "a", expectedBytes: 3, maximumBytes: 9)),
            .makeDirectory(FilePathPayload(sessionId: "s", path: "d")), .moveFile(MoveFilePayload(sessionId: "s", from: "a", to: "b")),
            .deleteFile(DeleteFilePayload(sessionId: "s", path: "d", recursive: true)), .startProcess(exec),
            .listProcesses(SessionReference(sessionId: "s")), .getProcess(ProcessReference(sessionId: "s", processId: "p")),
            .signalProcess(SignalProcessPayload(sessionId: "s", processId: "p", signal: "SIGTERM")),
            .openPort(OpenPortPayload(sessionId: "s", port: 8_123)), .watchDirectory(WatchDirectoryPayload(sessionId: "s", path: "src", recursive: true)),
            .invokeExtension(InvokeExtensionPayload(
                invocationId: "s", extensionKey: "acme.store", manifestDigest: "sha256:m", artifactDigest: "sha256:a", signature: "c2ln",
                publicKey: "a2V5", artifactPath: "v1/broker/artifacts/sha256:a", artifactToken: "gsg_x", entrypoint: "main.py", request: "{}",
                environment: ["GLOBALSTACKS_SETTINGS": "{}"], egress: ["api.example.com:443"], timeoutSeconds: 50, outputLimitBytes: 1_024, cpu: "1",
                memory: "512Mi"
            )),
            .startService(StartServicePayload(serviceId: "s", tenantId: "t", command: ["postgres"])), .removeService(ServiceReference(serviceId: "s")),
            .buildTemplate(BuildTemplatePayload(
                buildId: "s", tenantId: "t", base: TemplateBase(debian: "bookworm"), baseKey: "sha256:b",
                steps: [TemplateBuildStep(key: "sha256:k", instruction: "RUN true", run: "true", environment: ["A": "1"], workingDirectory: "/", user: "root")],
                context: TemplateArtifact(digest: "sha256:c", sizeBytes: 10, path: "v1/agent-content/sha256:c", token: "gsg_c"),
                upload: TemplateUpload(path: "v1/agent-content/templates/s", token: "gsg_u"), resources: ["cpu": "1"], timeoutSeconds: 600
            )),
            .snapshotSession(SnapshotSessionPayload(sessionId: "s", upload: TemplateUpload(path: "p", token: "gsg_u"))),
        ]
        #expect(Set(bodies.map(\.action)) == Set(CommandBody.Action.allCases), "every action is covered")
        for body in bodies {
            let message = try CommandMessage(commandId: "c", body: body)
            guard case .command(let decoded) = try AgentProtocol.decodeControl(try AgentProtocol.encode(.command(message))).message else {
                Issue.record("not a command")
                continue
            }
            #expect(try decoded.body() == body)
            #expect(body.sessionID == "s")
        }
        #expect(CommandBody.Action.allCases.filter(\.isStored).map(\.rawValue) == [
            "start_session", "stop_session", "hibernate_session", "wake_session", "delete_session", "start_service", "remove_service",
        ])
    }

    @Test func aFilesystemChangeIsOneJSONLine() throws {
        let change = FilesystemChange(type: .rename, name: "src/a \"b\".txt")
        let line = change.line
        #expect(String(decoding: line, as: UTF8.self) == #"{"name":"src/a \"b\".txt","type":"rename"}"# + "\n")
        #expect(try JSONDecoder().decode(FilesystemChange.self, from: Data(line.dropLast())) == change)
        #expect(FilesystemChange.Kind.allCases.map(\.rawValue) == ["create", "write", "remove", "rename", "chmod"])
    }

    @Test func aPayloadThatDoesNotFitItsActionIsRefusedWithTheField() {
        let message = CommandMessage(commandId: "c", action: "exec", payload: ["sessionId": .string("s"), "command": .string("ls")])
        #expect(throws: ProtocolError.self) { try message.body() }
        do {
            _ = try message.body()
        } catch {
            #expect(error.description.contains("'command'"), "\(error.description)")
        }
    }

    @Test func flowControlMessagesRoundTrip() throws {
        let control: [ControlMessage] = [
            .credit(CreditMessage(commandId: "c", bytes: 65_536)), .cancel(CancelMessage(commandId: "c")),
            .resize(ResizeMessage(commandId: "c", size: TerminalSize(columns: 120, rows: 40))),
        ]
        for message in control {
            #expect(try AgentProtocol.decodeControl(try AgentProtocol.encode(message)).message == message)
        }
        let credit = AgentMessage.credit(CreditMessage(commandId: "c", bytes: 1))
        #expect(try AgentProtocol.decodeAgent(try AgentProtocol.encode(credit)).message == credit)
        let failed = AgentMessage.failed(FailedMessage(commandId: "c", error: "gone", kind: .notFound))
        #expect(try AgentProtocol.decodeAgent(try AgentProtocol.encode(failed)).message == failed)
    }

    @Test func typedResultsTravelInTheContractsResultObject() throws {
        let entry = FileEntry(name: "a", path: "d/a", kind: .file, size: 3, mode: 0o644, modifiedAt: Date(timeIntervalSince1970: 1_800_000_000.25))
        let complete = try CompleteMessage(commandId: "c", typedResult: entry)
        guard case .complete(let decoded) = try AgentProtocol.decodeAgent(try AgentProtocol.encode(.complete(complete))).message else {
            Issue.record("not a complete")
            return
        }
        #expect(try decoded.decodeResult(FileEntry.self) == entry)
        #expect(throws: ProtocolError.self) { try decoded.decodeResult(ExecResult.self) }
    }

    @Test func streamFramesCarryTheirChannelIdAndEnd() throws {
        let frame = StreamFrame(commandId: "live-1", channel: .stderr, data: Array("bytes".utf8), isEnd: true)
        #expect(try StreamFrame(decoding: frame.encoded()) == frame)
        let empty = StreamFrame(commandId: "x", channel: .file, data: [])
        #expect(try StreamFrame(decoding: empty.encoded()) == empty)
        #expect(throws: ProtocolError.self) { try StreamFrame(decoding: [9, 0, 1, 65]) }
        #expect(throws: ProtocolError.self) { try StreamFrame(decoding: [1, 0, 5, 65]) }
        #expect(throws: ProtocolError.self) { try StreamFrame(decoding: [1, 0, 1, 65] + [UInt8](repeating: 0, count: StreamFrame.maximumDataBytes + 1)) }
    }
}
