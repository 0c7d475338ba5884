import Foundation
import GlobalStacksAgentProtocol
import GlobalStacksDomain
import GlobalStacksStore
import GlobalStacksUseCases
import HTTPTypes
import Hummingbird
import HummingbirdWebSocket
import Logging
import NIOCore
import NIOWebSocket

/// `GET /v1/sandboxes/{sandboxId}/exec/stream`, upgraded to a WebSocket: a command whose stdout and stderr reach
/// the client as they are written, whose stdin comes from the client, optionally on a terminal (what an
/// interactive shell needs). The same access as exec (the sandbox's creator, the organization's owners and
/// admins), decided before the upgrade; a refused request is answered over plain HTTP with the reason.
/// The messages are documented in docs/workspace.md.
struct ExecStreamEndpoint: Sendable {
    let store: any RequestStore
    let authenticator: Authenticator
    let workspaceChannel: WorkspaceChannel
    /// The origin browsers show for this server (`--public-url`): a cookie-authenticated upgrade from a page of
    /// another origin is refused, since browsers send cookies with cross-origin WebSocket requests.
    let publicOrigin: String
    let logger: Logger

    /// The first message from the client.
    struct Start: Decodable {
        let command: [String]
        let environment: [String: String]?
        let workingDirectory: String?
        let timeoutSeconds: Double?
        let tty: TerminalSize?
    }

    /// Messages from the client after the start (text frames); binary frames are stdin.
    struct ClientMessage: Decodable {
        let type: String
        let columns: Int?
        let rows: Int?
    }

    static let maximumStartBytes = 256 << 10
    /// An interactive command may run this long at most.
    static let defaultTimeoutSeconds = 3_600.0

    /// The sandbox id of a stream path, nil for any other path.
    static func sandboxID(inPath path: String) -> String? {
        guard let path = SandboxPath(path), path.rest == ["exec", "stream"] else { return nil }
        return path.sandboxID
    }

    /// nil when the request is not for this endpoint; otherwise upgrades it when the caller may work in the sandbox,
    /// and when not, answers on `channel` why (as `refusal` does for a request without the upgrade).
    func shouldUpgrade(
        _ request: HTTPRequest, on channel: any Channel
    ) async -> ShouldUpgradeResult<WebSocketDataHandler<HTTP1WebSocketUpgradeChannel.Context>>? {
        guard let path = request.path, let sandboxPath = Self.sandboxID(inPath: path) else { return nil }
        do {
            let (sandbox, scope, principal) = try await authorize(request.headerFields, host: request.authority, sandboxPath)
            return .upgrade([:]) { inbound, outbound, _ in
                await self.serve(sandbox, scope: scope, principal: principal, inbound: inbound, outbound: outbound)
            }
        } catch {
            await UpgradeRefusal.install(APIErrorMiddleware.errorResponse(for: error, operationID: "execSandboxStream"), on: channel)
            return .dontUpgrade
        }
    }

    /// The answer to a request for this endpoint that was not upgraded: why not.
    func refusal(_ request: Request, sandboxPath: String) async throws -> DomainError {
        _ = try await authorize(request.headers, host: request.head.authority, sandboxPath)
        return .invalidInput("Connect with a WebSocket upgrade ('Connection: Upgrade', 'Upgrade: websocket'); see docs/workspace.md.")
    }

    private func authorize(_ headers: HTTPFields, host: String?, _ sandboxPath: String) async throws -> (Sandbox, TenantScope, Principal) {
        if BearerToken.parse(headers[.authorization]) == nil, let origin = headers[.origin], !Self.sameOrigin(origin, publicOrigin: publicOrigin, host: host) {
            throw DomainError.forbidden("A page of \(origin.prefix(200)) may not open a shell here with your session; use \(publicOrigin), or an API key.")
        }
        // Not read-only: like `POST …/exec`, the upgrade runs a command, so its caller is never taken from the cache.
        let principal = try await authenticator.authenticate(PresentedCredentials(
            sessionToken: Self.cookie(RequestEnvironmentMiddleware.sessionCookieName, in: headers),
            bearerToken: BearerToken.parse(headers[.authorization]), isReadOnly: false
        )).principal
        try AccessPolicy.requireInvocationAllows("execSandbox", principal)
        let scope = try AccessPolicy.requireActiveTenantScope(principal)
        let id: SandboxID = try pathID(sandboxPath, "sandbox")
        guard let sandbox = try await store.sandbox(id: id, scope: scope) else { throw DomainError.notFound("No sandbox \(id) in the active tenant.") }
        try AccessPolicy.requireSandboxWork(principal, on: sandbox)
        try WorkspaceChannel.requireRunning(sandbox)
        return (sandbox, scope, principal)
    }

    /// A browser's `Origin` is this server's: its public URL's origin, or the host the request was sent to (as the
    /// WebSocket libraries check by default). A `ws:` or `wss:` origin is no browser's (a page's origin is http or
    /// https); WebSocket client libraries send one.
    static func sameOrigin(_ origin: String, publicOrigin: String, host: String?) -> Bool {
        if origin == publicOrigin { return true }
        guard let url = URL(string: origin), let originHost = url.host else { return false }
        if url.scheme == "ws" || url.scheme == "wss" { return true }
        guard let host else { return false }
        return (url.port.map { "\(originHost):\($0)" } ?? originHost) == host
    }

    static func cookie(_ name: String, in headers: HTTPFields) -> String? {
        for field in headers[values: .cookie] {
            for pair in field.split(separator: ";") {
                let parts = pair.trimmingCharacters(in: .whitespaces).split(separator: "=", maxSplits: 1)
                if parts.count == 2, parts[0] == name { return String(parts[1]) }
            }
        }
        return nil
    }

    private func serve(_ sandbox: Sandbox, scope: TenantScope, principal: Principal, inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter) async {
        var logger = self.logger
        logger[metadataKey: "sandbox_id"] = "\(sandbox.id)"
        logger[metadataKey: "tenant_id"] = "\(scope.tenantID)"
        var messages = inbound.messages(maxSize: Self.maximumStartBytes).makeAsyncIterator()
        let start: Start
        do {
            guard case .text(let text)? = try await messages.next() else { throw DomainError.invalidInput("Send the command first, as a JSON text message.") }
            start = try JSONDecoder().decode(Start.self, from: Data(text.utf8))
            guard let program = start.command.first, !program.isEmpty, start.command.count <= 256 else { throw DomainError.invalidInput("command needs a program as its first word (at most 256 words).") }
            if let tty = start.tty, !tty.isValid { throw DomainError.invalidInput("tty is 1 to 1,000 columns and rows.") }
            try Validation.processInput(command: start.command, environment: start.environment, workingDirectory: start.workingDirectory)
        } catch {
            await Self.finish(outbound, ["type": "error", "message": Self.words(error)], code: .unacceptableData)
            return
        }
        var payload = ExecPayload(
            sessionId: sandbox.id.rawValue, command: start.command, timeoutSeconds: min(start.timeoutSeconds ?? Self.defaultTimeoutSeconds, 86_400),
            outputLimitBytes: Int(Int32.max)
        )
        payload.environment = start.environment
        payload.workingDirectory = start.workingDirectory
        payload.streamStdin = true
        payload.tty = start.tty
        let record = ExecRecord.starting(payload, in: sandbox, by: principal.user.id)
        let command: LiveCommand
        do {
            try await store.recordExecStart(record, scope: scope)
            command = try await workspaceChannel.start(.exec(payload), on: sandbox)
        } catch {
            try? await store.recordExecEnd(record.id, .failure(error), scope: scope)
            await Self.finish(outbound, ["type": "error", "message": Self.words(error)], code: .normalClosure)
            return
        }
        logger.info("Streaming exec started", metadata: ["exec_id": "\(record.id)", "program": "\(start.command[0].prefix(256))", "tty": "\(start.tty != nil)"])
        let store = self.store
        // Output runs beside the input loop; when the process ends it says how and closes the connection, which
        // ends the input loop too.
        let output = Task {
            do {
                let result = try await Self.forwardOutput(command, to: outbound)
                try? await store.recordExecEnd(record.id, ExecOutcome(result), scope: scope)
                var exit: [String: Any] = ["type": "exit", "timedOut": result.timedOut, "durationMs": result.durationMilliseconds]
                exit["exitCode"] = result.exitCode
                exit["signal"] = result.signal
                await Self.finish(outbound, exit, code: .normalClosure)
            } catch {
                // The client's side broke or the agent went away: the command ends, and a stdin write waiting
                // for credit stops waiting.
                await command.cancel()
                try? await store.recordExecEnd(record.id, .failure(error), scope: scope)
                await Self.finish(outbound, ["type": "error", "message": Self.words(error)], code: .normalClosure)
            }
        }
        await Self.forwardInput(&messages, to: command)
        // The client closed first: nobody reads the output any more.
        await command.cancel()
        await output.value
    }

    /// The agent's output frames to the client (byte 1 stdout, 2 stderr, then the data), credit back once written.
    private static func forwardOutput(_ command: LiveCommand, to outbound: WebSocketOutboundWriter) async throws -> ExecResult {
        for await event in command.events {
            switch event {
            case .frame(let frame):
                guard !frame.data.isEmpty else { continue }
                var buffer = ByteBuffer()
                buffer.writeInteger(frame.channel.rawValue)
                buffer.writeBytes(frame.data)
                try await outbound.write(.binary(buffer))
                await command.grant(frame.data.count)
            case .credit(let bytes):
                command.credited(bytes)
            case .finished(let outcome):
                command.closeSending()
                return try WorkspaceChannel.result(outcome, as: ExecResult.self)
            case .disconnected:
                command.closeSending()
                throw WorkspaceChannel.disconnected
            }
        }
        throw WorkspaceChannel.disconnected
    }

    /// The client's stdin (binary frames), resizes and end of input to the agent, until the client closes.
    private static func forwardInput(_ messages: inout WebSocketInboundMessageStream.AsyncIterator, to command: LiveCommand) async {
        do {
            while let message = try await messages.next() {
                switch message {
                case .binary(var buffer):
                    while buffer.readableBytes > 0 {
                        let chunk = buffer.readBytes(length: min(buffer.readableBytes, StreamFrame.maximumDataBytes)) ?? []
                        try await command.send(StreamFrame(commandId: command.id, channel: .stdin, data: chunk))
                    }
                case .text(let text):
                    guard let control = try? JSONDecoder().decode(ClientMessage.self, from: Data(text.utf8)) else { continue }
                    switch control.type {
                    case "eof":
                        try await command.send(StreamFrame(commandId: command.id, channel: .stdin, data: [], isEnd: true))
                    case "resize":
                        guard let columns = control.columns, let rows = control.rows else { continue }
                        await command.resize(TerminalSize(columns: columns, rows: rows))
                    default:
                        continue
                    }
                }
            }
        } catch {
            // The command ended (its sends are refused) or the client's connection broke.
        }
    }

    private static func words(_ error: any Error) -> String {
        (error as? DomainError)?.message ?? (error is DecodingError ? "The first message must be {\"command\": [...], …} as JSON." : "\(error)")
    }

    private static func finish(_ outbound: WebSocketOutboundWriter, _ message: [String: Any], code: WebSocketErrorCode) async {
        if let data = try? JSONSerialization.data(withJSONObject: message, options: [.sortedKeys]) {
            try? await outbound.write(.text(String(decoding: data, as: UTF8.self)))
        }
        try? await outbound.close(code, reason: nil)
    }
}
