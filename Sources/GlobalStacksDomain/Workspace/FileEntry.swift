import Foundation

/// One entry of a sandbox's workspace (`stat_file`, `list_files`, and the result of `write_file`).
public struct FileEntry: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Codable {
        case file, directory, symlink, other
    }

    public let name: String
    public let path: String
    public let kind: Kind
    public let size: Int64
    /// Permission bits, e.g. 420 for 0644.
    public let mode: Int
    public let modifiedAt: Date

    public init(name: String, path: String, kind: Kind, size: Int64, mode: Int, modifiedAt: Date) {
        self.name = name
        self.path = path
        self.kind = kind
        self.size = size
        self.mode = mode
        self.modifiedAt = modifiedAt
    }
}

/// The result of `list_files`.
public struct DirectoryListing: Sendable, Equatable, Codable {
    public let entries: [FileEntry]
    /// More entries exist than a listing holds (`maximumEntries`).
    public let truncated: Bool

    public static let maximumEntries = 1_000
    /// Roughly how large a listing may get encoded (the message limit is 256 KiB).
    public static let maximumBytes = 200 << 10

    public init(entries: [FileEntry], truncated: Bool) {
        self.entries = entries
        self.truncated = truncated
    }
}
