import Foundation
import GlobalStacksDomain

/// envd's messages (its `process.proto` and `filesystem.proto`, in protobuf's JSON mapping), as far as its clients use
/// them.
enum Envd {
    struct ProcessConfig: Codable, Sendable {
        var cmd: String
        var args: [String]?
        var envs: [String: String]?
        var cwd: String?
    }

    struct Size: Codable, Sendable {
        var cols: Int
        var rows: Int
    }

    struct PTY: Codable, Sendable {
        var size: Size?
    }

    struct StartRequest: Decodable {
        var process: ProcessConfig
        var pty: PTY?
        var tag: String?
        var stdin: Bool?
    }

    /// A process by its pid or its tag.
    struct ProcessSelector: Codable, Sendable {
        var pid: UInt32?
        var tag: String?
    }

    struct ProcessRequest: Decodable {
        var process: ProcessSelector
    }

    struct Input: Decodable {
        var stdin: String?
        var pty: String?

        /// The bytes, base64 as protobuf's JSON has them.
        func bytes() throws -> [UInt8] {
            guard let text = stdin ?? pty else { return [] }
            guard let data = Data(base64Encoded: text) ?? Data(base64Encoded: Self.padded(text)) else {
                throw DomainError.invalidInput("input is base64.")
            }
            return Array(data)
        }

        private static func padded(_ text: String) -> String {
            let normalized = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
            return normalized + String(repeating: "=", count: (4 - normalized.count % 4) % 4)
        }
    }

    struct SendInputRequest: Decodable {
        var process: ProcessSelector
        var input: Input
    }

    struct SendSignalRequest: Decodable {
        var process: ProcessSelector
        var signal: String?
    }

    struct UpdateRequest: Decodable {
        var process: ProcessSelector
        var pty: PTY?
    }

    /// One message of `StreamInput`'s request stream.
    struct StreamInputRequest: Decodable {
        struct Start: Decodable { var process: ProcessSelector }
        struct DataEvent: Decodable { var input: Input }
        var start: Start?
        var data: DataEvent?
    }

    struct ProcessInfo: Encodable {
        let config: ProcessConfig
        let pid: UInt32
        let tag: String?
    }

    struct ListResponse: Encodable {
        let processes: [ProcessInfo]
    }

    struct Empty: Codable {}

    // MARK: filesystem

    struct PathRequest: Decodable {
        var path: String?
        var depth: Int?
    }

    struct MoveRequest: Decodable {
        var source: String?
        var destination: String?
    }

    struct WatchRequest: Decodable {
        var path: String?
        var recursive: Bool?
    }

    struct WatcherRequest: Decodable {
        var watcherId: String
    }

    struct EntryInfo: Encodable {
        let name: String
        let type: String
        let path: String
        let size: Int64
        let mode: Int
        let permissions: String
        let owner: String
        let group: String
        let modifiedTime: String
        let isSymlink: Bool

        init(_ entry: FileEntry, at path: EnvdPath) {
            name = entry.name
            type = switch entry.kind {
            case .file: "FILE_TYPE_FILE"
            case .directory: "FILE_TYPE_DIRECTORY"
            case .symlink: "FILE_TYPE_SYMLINK"
            case .other: "FILE_TYPE_UNSPECIFIED"
            }
            self.path = path.absolute(entry.path)
            size = entry.size
            mode = entry.mode & 0o777
            permissions = Self.permissions(entry.kind, mode: entry.mode)
            owner = "user"
            group = "user"
            modifiedTime = E2BMapping.time(entry.modifiedAt)
            isSymlink = entry.kind == .symlink
        }

        /// As Go's `FileMode.String()` writes them: `-rw-r--r--`, `drwxr-xr-x`, `Lrwxrwxrwx`.
        static func permissions(_ kind: FileEntry.Kind, mode: Int) -> String {
            let letters = Array("rwxrwxrwx")
            let bits = (0..<9).map { mode & (1 << (8 - $0)) != 0 ? letters[$0] : "-" }
            let first: Character = switch kind {
            case .directory: "d"
            case .symlink: "L"
            case .file, .other: "-"
            }
            return String([first] + bits)
        }
    }

    struct EntryResponse: Encodable {
        let entry: EntryInfo
    }

    struct ListDirResponse: Encodable {
        let entries: [EntryInfo]
    }

    struct FilesystemEvent: Encodable {
        let name: String
        let type: String

        init(_ change: FilesystemChange) {
            name = change.name
            type = "EVENT_TYPE_" + change.type.rawValue.uppercased()
        }
    }

    /// One message of `WatchDir`'s stream: `start` first, then changes and keepalives.
    enum WatchEvent: Encodable {
        case start
        case filesystem(FilesystemEvent)
        case keepalive

        private enum CodingKeys: String, CodingKey { case start, filesystem, keepalive }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            switch self {
            case .start: try container.encode(Empty(), forKey: .start)
            case .filesystem(let event): try container.encode(event, forKey: .filesystem)
            case .keepalive: try container.encode(Empty(), forKey: .keepalive)
            }
        }
    }

    struct WatcherCreated: Encodable {
        let watcherId: String
    }

    struct WatcherEvents: Encodable {
        let events: [FilesystemEvent]
    }
}
