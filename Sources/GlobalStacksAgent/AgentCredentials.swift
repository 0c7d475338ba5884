import Foundation

/// The agent's own identity, kept in a file only its user can read.
public struct AgentCredentials: Codable, Sendable, Equatable {
    public let agentID: String
    public let name: String
    public let key: String
    public let serverURL: String
    /// A key being rotated to: saved before the control plane is asked, so a rotation whose answer was lost is
    /// repeated with the same key instead of locking the agent out.
    public var pendingKey: String?

    public init(agentID: String, name: String, key: String, serverURL: String, pendingKey: String? = nil) {
        self.agentID = agentID
        self.name = name
        self.key = key
        self.serverURL = serverURL
        self.pendingKey = pendingKey
    }

    public static func load(from file: URL) throws -> AgentCredentials? {
        guard FileManager.default.fileExists(atPath: file.path) else { return nil }
        let attributes = try FileManager.default.attributesOfItem(atPath: file.path)
        if let permissions = attributes[.posixPermissions] as? Int, permissions & 0o077 != 0 {
            throw AgentError.insecureCredentials("\(file.path) is readable by other users (mode \(String(permissions, radix: 8))); run chmod 600 on it.")
        }
        return try JSONDecoder().decode(AgentCredentials.self, from: Data(contentsOf: file))
    }

    /// Written to a temporary file opened with mode 0600 (never readable by others, not even briefly), synced,
    /// then renamed into place.
    public func save(to file: URL) throws {
        let data = try JSONEncoder().encode(self)
        let temporary = try Self.createPrivateFile(nextTo: file)
        defer { unlink(temporary.path) }  // a no-op after the rename
        let descriptor = open(temporary.path, O_WRONLY | O_NOFOLLOW)
        guard descriptor >= 0 else { throw AgentError.insecureCredentials("Cannot write \(temporary.path) (errno \(errno)).") }
        let written = data.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        let synced = fsync(descriptor)
        close(descriptor)
        guard written == data.count, synced == 0, rename(temporary.path, file.path) == 0 else {
            throw AgentError.insecureCredentials("Cannot save the credentials into \(file.path) (errno \(errno)).")
        }
    }

    /// Checks, before the agent enrolls, that its key can be saved (a spent single-use token cannot be used again).
    public static func checkWritable(_ file: URL) throws {
        unlink(try createPrivateFile(nextTo: file).path)
    }

    private static func createPrivateFile(nextTo file: URL) throws -> URL {
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        let temporary = file.deletingLastPathComponent().appendingPathComponent(".\(file.lastPathComponent).\(UUID().uuidString)")
        let descriptor = open(temporary.path, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW, 0o600)
        guard descriptor >= 0 else {
            throw AgentError.insecureCredentials("Cannot create a file next to \(file.path) (errno \(errno)); check the directory.")
        }
        close(descriptor)
        return temporary
    }
}

public enum AgentError: Error, CustomStringConvertible {
    case insecureCredentials(String)
    case enrollment(String)
    case notEnrolled

    public var description: String {
        switch self {
        case .insecureCredentials(let message): message
        case .enrollment(let message): "Enrollment failed: \(message)"
        case .notEnrolled: "The agent has no credentials yet; pass --token with a provisioning token (gsp_…) to enroll it."
        }
    }
}
