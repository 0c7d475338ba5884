import GlobalStacksDomain

/// A path as envd's clients send it, inside the sandbox's workspace: relative to it, or absolute under
/// `/workspace` or under `/home/user` (E2B's home directory, which is the workspace here). Answers name entries under
/// the root the client used.
struct EnvdPath {
    static let workspace = "/workspace"
    static let home = "/home/user"

    /// How the client wrote the workspace: `/workspace` or `/home/user`.
    let root: String
    /// Relative to the workspace; "." for the workspace itself.
    let relative: String

    init(_ sent: String?) throws {
        let path = sent ?? ""
        for root in [Self.workspace, Self.home] where path == root || path.hasPrefix(root + "/") {
            self.root = root
            let rest = path.dropFirst(root.count).drop(while: { $0 == "/" })
            relative = rest.isEmpty ? "." : String(rest)
            return
        }
        guard !path.hasPrefix("/") else {
            throw DomainError.invalidInput("\(path.prefix(256)) is outside the sandbox's workspace: paths are relative to it, or under \(Self.workspace) (or \(Self.home), the same directory).")
        }
        root = Self.home
        relative = path.isEmpty ? "." : path
    }

    /// The absolute path, under the client's root, of `relative` (a path relative to the workspace).
    func absolute(_ relative: String) -> String {
        relative == "." || relative.isEmpty ? root : root + "/" + relative
    }
}
