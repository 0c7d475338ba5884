import Foundation
import GlobalStacksDomain
import GlobalStacksUseCases
import HTTPTypes
import Hummingbird
import HummingbirdWebSocket
import Logging
import NIOCore
import NIOWebSocket

/// A WebSocket to a sandbox's port (`{port}-{id}.{sandbox domain}` or `/v1/sandboxes/{id}/ports/{port}/…` with
/// `Upgrade: websocket`): the client's upgrade is accepted here once the request may reach the port (the same
/// credentials as plain requests), a WebSocket to the sandbox's server is opened over the agent's relay with the same
/// path and subprotocols, and messages are passed both ways until either side closes.
struct SandboxPortWebSocket: Sendable {
    let workspace: WorkspaceService
    let authenticator: Authenticator
    let sandboxDomain: String?
    let logger: Logger

    static let maximumMessageBytes = 16 << 20

    func shouldUpgrade(_ request: HTTPRequest, on channel: any Channel) async -> ShouldUpgradeResult<WebSocketDataHandler<HTTP1WebSocketUpgradeChannel.Context>>? {
        guard let (sandbox, port, target) = address(request) else { return nil }
        var opened: (any InteractiveExec)?
        do {
            let caller = try await SandboxCredentials.caller(request.headerFields, sandbox: sandbox, authenticator: authenticator, mayUseCache: false)
            let connection = if let caller {
                try await workspace.openPort(port, in: sandbox, caller: caller, logger: logger)
            } else {
                try await workspace.openPublicPort(port, in: sandbox, logger: logger)
            }
            opened = connection
            let reader = ConnectionReader(connection)
            let (protocolName, leftover) = try await Self.handshake(connection, reader: reader, request: request, target: target, port: port)
            var headers = HTTPFields()
            if let protocolName { headers[.secWebSocketProtocol] = protocolName }
            return .upgrade(headers) { inbound, outbound, _ in
                await Self.relay(connection, reader: reader, leftover: leftover, inbound: inbound, outbound: outbound)
            }
        } catch {
            await opened?.cancel()
            await UpgradeRefusal.install(ErrorResponse((error as? DomainError) ?? DomainError.upstreamFailed("\(error)")), on: channel)
            return .dontUpgrade
        }
    }

    /// The sandbox, port and target of an upgrade to a sandbox port, by host name or by path; nil for any other.
    private func address(_ request: HTTPRequest) -> (SandboxID, Int, String)? {
        guard request.headerFields[.upgrade]?.lowercased() == "websocket", let path = request.path else { return nil }
        if let domain = sandboxDomain, let host = request.authority, let (port, sandbox) = SandboxHostRouter.address(host, domain: domain), port != E2B.envdPort {
            return (sandbox, port, path)
        }
        guard let parts = SandboxPath(path), parts.rest.count >= 2, parts.rest[0] == "ports", let sandbox = SandboxID(path: parts.sandboxID),
              let port = Int(parts.rest[1].split(separator: "?").first ?? ""), SandboxPort.valid.contains(port)
        else { return nil }
        let rest = String(path.dropFirst(SandboxPortEndpoint.path(sandbox, port: port).count))
        return (sandbox, port, rest.isEmpty ? "/" : rest.hasPrefix("?") ? "/" + rest : rest)
    }

    /// Opens the WebSocket to the sandbox's server: its chosen subprotocol, and bytes it sent after its answer.
    private static func handshake(
        _ connection: any InteractiveExec, reader: ConnectionReader, request: HTTPRequest, target: String, port: Int
    ) async throws -> (String?, [UInt8]) {
        guard target.hasPrefix("/"), !target.unicodeScalars.contains(where: { $0.value <= 0x20 || $0.value == 0x7f }) else {
            throw DomainError.invalidInput("The path to pass to the sandbox's port is not a valid request target.")
        }
        let key = Data((0..<16).map { _ in UInt8.random(in: 0...255) }).base64EncodedString()
        var head = "GET \(target) HTTP/1.1\r\nHost: localhost:\(port)\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        head += "Sec-WebSocket-Key: \(key)\r\nSec-WebSocket-Version: 13\r\n"
        for name in [HTTPField.Name.secWebSocketProtocol, .origin, .userAgent] {
            if let value = request.headerFields[name] { head += "\(name.rawName): \(value)\r\n" }
        }
        try await connection.write(Array((head + "\r\n").utf8))
        let deadline = Task {
            try await Task.sleep(for: SandboxPortProxy.headTimeout)
            await connection.cancel()
        }
        defer { deadline.cancel() }
        var received: [UInt8] = []
        while received.firstRange(of: [13, 10, 13, 10]) == nil {
            guard received.count <= SandboxPortProxy.maximumHeadBytes else { throw DomainError.upstreamFailed("The server on port \(port) sent too long an answer.") }
            switch await reader.next() {
            case .bytes(let bytes): received += bytes
            case .stderr, .ended: throw DomainError.upstreamFailed("Nothing listens on port \(port) inside the sandbox, or it closed the connection.")
            }
        }
        let end = received.firstRange(of: [13, 10, 13, 10])!
        let lines = String(decoding: received[..<end.lowerBound], as: UTF8.self).components(separatedBy: "\r\n")
        guard lines.first?.split(separator: " ").dropFirst().first == "101" else {
            throw DomainError.upstreamFailed("The server on port \(port) did not accept a WebSocket: \(lines.first?.prefix(200) ?? "").")
        }
        let chosen = lines.dropFirst().first { $0.lowercased().hasPrefix("sec-websocket-protocol:") }
            .map { String($0.split(separator: ":", maxSplits: 1)[1]).trimmingCharacters(in: .whitespaces) }
        return (chosen, Array(received[end.upperBound...]))
    }

    /// Messages both ways; either side closing ends both.
    private static func relay(
        _ connection: any InteractiveExec, reader: ConnectionReader, leftover: [UInt8], inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter
    ) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                do {
                    for try await message in inbound.messages(maxSize: maximumMessageBytes) {
                        switch message {
                        case .text(let text): try await connection.write(WebSocketFrames.masked(.text, Array(text.utf8)))
                        case .binary(let buffer): try await connection.write(WebSocketFrames.masked(.binary, Array(buffer.readableBytesView)))
                        }
                    }
                    try? await connection.write(WebSocketFrames.masked(.close, [0x03, 0xe8]))
                } catch {}
            }
            group.addTask {
                var buffer = leftover
                var message: (opcode: WebSocketFrames.Opcode, bytes: [UInt8])?
                reading: while true {
                    do {
                        while let frame = try WebSocketFrames.next(from: &buffer) {
                            switch frame.opcode {
                            case .ping: try await connection.write(WebSocketFrames.masked(.pong, frame.payload))
                            case .pong: continue
                            case .close: break reading
                            case .text, .binary, .continuation:
                                let opcode = frame.opcode == .continuation ? message?.opcode ?? .binary : frame.opcode
                                message = (opcode, (message?.bytes ?? []) + frame.payload)
                                guard frame.fin, let whole = message else { continue }
                                message = nil
                                if whole.opcode == .text {
                                    try await outbound.write(.text(String(decoding: whole.bytes, as: UTF8.self)))
                                } else {
                                    try await outbound.write(.binary(ByteBuffer(bytes: whole.bytes)))
                                }
                            }
                        }
                    } catch {
                        break reading
                    }
                    switch await reader.next() {
                    case .bytes(let bytes): buffer += bytes
                    case .stderr: continue
                    case .ended: break reading
                    }
                }
                try? await outbound.close(.normalClosure, reason: nil)
            }
            await group.next()
            group.cancelAll()
            await connection.cancel()
        }
    }
}
