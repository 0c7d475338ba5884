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
/// (never chunked); the credentials of this server in the request (its tokens and API keys, in any header, and its
/// session cookie) are removed first: a sandbox's server never sees them. The answer is re-framed: exactly its
/// `Content-Length` when it gives one, else up to the connection's end, so nothing the sandbox adds can reach the
/// client's next request; a cookie it sets for a parent domain or under our session cookie's name is dropped.
struct SandboxPortProxy: Sendable {
    /// Largest request body sent when its length is not announced (HTTP/1.0 needs the length first).
    static let maximumBufferedBody = 16 << 20
    /// Largest response head read before the body.
    static let maximumHeadBytes = 64 << 10
    static let hopHeaders: Set<String> = [
        "connection", "keep-alive", "transfer-encoding", "upgrade", "te", "trailer", "proxy-connection", "proxy-authorization",
    ]
    /// Ours, never the sandbox's business.
    static let credentialHeaders: Set<String> = ["x-access-token", "e2b-traffic-access-token", "x-api-key", "x-gstacks-relayed"]

    /// One of this server's secrets (API key, sandbox access token, invocation credential).
    static func isOurs(_ secret: String) -> Bool {
        [SecretPrefix.apiKey, SecretPrefix.sandboxAccess, SecretPrefix.invocation].contains { secret.hasPrefix($0) }
    }

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
            return try await Self.response(from: reader, connection: connection, port: port, method: request.method)
        } catch {
            await connection.cancel()
            throw error
        }
    }

    /// How long the sandbox's server may take to begin its answer.
    static let headTimeout: Duration = .seconds(120)

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
            if name == "authorization", let bearer = BearerToken.parse(field.value), Self.isOurs(bearer) { continue }
            if name == "cookie" {
                // The app's own cookies pass; the server's session cookie never does.
                let kept = field.value.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
                    .filter { !$0.hasPrefix(SessionCookie.name + "=") }
                if !kept.isEmpty { text += "Cookie: \(kept.joined(separator: "; "))\r\n" }
                continue
            }
            text += "\(field.name.rawName): \(field.value)\r\n"
        }
        if bodyLength > 0 || request.method == .post || request.method == .put || request.method == .patch {
            text += "Content-Length: \(bodyLength)\r\n"
        }
        text += "Connection: close\r\n\r\n"
        return Array(text.utf8)
    }

    /// Reads the answer's head (within `headTimeout`), then streams its body: exactly `Content-Length` bytes when it
    /// gives one (more is dropped, less ends the client's connection early), none for HEAD, 204 and 304, else up to
    /// the connection's end. The client going away ends the connection to the port.
    private static func response(from reader: ConnectionReader, connection: any InteractiveExec, port: Int, method: HTTPRequest.Method) async throws -> Response {
        let deadline = Task {
            try await Task.sleep(for: headTimeout)
            await connection.cancel()
        }
        defer { deadline.cancel() }
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
                throw DomainError.upstreamFailed("The server on port \(port) closed the connection without an answer (or took longer than \(headTimeout) to begin one).")
            }
            break
        }
        var (status, headers) = try parseHead(head, port: port)
        guard status.code >= 200 else {
            throw DomainError.upstreamFailed("The server on port \(port) answered \(status.code), which is not passed on (WebSockets are, with an upgrade request).")
        }
        let hasBody = method != .head && status.code != 204 && status.code != 304
        let length: Int64? = try headers[.contentLength].map { declared in
            guard let value = Int64(declared), value >= 0 else { throw DomainError.upstreamFailed("The server on port \(port) sent an invalid Content-Length.") }
            return value
        }
        if !hasBody { headers[.contentLength] = nil }
        let first = rest
        return Response(status: status, headers: headers, body: ResponseBody { writer in
            var remaining = hasBody ? length ?? Int64.max : 0
            func send(_ bytes: [UInt8]) async throws {
                let piece = bytes.prefix(Int(clamping: remaining))
                guard !piece.isEmpty else { return }
                try await writer.write(ByteBuffer(bytes: piece))
                remaining -= Int64(piece.count)
            }
            do {
                try await send(first)
                reading: while remaining > 0 {
                    switch await reader.next() {
                    case .bytes(let bytes): try await send(bytes)
                    case .stderr: continue
                    case .ended: break reading
                    }
                }
            } catch {
                await connection.cancel()
                throw error
            }
            await connection.cancel()
            // Short of its announced length, the client's connection must end too (it cannot be reused).
            if length != nil, hasBody, remaining > 0 {
                throw DomainError.upstreamFailed("The server on port \(port) closed the connection before the end of its answer.")
            }
            try await writer.finish(nil)
        })
    }

    /// A cookie for a parent domain (every sandbox's host, or ours) or under our session cookie's name.
    static func isForeignCookie(_ setCookie: String) -> Bool {
        let parts = setCookie.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        return parts.first?.hasPrefix(SessionCookie.name.lowercased() + "=") == true || parts.dropFirst().contains { $0.hasPrefix("domain=") }
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
            let value = String(line[line.index(after: colon)...]).trimmingCharacters(in: .whitespaces)
            if name == .setCookie, Self.isForeignCookie(value) { continue }
            headers.append(HTTPField(name: name, value: value))
        }
        let reason = statusParts.count > 2 ? String(statusParts[2]) : ""
        return (HTTPResponse.Status(code: code, reasonPhrase: reason), headers)
    }
}
