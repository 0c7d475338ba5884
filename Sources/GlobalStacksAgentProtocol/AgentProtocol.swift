import Foundation

/// Why a frame was refused. The receiver answers with the description and keeps the connection.
public enum ProtocolError: Error, Equatable, CustomStringConvertible {
    case tooLarge(bytes: Int, limit: Int)
    case malformed(String)
    case unknownType(String)
    case invalidPayload(type: String, reason: String)

    public var description: String {
        switch self {
        case .tooLarge(let bytes, let limit): "Message of \(bytes) bytes exceeds the limit of \(limit) bytes."
        case .malformed(let reason): "Message is not a JSON envelope {type, timestamp, payload}: \(reason)"
        case .unknownType(let type): "Unknown message type '\(type.prefix(64))'."
        case .invalidPayload(let type, let reason): "Invalid payload for '\(type)': \(reason)"
        }
    }
}

/// The wire format of the agent contract: JSON envelopes `{type, timestamp, payload}` over WebSocket text frames.
public enum AgentProtocol {
    /// Largest frame either side accepts.
    public static let maximumMessageBytes = 256 * 1024
    /// Sandbox ids in one heartbeat's inventory: 4,000 ids of 36 characters stay well under the message limit.
    public static let maximumInventory = 4_000

    private struct Envelope<Payload: Codable>: Codable {
        let type: String
        let timestamp: Date
        let payload: Payload
    }

    private struct Header: Decodable {
        let type: String
        let timestamp: Date
    }

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(timestampFormatter(fractional: true).string(from: date))
        }
        encoder.outputFormatting = .sortedKeys
        return encoder
    }()

    static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let text = try decoder.singleValueContainer().decode(String.self)
            guard let date = timestampFormatter(fractional: true).date(from: text) ?? timestampFormatter(fractional: false).date(from: text) else {
                throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "'\(text.prefix(40))' is not an RFC 3339 time"))
            }
            return date
        }
        return decoder
    }()

    private static func timestampFormatter(fractional: Bool) -> ISO8601DateFormatter {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = fractional ? [.withInternetDateTime, .withFractionalSeconds] : [.withInternetDateTime]
        return formatter
    }

    // MARK: Control plane → agent

    public static func encode(_ message: ControlMessage, at time: Date = Date()) throws -> Data {
        switch message {
        case .command(let payload): try encoder.encode(Envelope(type: ControlMessageType.command.rawValue, timestamp: time, payload: payload))
        case .ping(let payload): try encoder.encode(Envelope(type: ControlMessageType.ping.rawValue, timestamp: time, payload: payload))
        case .shutdown(let payload): try encoder.encode(Envelope(type: ControlMessageType.shutdown.rawValue, timestamp: time, payload: payload))
        case .credit(let payload): try encoder.encode(Envelope(type: ControlMessageType.credit.rawValue, timestamp: time, payload: payload))
        case .cancel(let payload): try encoder.encode(Envelope(type: ControlMessageType.cancel.rawValue, timestamp: time, payload: payload))
        case .resize(let payload): try encoder.encode(Envelope(type: ControlMessageType.resize.rawValue, timestamp: time, payload: payload))
        }
    }

    public static func decodeControl(_ data: Data) throws(ProtocolError) -> (message: ControlMessage, timestamp: Date) {
        let header = try header(data)
        guard let type = ControlMessageType(rawValue: header.type) else { throw .unknownType(header.type) }
        switch type {
        case .command: return (.command(try payload(CommandMessage.self, data, type: header.type)), header.timestamp)
        case .ping: return (.ping(try payload(PingMessage.self, data, type: header.type)), header.timestamp)
        case .shutdown: return (.shutdown(try payload(ShutdownMessage.self, data, type: header.type)), header.timestamp)
        case .credit: return (.credit(try payload(CreditMessage.self, data, type: header.type)), header.timestamp)
        case .cancel: return (.cancel(try payload(CancelMessage.self, data, type: header.type)), header.timestamp)
        case .resize: return (.resize(try payload(ResizeMessage.self, data, type: header.type)), header.timestamp)
        }
    }

    // MARK: Agent → control plane

    public static func encode(_ message: AgentMessage, at time: Date = Date()) throws -> Data {
        switch message {
        case .heartbeat(let payload): try encoder.encode(Envelope(type: AgentMessageType.heartbeat.rawValue, timestamp: time, payload: payload))
        case .ack(let payload): try encoder.encode(Envelope(type: AgentMessageType.ack.rawValue, timestamp: time, payload: payload))
        case .complete(let payload): try encoder.encode(Envelope(type: AgentMessageType.complete.rawValue, timestamp: time, payload: payload))
        case .failed(let payload): try encoder.encode(Envelope(type: AgentMessageType.failed.rawValue, timestamp: time, payload: payload))
        case .status(let payload): try encoder.encode(Envelope(type: AgentMessageType.status.rawValue, timestamp: time, payload: payload))
        case .pong(let payload): try encoder.encode(Envelope(type: AgentMessageType.pong.rawValue, timestamp: time, payload: payload))
        case .credit(let payload): try encoder.encode(Envelope(type: AgentMessageType.credit.rawValue, timestamp: time, payload: payload))
        case .serviceStatus(let payload): try encoder.encode(Envelope(type: AgentMessageType.serviceStatus.rawValue, timestamp: time, payload: payload))
        }
    }

    public static func decodeAgent(_ data: Data) throws(ProtocolError) -> (message: AgentMessage, timestamp: Date) {
        let header = try header(data)
        guard let type = AgentMessageType(rawValue: header.type) else { throw .unknownType(header.type) }
        switch type {
        case .heartbeat: return (.heartbeat(try payload(HeartbeatMessage.self, data, type: header.type)), header.timestamp)
        case .ack: return (.ack(try payload(AckMessage.self, data, type: header.type)), header.timestamp)
        case .complete: return (.complete(try payload(CompleteMessage.self, data, type: header.type)), header.timestamp)
        case .failed: return (.failed(try payload(FailedMessage.self, data, type: header.type)), header.timestamp)
        case .status: return (.status(try payload(StatusMessage.self, data, type: header.type)), header.timestamp)
        case .pong: return (.pong(try payload(PongMessage.self, data, type: header.type)), header.timestamp)
        case .credit: return (.credit(try payload(CreditMessage.self, data, type: header.type)), header.timestamp)
        case .serviceStatus: return (.serviceStatus(try payload(ServiceStatusMessage.self, data, type: header.type)), header.timestamp)
        }
    }

    // MARK: Decoding steps

    private static func header(_ data: Data) throws(ProtocolError) -> Header {
        guard data.count <= maximumMessageBytes else { throw .tooLarge(bytes: data.count, limit: maximumMessageBytes) }
        do {
            return try decoder.decode(Header.self, from: data)
        } catch {
            throw .malformed(describe(error))
        }
    }

    private static func payload<Payload: Codable>(_ type: Payload.Type, _ data: Data, type name: String) throws(ProtocolError) -> Payload {
        do {
            return try decoder.decode(Envelope<Payload>.self, from: data).payload
        } catch {
            throw .invalidPayload(type: name, reason: describe(error))
        }
    }

    static func describe(_ error: any Error) -> String {
        switch error as? DecodingError {
        case .keyNotFound(let key, let context)?:
            "missing '\((context.codingPath + [key]).map(\.stringValue).joined(separator: "."))'"
        case .typeMismatch(_, let context)?, .valueNotFound(_, let context)?:
            "'\(context.codingPath.map(\.stringValue).joined(separator: "."))' has the wrong type"
        case .dataCorrupted(let context)?:
            context.codingPath.isEmpty ? "not valid JSON" : "'\(context.codingPath.map(\.stringValue).joined(separator: "."))': \(context.debugDescription)"
        default:
            "unreadable"
        }
    }
}
