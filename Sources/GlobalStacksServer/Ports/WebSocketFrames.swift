import Foundation

/// RFC 6455 framing for the client side of a WebSocket to a sandbox's server: frames this server sends are masked,
/// frames it receives are not. Only what relaying messages needs.
enum WebSocketFrames {
    enum Opcode: UInt8 {
        case continuation = 0, text = 1, binary = 2, close = 8, ping = 9, pong = 10
    }

    struct Frame: Equatable {
        let fin: Bool
        let opcode: Opcode
        let payload: [UInt8]
    }

    /// Largest frame accepted from the sandbox's server.
    static let maximumPayloadBytes = 16 << 20

    static func masked(_ opcode: Opcode, _ payload: [UInt8], fin: Bool = true) -> [UInt8] {
        var bytes: [UInt8] = [(fin ? 0x80 : 0) | opcode.rawValue]
        switch payload.count {
        case ..<126: bytes.append(0x80 | UInt8(payload.count))
        case ..<65_536: bytes += [0x80 | 126, UInt8(payload.count >> 8), UInt8(payload.count & 0xff)]
        default: bytes += [0x80 | 127] + (0..<8).reversed().map { UInt8((UInt64(payload.count) >> (8 * UInt64($0))) & 0xff) }
        }
        let mask = (0..<4).map { _ in UInt8.random(in: 0...255) }
        bytes += mask
        bytes += payload.enumerated().map { $0.element ^ mask[$0.offset % 4] }
        return bytes
    }

    /// The first whole frame in `buffer`, removed from it; nil while it is incomplete.
    static func next(from buffer: inout [UInt8]) throws -> Frame? {
        guard buffer.count >= 2, let opcode = Opcode(rawValue: buffer[0] & 0x0f) else {
            if buffer.count >= 2 { throw FrameError("an unknown opcode") }
            return nil
        }
        var length = Int(buffer[1] & 0x7f)
        var offset = 2
        if length == 126 {
            guard buffer.count >= 4 else { return nil }
            length = Int(buffer[2]) << 8 | Int(buffer[3])
            offset = 4
        } else if length == 127 {
            guard buffer.count >= 10 else { return nil }
            let value = buffer[2..<10].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            guard value <= UInt64(maximumPayloadBytes) else { throw FrameError("a frame over \(maximumPayloadBytes) bytes") }
            length = Int(value)
            offset = 10
        }
        guard length <= maximumPayloadBytes else { throw FrameError("a frame over \(maximumPayloadBytes) bytes") }
        let masked = buffer[1] & 0x80 != 0
        let mask = masked ? Array(buffer.dropFirst(offset).prefix(4)) : []
        if masked { offset += 4 }
        guard buffer.count >= offset + length else { return nil }
        let fin = buffer[0] & 0x80 != 0
        var payload = Array(buffer[offset..<(offset + length)])
        if masked { payload = payload.enumerated().map { $0.element ^ mask[$0.offset % 4] } }
        buffer.removeFirst(offset + length)
        return Frame(fin: fin, opcode: opcode, payload: payload)
    }

    struct FrameError: Error, CustomStringConvertible {
        let description: String
        init(_ what: String) { description = "The sandbox's server sent \(what)." }
    }
}
