import GlobalStacksDomain

/// Addition to the agent contract: the bytes of a workspace command (exec output and input, file contents,
/// sandbox output) travel as WebSocket binary frames beside the JSON text frames:
///
///     byte 0       channel (1 stdout, 2 stderr, 3 stdin, 4 file)
///     byte 1       flags (1: the channel ends here; the frame may carry bytes still)
///     byte 2       n, the length of the command id
///     bytes 3…     the command id (n bytes, ASCII), then the data
///
/// Flow control: a sender has `initialWindowBytes` of credit per command and spends a frame's data length on it;
/// the receiver gives credit back (`credit` messages) as it consumes, so a slow reader slows the writer instead of
/// filling memory, and frames of one command never hold up another command's.
public struct StreamFrame: Sendable, Equatable {
    public enum Channel: UInt8, Sendable {
        case stdout = 1, stderr = 2, stdin = 3, file = 4
    }

    public let commandId: String
    public let channel: Channel
    public let isEnd: Bool
    public let data: [UInt8]

    /// Largest data one frame carries.
    public static let maximumDataBytes = 64 * 1024
    /// Credit a sender starts with, per command.
    public static let initialWindowBytes = 1 << 20
    /// A receiver gives credit back in batches of at least this much (a quarter of the window: the sender never
    /// waits while a quarter of a window is unconsumed, and one credit message answers four frames or more).
    public static let creditBatchBytes = initialWindowBytes / 4

    public init(commandId: String, channel: Channel, data: [UInt8], isEnd: Bool = false) {
        self.commandId = commandId
        self.channel = channel
        self.data = data
        self.isEnd = isEnd
    }

    public func encoded() -> [UInt8] {
        let id = Array(commandId.utf8.prefix(255))
        var bytes: [UInt8] = []
        bytes.reserveCapacity(3 + id.count + data.count)
        bytes.append(channel.rawValue)
        bytes.append(isEnd ? 1 : 0)
        bytes.append(UInt8(id.count))
        bytes += id
        bytes += data
        return bytes
    }

    public init(decoding bytes: some Collection<UInt8>) throws(ProtocolError) {
        let bytes = Array(bytes)
        guard bytes.count >= 3, let channel = Channel(rawValue: bytes[0]) else { throw .malformed("a binary frame needs a channel byte of 1 to 4") }
        let idLength = Int(bytes[2])
        guard idLength > 0, bytes.count >= 3 + idLength else { throw .malformed("a binary frame's command id is cut short") }
        guard bytes.count - 3 - idLength <= Self.maximumDataBytes else {
            throw .tooLarge(bytes: bytes.count - 3 - idLength, limit: Self.maximumDataBytes)
        }
        self.channel = channel
        self.isEnd = bytes[1] & 1 == 1
        self.commandId = String(decoding: bytes[3..<(3 + idLength)], as: UTF8.self)
        self.data = Array(bytes[(3 + idLength)...])
    }
}

/// Credit given back for a command's stream frames (both directions).
public struct CreditMessage: Sendable, Equatable, Codable {
    public let commandId: String
    public let bytes: Int

    public init(commandId: String, bytes: Int) {
        self.commandId = commandId
        self.bytes = bytes
    }
}

/// The client of a workspace command went away: the agent ends it (a process it started is killed).
public struct CancelMessage: Sendable, Equatable, Codable {
    public let commandId: String

    public init(commandId: String) {
        self.commandId = commandId
    }
}

/// A terminal exec's window changed size (control plane → agent).
public struct ResizeMessage: Sendable, Equatable, Codable {
    public let commandId: String
    public let size: TerminalSize

    public init(commandId: String, size: TerminalSize) {
        self.commandId = commandId
        self.size = size
    }
}
