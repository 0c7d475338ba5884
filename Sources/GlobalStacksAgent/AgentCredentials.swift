import Foundation

/// The agent's own identity, kept in a file only its user can read.
public struct AgentCredentials: Codable, Sendable, Equatable {
    public let agentID: String
    public let name: String
    public let key: String
    public let serverURL: String

    public static func load(from file: URL) throws -> AgentCredentials? {
        guard FileManager.default.fileExists(atPath: file.path) else { return nil }
        let attributes = try FileManager.default.attributesOfItem(atPath: file.path)
        if let permissions = attributes[.posixPermissions] as? Int, permissions & 0o077 != 0 {
            throw AgentError.insecureCredentials("\(file.path) is readable by other users (mode \(String(permissions, radix: 8))); run chmod 600 on it.")
        }
        return try JSONDecoder().decode(AgentCredentials.self, from: Data(contentsOf: file))
    }

    /// Written to a temporary file created with mode 0600, then renamed, so the key is never readable by others.
    public func save(to file: URL) throws {
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        let temporary = file.deletingLastPathComponent().appendingPathComponent(".\(file.lastPathComponent).\(UUID().uuidString)")
        let data = try JSONEncoder().encode(self)
        guard FileManager.default.createFile(atPath: temporary.path, contents: data, attributes: [.posixPermissions: 0o600]) else {
            throw AgentError.insecureCredentials("Cannot write \(temporary.path).")
        }
        if rename(temporary.path, file.path) != 0 {
            try? FileManager.default.removeItem(at: temporary)
            throw AgentError.insecureCredentials("Cannot move the credentials into \(file.path) (errno \(errno)).")
        }
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
