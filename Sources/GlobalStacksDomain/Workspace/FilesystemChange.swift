import Foundation

/// One change seen in a watched directory of a sandbox's workspace, as the agent reports it (a JSON line each).
public struct FilesystemChange: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Codable, CaseIterable {
        /// Created, or moved in.
        case create
        /// Written (at most one per file every 50 ms).
        case write
        /// Deleted.
        case remove
        /// Moved away (its new name, when inside the watched directory, comes as a `create`).
        case rename
        /// Its mode, owner or times changed.
        case chmod
    }

    public let type: Kind
    /// Relative to the watched directory.
    public let name: String

    public init(type: Kind, name: String) {
        self.type = type
        self.name = name
    }

    /// The JSON line (with its newline) the agent sends.
    public var line: [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array((try? encoder.encode(self)) ?? Data()) + [UInt8(ascii: "\n")]
    }
}
