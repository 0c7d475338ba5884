import Foundation
import GlobalStacksAgentProtocol

/// Accepts every command and runs nothing: for measuring the control plane's dispatch and data paths without
/// process start-up in the way (`gstacks agent --driver noop`). Each sandbox gets a real directory for its files;
/// `exec` starts no process and answers exit code 0 with no output at once.
public actor NoopDriver: SandboxDriver {
    private let root: URL
    private var sessions: Set<String> = []
    public nonisolated let exits: AsyncStream<SessionExit> = AsyncStream { _ in }

    public init(root: URL) {
        self.root = root
    }

    public func start(_ session: StartSessionPayload) async throws {
        guard session.sessionId.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" }) else { throw DriverError("Invalid sandbox id.") }
        try FileManager.default.createDirectory(at: root.appendingPathComponent(session.sessionId), withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        sessions.insert(session.sessionId)
    }

    public func stop(_ sessionID: String) async throws { sessions.remove(sessionID) }
    public func delete(_ sessionID: String) async throws {
        guard !sessionID.isEmpty, sessionID.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" }) else { throw DriverError("Invalid sandbox id.") }
        sessions.remove(sessionID)
        try? FileManager.default.removeItem(at: root.appendingPathComponent(sessionID))
    }

    public func hibernate(_ sessionID: String) async throws {}
    public func wake(_ sessionID: String) async throws {}
    public func sessions() async -> [String] { Array(sessions) }
    public func stopAll() async { sessions.removeAll() }

    public func entry(_ sessionID: String) async throws -> SandboxEntry {
        guard sessions.contains(sessionID) else { throw DriverError("Sandbox \(sessionID) is not running on this agent.", kind: .conflict) }
        return SandboxEntry(workspace: root.appendingPathComponent(sessionID), storageLimit: nil, processArgv: nil)
    }

    public func workspace(_ sessionID: String) async -> URL? {
        let directory = root.appendingPathComponent(sessionID)
        let valid = !sessionID.isEmpty && sessionID.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" }
        return valid && FileManager.default.fileExists(atPath: directory.path) ? directory : nil
    }

    public func isRunning(_ sessionID: String) async -> Bool { sessions.contains(sessionID) }
}
