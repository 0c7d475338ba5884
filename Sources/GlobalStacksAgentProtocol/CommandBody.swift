import Foundation
import GlobalStacksDomain

/// What a `command` message asks, typed by its action: the contract's four session actions, our `delete_session`,
/// our workspace additions and our data-plane services. On the wire it stays the contract's `{commandId, action, payload}`.
public enum CommandBody: Sendable, Equatable {
    case startSession(StartSessionPayload)
    case stopSession(SessionReference)
    case hibernateSession(SessionReference)
    case wakeSession(SessionReference)
    /// The sandbox was deleted: the agent removes what it holds of it (its directory, its groups).
    case deleteSession(SessionReference)
    case exec(ExecPayload)
    case readOutput(ReadOutputPayload)
    case listFiles(FilePathPayload)
    case statFile(FilePathPayload)
    case readFile(FilePathPayload)
    case writeFile(WriteFilePayload)
    case makeDirectory(FilePathPayload)
    case moveFile(MoveFilePayload)
    case deleteFile(DeleteFilePayload)
    case startProcess(ExecPayload)
    case listProcesses(SessionReference)
    case getProcess(ProcessReference)
    case signalProcess(SignalProcessPayload)
    /// A TCP connection to a port inside the sandbox (its own loopback): bytes both ways as an interactive exec's.
    case openPort(OpenPortPayload)
    /// Changes in a directory of the workspace, one JSON line each on `stdout`, until cancelled.
    case watchDirectory(WatchDirectoryPayload)
    case invokeExtension(InvokeExtensionPayload)
    case startService(StartServicePayload)
    /// The service was deleted: the agent stops it and removes everything of it, its data included.
    case removeService(ServiceReference)
    /// Builds a template on this agent, its log on `stdout` frames (`BuildTemplatePayload`).
    case buildTemplate(BuildTemplatePayload)
    /// Saves a sandbox's filesystem as a template's archive (`SnapshotSessionPayload`).
    case snapshotSession(SnapshotSessionPayload)

    public enum Action: String, Sendable, CaseIterable {
        case startSession = "start_session"
        case stopSession = "stop_session"
        case hibernateSession = "hibernate_session"
        case wakeSession = "wake_session"
        case deleteSession = "delete_session"
        case exec
        case readOutput = "read_output"
        case listFiles = "list_files"
        case statFile = "stat_file"
        case readFile = "read_file"
        case writeFile = "write_file"
        case makeDirectory = "make_directory"
        case moveFile = "move_file"
        case deleteFile = "delete_file"
        case startProcess = "start_process"
        case listProcesses = "list_processes"
        case getProcess = "get_process"
        case signalProcess = "signal_process"
        case openPort = "open_port"
        case watchDirectory = "watch_directory"
        case invokeExtension = "invoke_extension"
        case startService = "start_service"
        case removeService = "remove_service"
        case buildTemplate = "build_template"
        case snapshotSession = "snapshot_session"

        /// Session and service actions are stored and delivered at least once; workspace actions are sent while a
        /// client waits, never stored, never delivered again.
        public var isStored: Bool {
            switch self {
            case .startSession, .stopSession, .hibernateSession, .wakeSession, .deleteSession, .startService, .removeService: true
            default: false
            }
        }
    }

    public var action: Action {
        switch self {
        case .startSession: .startSession
        case .stopSession: .stopSession
        case .hibernateSession: .hibernateSession
        case .wakeSession: .wakeSession
        case .deleteSession: .deleteSession
        case .exec: .exec
        case .readOutput: .readOutput
        case .listFiles: .listFiles
        case .statFile: .statFile
        case .readFile: .readFile
        case .writeFile: .writeFile
        case .makeDirectory: .makeDirectory
        case .moveFile: .moveFile
        case .deleteFile: .deleteFile
        case .startProcess: .startProcess
        case .listProcesses: .listProcesses
        case .getProcess: .getProcess
        case .signalProcess: .signalProcess
        case .openPort: .openPort
        case .watchDirectory: .watchDirectory
        case .invokeExtension: .invokeExtension
        case .startService: .startService
        case .removeService: .removeService
        case .buildTemplate: .buildTemplate
        case .snapshotSession: .snapshotSession
        }
    }

    /// The sandbox (or service) every command is about: commands about one run one after another.
    public var sessionID: String {
        switch self {
        case .startSession(let payload): payload.sessionId
        case .stopSession(let payload), .hibernateSession(let payload), .wakeSession(let payload), .deleteSession(let payload), .listProcesses(let payload):
            payload.sessionId
        case .exec(let payload), .startProcess(let payload): payload.sessionId
        case .getProcess(let payload): payload.sessionId
        case .signalProcess(let payload): payload.sessionId
        case .openPort(let payload): payload.sessionId
        case .watchDirectory(let payload): payload.sessionId
        case .readOutput(let payload): payload.sessionId
        case .listFiles(let payload), .statFile(let payload), .readFile(let payload), .makeDirectory(let payload): payload.sessionId
        case .writeFile(let payload): payload.sessionId
        case .moveFile(let payload): payload.sessionId
        case .deleteFile(let payload): payload.sessionId
        // An invocation runs in a sandbox of its own, named after it.
        case .invokeExtension(let payload): payload.invocationId
        case .startService(let payload): payload.serviceId
        case .removeService(let payload): payload.serviceId
        case .buildTemplate(let payload): payload.buildId
        case .snapshotSession(let payload): payload.sessionId
        }
    }

    var payloadObject: [String: JSONValue] {
        get throws {
            switch self {
            case .startSession(let payload): try JSONValue.object(encoding: payload)
            case .stopSession(let payload), .hibernateSession(let payload), .wakeSession(let payload), .deleteSession(let payload), .listProcesses(let payload):
                try JSONValue.object(encoding: payload)
            case .exec(let payload), .startProcess(let payload): try JSONValue.object(encoding: payload)
            case .getProcess(let payload): try JSONValue.object(encoding: payload)
            case .signalProcess(let payload): try JSONValue.object(encoding: payload)
            case .openPort(let payload): try JSONValue.object(encoding: payload)
            case .watchDirectory(let payload): try JSONValue.object(encoding: payload)
            case .readOutput(let payload): try JSONValue.object(encoding: payload)
            case .listFiles(let payload), .statFile(let payload), .readFile(let payload), .makeDirectory(let payload): try JSONValue.object(encoding: payload)
            case .writeFile(let payload): try JSONValue.object(encoding: payload)
            case .moveFile(let payload): try JSONValue.object(encoding: payload)
            case .deleteFile(let payload): try JSONValue.object(encoding: payload)
            case .invokeExtension(let payload): try JSONValue.object(encoding: payload)
            case .startService(let payload): try JSONValue.object(encoding: payload)
            case .removeService(let payload): try JSONValue.object(encoding: payload)
            case .buildTemplate(let payload): try JSONValue.object(encoding: payload)
            case .snapshotSession(let payload): try JSONValue.object(encoding: payload)
            }
        }
    }

    init(action name: String, payload: [String: JSONValue]) throws(ProtocolError) {
        guard let action = Action(rawValue: name) else {
            throw .invalidPayload(type: "command", reason: "unknown action '\(name.prefix(64))'; this agent knows \(Action.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        func decode<Payload: Decodable>(_ type: Payload.Type) throws(ProtocolError) -> Payload {
            do {
                return try JSONValue.decode(Payload.self, from: payload)
            } catch {
                throw .invalidPayload(type: "command", reason: "'\(name)' payload: \(AgentProtocol.describe(error))")
            }
        }
        switch action {
        case .startSession: self = .startSession(try decode(StartSessionPayload.self))
        case .stopSession: self = .stopSession(try decode(SessionReference.self))
        case .hibernateSession: self = .hibernateSession(try decode(SessionReference.self))
        case .wakeSession: self = .wakeSession(try decode(SessionReference.self))
        case .deleteSession: self = .deleteSession(try decode(SessionReference.self))
        case .exec: self = .exec(try decode(ExecPayload.self))
        case .readOutput: self = .readOutput(try decode(ReadOutputPayload.self))
        case .listFiles: self = .listFiles(try decode(FilePathPayload.self))
        case .statFile: self = .statFile(try decode(FilePathPayload.self))
        case .readFile: self = .readFile(try decode(FilePathPayload.self))
        case .writeFile: self = .writeFile(try decode(WriteFilePayload.self))
        case .makeDirectory: self = .makeDirectory(try decode(FilePathPayload.self))
        case .moveFile: self = .moveFile(try decode(MoveFilePayload.self))
        case .deleteFile: self = .deleteFile(try decode(DeleteFilePayload.self))
        case .startProcess: self = .startProcess(try decode(ExecPayload.self))
        case .listProcesses: self = .listProcesses(try decode(SessionReference.self))
        case .getProcess: self = .getProcess(try decode(ProcessReference.self))
        case .signalProcess: self = .signalProcess(try decode(SignalProcessPayload.self))
        case .openPort: self = .openPort(try decode(OpenPortPayload.self))
        case .watchDirectory: self = .watchDirectory(try decode(WatchDirectoryPayload.self))
        case .invokeExtension: self = .invokeExtension(try decode(InvokeExtensionPayload.self))
        case .startService: self = .startService(try decode(StartServicePayload.self))
        case .removeService: self = .removeService(try decode(ServiceReference.self))
        case .buildTemplate: self = .buildTemplate(try decode(BuildTemplatePayload.self))
        case .snapshotSession: self = .snapshotSession(try decode(SnapshotSessionPayload.self))
        }
    }
}

extension CommandMessage {
    public init(commandId: String, body: CommandBody) throws {
        self.init(commandId: commandId, action: body.action.rawValue, payload: try body.payloadObject)
    }

    /// The typed body; an unknown action or a payload that does not fit it is refused with the reason.
    public func body() throws(ProtocolError) -> CommandBody {
        try CommandBody(action: action, payload: payload)
    }
}

extension CompleteMessage {
    /// A typed result (`ExecResult`, `FileEntry`, …) as the contract's free-form `result` object.
    public init(commandId: String, typedResult: some Encodable) throws {
        self.init(commandId: commandId, result: try JSONValue.object(encoding: typedResult))
    }

    public func decodeResult<Result: Decodable>(_ type: Result.Type) throws(ProtocolError) -> Result {
        do {
            return try JSONValue.decode(Result.self, from: result ?? [:])
        } catch {
            throw .invalidPayload(type: "complete", reason: "result: \(AgentProtocol.describe(error))")
        }
    }
}
