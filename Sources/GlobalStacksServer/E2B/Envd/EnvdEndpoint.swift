import Foundation
import GlobalStacksDomain
import GlobalStacksUseCases
import HTTPTypes
import Hummingbird
import Logging

/// E2B's in-sandbox daemon ("envd") as its SDKs reach it, served by the control plane over the agent's workspace
/// commands: Connect RPC (`process.Process`, `filesystem.Filesystem`), `/files` and `/health`. A request names its
/// sandbox by the `E2b-Sandbox-Id` header (one `E2B_SANDBOX_URL` for every sandbox, `…/e2b/envd`) or by its host
/// name (`49983-{id}.{sandbox domain}`), and is authorized by the sandbox's access token in `X-Access-Token`.
struct EnvdEndpoint: Sendable {
    let workspace: WorkspaceService
    let authenticator: Authenticator
    let processes = EnvdProcessTable()
    let watchers = EnvdWatcherTable()

    static let pathPrefix = "/e2b/envd"
    static let sandboxHeader = HTTPField.Name("E2b-Sandbox-Id")!

    func addRoutes(to router: Router<AppRequestContext>) {
        router.on(RouterPath(Self.pathPrefix + "/**"), method: .post) { request, context in await respond(request, context) }
        router.on(RouterPath(Self.pathPrefix + "/**"), method: .get) { request, context in await respond(request, context) }
    }

    /// A request under `/e2b/envd`, its sandbox in the header.
    private func respond(_ request: Request, _ context: AppRequestContext) async -> Response {
        let path = String(request.uri.path.dropFirst(Self.pathPrefix.count))
        guard let header = request.headers[Self.sandboxHeader], let id = SandboxID(path: header) else {
            return Self.refusal(path, DomainError.notFound("Name the sandbox in the E2b-Sandbox-Id header (the SDK does when E2B_SANDBOX_URL is set)."))
        }
        return await respond(request, path: path, sandbox: id, logger: context.logger)
    }

    /// Any envd request for `sandbox`, `path` being envd's own (`/process.Process/Start`, `/files`, …).
    func respond(_ request: Request, path: String, sandbox id: SandboxID, logger: Logger) async -> Response {
        var logger = logger
        logger[metadataKey: "sandbox_id"] = "\(id)"
        do {
            guard let token = request.headers[SandboxCredentials.accessTokenHeader], !token.isEmpty else {
                throw DomainError.unauthenticated("Send the sandbox's access token in X-Access-Token (the envdAccessToken from create or connect).")
            }
            let caller = try await authenticator.authenticateSandboxAccess(token, to: id)
            let call = EnvdCall(endpoint: self, request: request, sandbox: id, caller: caller, logger: logger)
            switch (request.method, path) {
            case (.get, "/health"): return try await call.health()
            case (.get, "/files"): return try await call.download()
            case (.post, "/files"): return try await call.upload()
            case (.post, _) where path.hasPrefix("/process.Process/"): return try await call.process(String(path.dropFirst("/process.Process/".count)))
            case (.post, _) where path.hasPrefix("/filesystem.Filesystem/"):
                return try await call.filesystem(String(path.dropFirst("/filesystem.Filesystem/".count)))
            default: throw ConnectError(code: "unimplemented", message: "envd has no \(request.method) \(path.prefix(128)).")
            }
        } catch {
            return Self.refusal(path, error)
        }
    }

    /// RPCs answer with Connect's error body, `/files` and `/health` with envd's `{"code": status, "message": …}`.
    static func refusal(_ path: String, _ error: any Error) -> Response {
        if path == "/files" || path == "/health" {
            let response = ErrorResponse((error as? DomainError) ?? DomainError.unavailable("\(error)"))
            return E2BErrorMiddleware.response(response)
        }
        return ConnectProtocol.errorResponse(error)
    }
}

/// One envd request, authorized: its sandbox, its caller and the services it calls.
struct EnvdCall {
    let endpoint: EnvdEndpoint
    let request: Request
    let sandbox: SandboxID
    let caller: Caller
    let logger: Logger

    var workspace: WorkspaceService { endpoint.workspace }

    /// 204 while the sandbox runs; 502 with E2B's words once it does not, which its SDK reads as "not running".
    func health() async throws -> Response {
        let current = try await workspace.sandbox(sandbox, caller: caller)
        guard current.state == .running else {
            return E2BErrorMiddleware.response(ErrorResponse(status: .badGateway, message: "The sandbox \(sandbox) was not found (it is \(current.state.rawValue))."))
        }
        return Response(status: .noContent)
    }

    /// `Connect-Timeout-Ms`, in seconds; without one (the SDK's `timeout=0`), as long as a streaming exec may run.
    var timeoutSeconds: Double {
        request.headers[HTTPField.Name("Connect-Timeout-Ms")!].flatMap(Double.init).map { max(1, ($0 / 1000).rounded(.up)) }
            ?? WorkspaceService.maximumStreamTimeoutSeconds
    }

    /// `Keepalive-Ping-Interval` (seconds), 50 unless the client asked otherwise, from 1 to 600.
    var keepaliveInterval: Duration {
        .seconds(min(600, max(1, request.headers[HTTPField.Name("Keepalive-Ping-Interval")!].flatMap(Int.init) ?? 50)))
    }
}
