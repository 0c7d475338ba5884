import Foundation
import GlobalStacksDomain
import HTTPTypes
import Hummingbird
import NIOCore

/// The parts of the Connect protocol (connectrpc.com/docs/protocol) envd's clients use, with the JSON codec over
/// HTTP/1.1: a unary call is a JSON body answered by a JSON body; a streaming call's bodies are envelopes (a flags
/// byte, a big-endian 32-bit length, the JSON message), the answer ending with an end-of-stream envelope that carries
/// the error, if any.
enum ConnectProtocol {
    static let streamingContentType = "application/connect+json"
    static let endOfStreamFlag: UInt8 = 0x02
    /// Largest message a client may send (a stdin chunk, a path): envd's clients send small messages.
    static let maximumMessageBytes = 4 << 20

    /// One envelope around `message`.
    static func envelope(_ message: some Encodable, flags: UInt8 = 0) -> ByteBuffer {
        envelope(json: (try? encoder.encode(message)) ?? Data("{}".utf8), flags: flags)
    }

    static func envelope(json: Data, flags: UInt8) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.reserveCapacity(5 + json.count)
        buffer.writeInteger(flags)
        buffer.writeInteger(UInt32(json.count))
        buffer.writeBytes(json)
        return buffer
    }

    /// The end of a stream: `{}`, or the error that ended it.
    static func endOfStream(_ error: (any Error)? = nil) -> ByteBuffer {
        guard let error else { return envelope(json: Data("{}".utf8), flags: endOfStreamFlag) }
        return envelope(EndOfStream(error: ConnectError(error)), flags: endOfStreamFlag)
    }

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .withoutEscapingSlashes
        return encoder
    }()

    /// A unary call's request message (at most `maximumMessageBytes`).
    static func unaryRequest<Message: Decodable>(_ type: Message.Type, _ request: Request) async throws -> Message {
        var request = request
        let buffer = try await request.collectBody(upTo: maximumMessageBytes)
        return try decode(Message.self, Data(buffer.readableBytesView))
    }

    /// A server-streaming call's one request message, in its envelope.
    static func streamRequest<Message: Decodable>(_ type: Message.Type, _ request: Request) async throws -> Message {
        var reader = EnvelopeReader(body: request.body)
        guard let message = try await reader.next() else { throw DomainError.invalidInput("The stream carried no request message.") }
        return try decode(Message.self, message)
    }

    static func decode<Message: Decodable>(_ type: Message.Type, _ data: Data) throws -> Message {
        do {
            return try JSONDecoder().decode(Message.self, from: data.isEmpty ? Data("{}".utf8) : data)
        } catch let error as DecodingError {
            throw DomainError.invalidInput("The message does not fit envd's protocol: \(E2BMapping.describe(error)).")
        }
    }

    static func unaryResponse(_ message: some Encodable) throws -> Response {
        Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: try encoder.encode(message))))
    }

    /// A streaming answer: `produce` writes message envelopes; the end-of-stream envelope follows, with the error
    /// `produce` threw (the status is 200 once the stream began).
    static func streamResponse(_ produce: @escaping @Sendable (inout any ResponseBodyWriter) async throws -> Void) -> Response {
        Response(status: .ok, headers: [.contentType: streamingContentType], body: ResponseBody { writer in
            do {
                try await produce(&writer)
                try await writer.write(endOfStream())
            } catch {
                try? await writer.write(endOfStream(error))
            }
            try await writer.finish(nil)
        })
    }

    /// The events `produce` yields, with `keepalive` every `interval` among them (envd's `Keepalive-Ping-Interval`),
    /// ending when `produce` returns; both stop when the stream's reader lets it go.
    static func keepingAlive<Event: Sendable>(
        every interval: Duration, with keepalive: Event, _ produce: @escaping @Sendable (AsyncStream<Event>.Continuation) async -> Void
    ) -> AsyncStream<Event> {
        let (stream, continuation) = AsyncStream<Event>.makeStream()
        let producer = Task {
            await produce(continuation)
            continuation.finish()
        }
        let ticker = Task {
            while !Task.isCancelled {
                try await Task.sleep(for: interval)
                continuation.yield(keepalive)
            }
        }
        continuation.onTermination = { _ in
            producer.cancel()
            ticker.cancel()
        }
        return stream
    }

    /// A refusal before anything was sent: a JSON error body and the code's HTTP status, for unary and streaming
    /// calls alike.
    static func errorResponse(_ error: any Error) -> Response {
        let connect = ConnectError(error)
        let body = (try? encoder.encode(connect)) ?? Data()
        return Response(status: connect.status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    struct EndOfStream: Encodable {
        let error: ConnectError
    }
}

/// A Connect error: its code (a word) and message.
struct ConnectError: Encodable, Error {
    let code: String
    let message: String

    init(code: String, message: String) {
        self.code = code
        self.message = message
    }

    init(_ error: any Error) {
        if let connect = error as? ConnectError {
            self = connect
            return
        }
        if let http = error as? any HTTPResponseError, http.status == .contentTooLarge {
            self.init(code: "resource_exhausted", message: "The request is larger than \(ConnectProtocol.maximumMessageBytes) bytes.")
            return
        }
        guard let domain = error as? DomainError else {
            self.init(code: error is CancellationError ? "canceled" : "internal", message: "Internal error; the server log has details.")
            return
        }
        let code = switch domain.kind {
        case .invalidInput: "invalid_argument"
        case .unauthenticated: "unauthenticated"
        case .forbidden: "permission_denied"
        case .notFound: "not_found"
        case .conflict: domain.message.contains("already exists") ? "already_exists" : "failed_precondition"
        case .tooLarge, .tooManyRequests: "resource_exhausted"
        case .unavailable, .upstreamFailed: "unavailable"
        }
        self.init(code: code, message: domain.message)
    }

    var status: HTTPResponse.Status {
        switch code {
        case "invalid_argument", "failed_precondition", "out_of_range": .badRequest
        case "unauthenticated": .unauthorized
        case "permission_denied": .forbidden
        case "not_found": .notFound
        case "already_exists", "aborted": .conflict
        case "resource_exhausted": .tooManyRequests
        case "unavailable": .serviceUnavailable
        case "deadline_exceeded": .gatewayTimeout
        case "unimplemented": .notImplemented
        case "canceled": .init(code: 499, reasonPhrase: "Client Closed Request")
        default: .internalServerError
        }
    }
}

/// Reads envelopes from a streaming request's body as they arrive.
struct EnvelopeReader {
    private var body: RequestBody.AsyncIterator
    private var buffer = ByteBuffer()

    init(body: RequestBody) {
        self.body = body.makeAsyncIterator()
    }

    /// The next message, nil at the end of the body or at an end-of-stream envelope.
    mutating func next() async throws -> Data? {
        while true {
            if buffer.readableBytes >= 5, let flags: UInt8 = buffer.getInteger(at: buffer.readerIndex),
               let length: UInt32 = buffer.getInteger(at: buffer.readerIndex + 1) {
                guard length <= ConnectProtocol.maximumMessageBytes else {
                    throw DomainError.tooLarge("A message is at most \(ConnectProtocol.maximumMessageBytes) bytes.")
                }
                if buffer.readableBytes >= 5 + Int(length) {
                    buffer.moveReaderIndex(forwardBy: 5)
                    let message = Data(buffer.readBytes(length: Int(length)) ?? [])
                    buffer.discardReadBytes()
                    if flags & ConnectProtocol.endOfStreamFlag != 0 { return nil }
                    guard flags & 0x01 == 0 else { throw ConnectError(code: "unimplemented", message: "Compressed messages are not accepted; use identity.") }
                    return message
                }
            }
            guard var chunk = try await body.next() else {
                guard buffer.readableBytes == 0 else { throw DomainError.invalidInput("The stream ended inside a message.") }
                return nil
            }
            buffer.writeBuffer(&chunk)
        }
    }
}
