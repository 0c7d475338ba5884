import Foundation
import GlobalStacksDomain
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
/// The messages are documented in docs/workspace.md. The console's terminal page uses the same stream at
/// `/admin/t/{external_id}/sandboxes/{sandboxId}/exec/stream`: there the tenant is the path's (as on every console
/// page), not the session's active one, which a browser's WebSocket could not name otherwise.
struct ExecStreamEndpoint: Sendable {
    let authenticator: Authenticator
    let workspace: WorkspaceService
    let shellContext: ShellContextService
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

    /// A stream path's sandbox id (not yet checked), and for the console's path the tenant's external id.
    struct Target: Equatable {
        let sandboxID: String
        let tenantExternalID: String?
    }

    /// The target of a stream path, nil for any other path.
    static func target(inPath path: String) -> Target? {
        if let path = SandboxPath(path), path.rest == ["exec", "stream"] { return Target(sandboxID: path.sandboxID, tenantExternalID: nil) }
        let withoutQuery = path.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        let parts = withoutQuery.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 8, parts[0].isEmpty, parts[1] == "admin", parts[2] == "t", !parts[3].isEmpty, parts[4] == "sandboxes",
              parts[6] == "exec", parts[7] == "stream"
        else { return nil }
        return Target(sandboxID: String(parts[5]), tenantExternalID: String(parts[3]).removingPercentEncoding ?? String(parts[3]))
    }

    /// nil when the request is not for this endpoint; otherwise upgrades it when the caller may work in the sandbox,
    /// and when not, answers on `channel` why (as `refusal` does for a request without the upgrade).
    func shouldUpgrade(
        _ request: HTTPRequest, on channel: any Channel
    ) async -> ShouldUpgradeResult<WebSocketDataHandler<HTTP1WebSocketUpgradeChannel.Context>>? {
        guard let path = request.path, let target = Self.target(inPath: path) else { return nil }
        do {
            let workable = try await authorize(request.headerFields, host: request.authority, target)
            return .upgrade([:]) { inbound, outbound, _ in
                await self.serve(workable, inbound: inbound, outbound: outbound)
            }
        } catch {
            await UpgradeRefusal.install(APIErrorMiddleware.errorResponse(for: error, operationID: "execSandboxStream"), on: channel)
            return .dontUpgrade
        }
    }

    /// The answer to a request for this endpoint that was not upgraded: why not.
    func refusal(_ request: Request, sandboxPath: String) async throws -> DomainError {
        _ = try await authorize(request.headers, host: request.head.authority, Target(sandboxID: sandboxPath, tenantExternalID: nil))
        return .invalidInput("Connect with a WebSocket upgrade ('Connection: Upgrade', 'Upgrade: websocket'); see docs/workspace.md.")
    }

    private func authorize(_ headers: HTTPFields, host: String?, _ target: Target) async throws -> WorkableSandbox {
        if BearerToken.parse(headers[.authorization]) == nil, let origin = headers[.origin], !Self.sameOrigin(origin, publicOrigin: publicOrigin, host: host) {
            throw DomainError.forbidden("A page of \(origin.prefix(200)) may not open a shell here with your session; use \(publicOrigin), or an API key.")
        }
        // Not read-only: like `POST …/exec`, the upgrade runs a command, so its caller is never taken from the cache.
        let caller = try await authenticator.authenticate(PresentedCredentials(
            sessionToken: Self.cookie(RequestEnvironmentMiddleware.sessionCookieName, in: headers),
            bearerToken: BearerToken.parse(headers[.authorization]), isReadOnly: false
        ))
        try AccessPolicy.requireInvocationAllows("execSandbox", caller.principal)
        return try await workspace.sandboxForExecStream(try pathID(target.sandboxID, "sandbox"), caller: try await focus(caller, on: target))
    }

    /// The caller as the console's page of the path's tenant acts (404 for a tenant that is not the caller's to use).
    private func focus(_ caller: Caller, on target: Target) async throws -> Caller {
        guard let externalID = target.tenantExternalID else { return caller }
        let route = ShellRoute(category: .tenantBound, intendedURL: "/admin/t/\(externalID)", tenant: .text(externalID))
        guard let focused = try await shellContext.resolve(ShellContextRequest(route: route), caller: caller).caller else {
            throw DomainError.notFound("No such tenant in this workspace.")
        }
        return focused
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

    private func serve(_ workable: WorkableSandbox, inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter) async {
        var logger = self.logger
        logger[metadataKey: "sandbox_id"] = "\(workable.sandbox.id)"
        logger[metadataKey: "tenant_id"] = "\(workable.sandbox.tenantID)"
        var messages = inbound.messages(maxSize: Self.maximumStartBytes).makeAsyncIterator()
        let request: ExecRequest
        do {
            guard case .text(let text)? = try await messages.next() else { throw DomainError.invalidInput("Send the command first, as a JSON text message.") }
            let start = try JSONDecoder().decode(Start.self, from: Data(text.utf8))
            request = ExecRequest(
                command: start.command, environment: start.environment, workingDirectory: start.workingDirectory, timeoutSeconds: start.timeoutSeconds,
                tty: start.tty
            )
            try WorkspaceService.checkExecStream(request)
        } catch {
            await Self.finish(outbound, ["type": "error", "message": Self.words(error)], code: .unacceptableData)
            return
        }
        let command: ExecStream
        do {
            command = try await workspace.startExecStream(request, in: workable, logger: logger)
        } catch {
            await Self.finish(outbound, ["type": "error", "message": Self.words(error)], code: .normalClosure)
            return
        }
        // Output runs beside the input loop; when the process ends it says how and closes the connection, which
        // ends the input loop too.
        let output = Task {
            do {
                // Each chunk as a binary message: byte 1 stdout or 2 stderr, then the data.
                let result = try await command.forwardOutput { channel, data in
                    var buffer = ByteBuffer()
                    buffer.writeInteger(channel.rawValue)
                    buffer.writeBytes(data)
                    try await outbound.write(.binary(buffer))
                }
                var exit: [String: Any] = ["type": "exit", "timedOut": result.timedOut, "durationMs": result.durationMilliseconds]
                exit["exitCode"] = result.exitCode
                exit["signal"] = result.signal
                await Self.finish(outbound, exit, code: .normalClosure)
            } catch {
                // The client's side broke or the agent went away (the command was stopped).
                await Self.finish(outbound, ["type": "error", "message": Self.words(error)], code: .normalClosure)
            }
        }
        await Self.forwardInput(&messages, to: command)
        // The client closed first: nobody reads the output any more.
        await command.cancel()
        await output.value
    }

    /// The client's stdin (binary frames), resizes and end of input to the agent, until the client closes.
    private static func forwardInput(_ messages: inout WebSocketInboundMessageStream.AsyncIterator, to command: ExecStream) async {
        do {
            while let message = try await messages.next() {
                switch message {
                case .binary(let buffer):
                    try await command.write(Array(buffer.readableBytesView))
                case .text(let text):
                    guard let control = try? JSONDecoder().decode(ClientMessage.self, from: Data(text.utf8)) else { continue }
                    switch control.type {
                    case "eof":
                        try await command.endInput()
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
