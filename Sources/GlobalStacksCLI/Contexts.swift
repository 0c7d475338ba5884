import Foundation

/// One server and account the CLI talks to, with what is selected there.
public struct CLIContext: Codable, Sendable, Equatable {
    public var server: String
    public var user: String
    /// The session the server set at sign-in (a secret: the file holding it is readable by its owner only).
    public var session: String
    /// The session's organization and tenant as last selected or seen, so `whoami` names them without asking.
    public var selection: Selection?

    /// An organization or tenant as people name it.
    public struct Named: Codable, Sendable, Equatable {
        public let id: String
        public let slug: String?
        public let name: String

        var text: String { "\(slug ?? id) (\(name))" }
    }

    public struct Selection: Codable, Sendable, Equatable {
        public var organization: Named?
        public var tenant: Named?
    }
}

/// The contexts file: `contexts.json` in `$GSTACKS_CONFIG_DIR`, else `$XDG_CONFIG_HOME/gstacks`, else
/// `~/.config/gstacks`; the directory is 0700 and the file 0600, written whole (temporary file, then rename).
public struct ContextFile: Codable, Sendable, Equatable {
    public var current: String?
    public var contexts: [String: CLIContext] = [:]

    public static var directory: URL {
        let environment = ProcessInfo.processInfo.environment
        if let explicit = environment["GSTACKS_CONFIG_DIR"], !explicit.isEmpty { return URL(fileURLWithPath: explicit) }
        if let xdg = environment["XDG_CONFIG_HOME"], !xdg.isEmpty { return URL(fileURLWithPath: xdg).appendingPathComponent("gstacks") }
        return FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".config/gstacks")
    }

    static var path: URL { directory.appendingPathComponent("contexts.json") }

    public static func load() throws -> ContextFile {
        guard let data = FileManager.default.contents(atPath: path.path) else { return ContextFile() }
        do {
            return try JSONDecoder().decode(ContextFile.self, from: data)
        } catch {
            throw CLIError(.failure, "\(path.path) is not a contexts file (\(error)); move it away to start afresh.")
        }
    }

    public func save() throws {
        let manager = FileManager.default
        try manager.createDirectory(at: Self.directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let temporary = Self.directory.appendingPathComponent(".contexts.\(ProcessInfo.processInfo.processIdentifier).json")
        guard manager.createFile(atPath: temporary.path, contents: try encoder.encode(self), attributes: [.posixPermissions: 0o600]) else {
            throw CLIError(.failure, "Could not write \(temporary.path).")
        }
        guard rename(temporary.path, Self.path.path) == 0 else {
            throw CLIError(.failure, "Could not replace \(Self.path.path) (errno \(errno)).")
        }
    }

    /// The context a command uses: `--context`, else `GSTACKS_CONTEXT`, else the current one.
    public func selected(_ name: String?) throws -> (name: String, context: CLIContext) {
        let chosen = name ?? ProcessInfo.processInfo.environment["GSTACKS_CONTEXT"].flatMap { $0.isEmpty ? nil : $0 } ?? current
        guard let chosen else { throw CLIError(.notSignedIn, "Not signed in; run `gstacks login URL`.") }
        guard let context = contexts[chosen] else {
            throw CLIError(.notSignedIn, "No context '\(chosen)'; `gstacks context list` shows them, `gstacks login URL` adds one.")
        }
        return (chosen, context)
    }
}

extension ContextFile {
    /// Records what a context's session has selected (its session is the CLI's own, so nothing else changes it).
    static func remember(_ selection: CLIContext.Selection, for name: String) throws {
        var file = try load()
        guard file.contexts[name] != nil, file.contexts[name]?.selection != selection else { return }
        file.contexts[name]?.selection = selection
        try file.save()
    }

    /// Keeps a new session as a context (named `name`, else the server's host and port), makes it the current one,
    /// saves the file and says so.
    mutating func remember(session: String, user: String, address: String, server: URL, name: String?) throws {
        let contextName = name ?? [server.host, server.port.map(String.init)].compactMap { $0 }.joined(separator: ":")
        contexts[contextName] = CLIContext(server: address, user: user, session: session)
        current = contextName
        try save()
        print("Signed in to \(address) as \(user) (context \(contextName)).")
    }
}

/// How a command ends, as `gh` does it: 1 error, 2 usage, 4 not signed in.
public struct CLIError: Error, CustomStringConvertible {
    public enum Code: Int32, Sendable {
        case failure = 1
        case usage = 2
        case notSignedIn = 4
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
