import Foundation
import GlobalStacksDomain
import GlobalStacksUseCases
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// An HTTP request to a port of a sandbox (`{port}-{id}.{sandbox domain}`), passed to the server listening there over
/// a connection the agent opens inside the sandbox's network namespace, and its answer streamed back. The request
/// goes as HTTP/1.0 with `Connection: close`, so the answer is delimited by its length or by the connection's end
/// (never chunked); the credentials of this server in the request (tokens, API keys, `Authorization`, cookies) are
/// removed first: a sandbox's server never sees them.
struct SandboxPortProxy: Sendable {
    /// Largest request body sent when its length is not announced (HTTP/1.0 needs the length first).
    static let maximumBufferedBody = 16 << 20
    /// Largest response head read before the body.
    static let maximumHeadBytes = 64 << 10
    static let hopHeaders: Set<String> = [
        "connection", "keep-alive", "transfer-encoding", "upgrade", "te", "trailer", "proxy-connection", "proxy-authorization",
    ]
    /// Ours, never the sandbox's business.
    static let credentialHeaders: Set<String> = ["x-access-token", "e2b-traffic-access-token", "x-api-key", "authorization", "cookie", "x-gstacks-relayed"]

    /// `target` is the request target the sandbox's server sees (a path and query); `open` opens the connection to
    /// the port (as the caller, or to a public port).
    func forward(_ request: Request, target: String, port: Int, open: () async throws -> any InteractiveExec) async throws -> Response {
        guard request.headers[.upgrade] == nil else {
            throw DomainError.invalidInput("WebSocket and other upgrades are not passed to sandbox ports yet; use plain HTTP requests.")
        }
        let body = try await Self.body(request)
        let connection = try await open()
        let reader = ConnectionReader(connection)
        do {
            try await connection.write(try Self.head(request, target: target, bodyLength: body.count))
            if !body.isEmpty { try await connection.write(body) }
            try await connection.endInput()
            return try await Self.response(from: reader, port: port)
        } catch {
            await connection.cancel()
            throw error
        }
    }

    private static func body(_ request: Request) async throws -> [UInt8] {
        var request = request
        let buffer = try await request.collectBody(upTo: maximumBufferedBody)
        return Array(buffer.readableBytesView)
    }

    private static func head(_ request: Request, target: String, bodyLength: Int) throws -> [UInt8] {
        // The HTTP parser refuses CR, LF and NUL in a request line or field already; a target with a space or a
        // control character would still change the line's meaning.
        guard target.hasPrefix("/"), !target.unicodeScalars.contains(where: { $0.value <= 0x20 || $0.value == 0x7f }) else {
            throw DomainError.invalidInput("The path to pass to the sandbox's port is not a valid request target.")
        }
        var text = "\(request.method.rawValue) \(target) HTTP/1.0\r\n"
        for field in request.headers {
            let name = field.name.canonicalName
            guard !hopHeaders.contains(name), !credentialHeaders.contains(name), name != "content-length" else { continue }
            text += "\(field.name.rawName): \(field.value)\r\n"
        }
        if bodyLength > 0 || request.method == .post || request.method == .put || request.method == .patch {
            text += "Content-Length: \(bodyLength)\r\n"
        }
        text += "Connection: close\r\n\r\n"
        return Array(text.utf8)
    }

    /// Reads the answer's head, then streams the rest of the connection as its body.
    private static func response(from reader: ConnectionReader, port: Int) async throws -> Response {
        var head: [UInt8] = []
        var rest: [UInt8] = []
        while true {
            switch await reader.next() {
            case .bytes(let bytes):
                head += bytes
                if let end = head.firstRange(of: [13, 10, 13, 10]) {
                    rest = Array(head[end.upperBound...])
                    head = Array(head[..<end.lowerBound])
                } else if head.count > maximumHeadBytes {
                    throw DomainError.upstreamFailed("The server on port \(port) sent a response head larger than \(maximumHeadBytes) bytes.")
                } else {
                    continue
                }
            case .stderr(let words):
                throw DomainError.upstreamFailed(String(decoding: words.prefix(500), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
            case .ended(let result, let error):
                if let error { throw error }
                if result?.exitCode == SandboxPort.nothingListensExitCode {
                    throw DomainError.upstreamFailed("Nothing listens on port \(port) inside the sandbox.")
                }
                throw DomainError.upstreamFailed("The server on port \(port) closed the connection without an answer.")
            }
            break
        }
        let (status, headers) = try parseHead(head, port: port)
        let first = rest
        return Response(status: status, headers: headers, body: ResponseBody { writer in
            if !first.isEmpty { try await writer.write(ByteBuffer(bytes: first)) }
            reading: while true {
                switch await reader.next() {
                case .bytes(let bytes): try await writer.write(ByteBuffer(bytes: bytes))
                case .stderr: continue
                case .ended: break reading
                }
            }
            try await writer.finish(nil)
        })
    }

    private static func parseHead(_ head: [UInt8], port: Int) throws -> (HTTPResponse.Status, HTTPFields) {
        let lines = String(decoding: head, as: UTF8.self).components(separatedBy: "\r\n")
        let statusParts = lines.first?.split(separator: " ", maxSplits: 2) ?? []
        guard statusParts.count >= 2, statusParts[0].hasPrefix("HTTP/1."), let code = Int(statusParts[1]), (100...599).contains(code) else {
            throw DomainError.upstreamFailed("The server on port \(port) did not answer with HTTP/1.x.")
        }
        var headers = HTTPFields()
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":"), let name = HTTPField.Name(String(line[..<colon]).trimmingCharacters(in: .whitespaces)) else { continue }
            guard !hopHeaders.contains(name.canonicalName) else { continue }
            headers.append(HTTPField(name: name, value: String(line[line.index(after: colon)...]).trimmingCharacters(in: .whitespaces)))
        }
        let reason = statusParts.count > 2 ? String(statusParts[2]) : ""
        return (HTTPResponse.Status(code: code, reasonPhrase: reason), headers)
    }
}
