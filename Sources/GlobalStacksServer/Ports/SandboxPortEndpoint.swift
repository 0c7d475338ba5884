import Foundation
import GlobalStacksDomain
import GlobalStacksUseCases
import HTTPTypes
import Hummingbird

/// `/v1/sandboxes/{id}/ports/{port}/{path}`: an HTTP request to the server listening on `port` inside the sandbox
/// (the path after the port is what that server sees), and where `{port}-{id}.{sandbox domain}` is served. Private
/// unless the sandbox was created with public ports: the sandbox's access token (`X-Access-Token` or
/// `e2b-traffic-access-token`), or an API key (`X-API-Key`, `Authorization: Bearer`) or session that may work in it.
struct SandboxPortEndpoint: Sendable {
    let workspace: WorkspaceService
    let authenticator: Authenticator
    let proxy = SandboxPortProxy()

    static func path(_ sandbox: SandboxID, port: Int) -> String { "/v1/sandboxes/\(sandbox)/ports/\(port)" }

    func addRoutes(to router: Router<AppRequestContext>) {
        for method in [HTTPRequest.Method.get, .head, .post, .put, .patch, .delete, .options] {
            router.on("/v1/sandboxes/:sandboxId/ports/:port", method: method) { request, context in await respond(request, context) }
            router.on("/v1/sandboxes/:sandboxId/ports/:port/**", method: method) { request, context in await respond(request, context) }
        }
    }

    private func respond(_ request: Request, _ context: AppRequestContext) async -> Response {
        do {
            let value = context.parameters.get("sandboxId") ?? ""
            guard let sandbox = SandboxID(path: value) else { throw DomainError.notFound("No sandbox \(value.prefix(64)) in the active tenant.") }
            guard let port = context.parameters.get("port").flatMap(Int.init), SandboxPort.valid.contains(port) else {
                throw DomainError.invalidInput("port must be 1 to 65535.")
            }
            // Never from the principal cache: a request to a port may change anything its server lets it.
            let caller = try await SandboxCredentials.caller(request.headers, sandbox: sandbox, authenticator: authenticator, mayUseCache: false)
            let prefix = Self.path(sandbox, port: port)
            let rest = String((request.head.path ?? "").dropFirst(prefix.count))
            let target = rest.isEmpty ? "/" : rest.hasPrefix("?") ? "/" + rest : rest
            return try await proxy.forward(request, target: target, port: port) {
                guard let caller else { return try await workspace.openPublicPort(port, in: sandbox, logger: context.logger) }
                return try await workspace.openPort(port, in: sandbox, caller: caller, logger: context.logger)
            }
        } catch {
            return E2BErrorMiddleware.response(ErrorResponse((error as? DomainError) ?? DomainError.unavailable("The sandbox's port could not be reached.")))
        }
    }
}
