import Foundation
import GlobalStacksDomain
import GlobalStacksUseCases
import HTTPTypes
import Hummingbird

/// With a sandbox domain set, a request whose host is `{port}-{sandbox id}.{domain}` goes to that sandbox: port 49983
/// is envd (the E2B SDK's address when no `E2B_SANDBOX_URL` is set), any other port the server listening there
/// (`SandboxPortProxy`). Ports are private unless the sandbox was created with public ports: the sandbox's access
/// token (`X-Access-Token` or `e2b-traffic-access-token`), or an API key or session that may work in the sandbox.
struct SandboxHostRouting: RouterMiddleware {
    typealias Context = AppRequestContext

    let domain: String?
    let envd: EnvdEndpoint
    let proxy: SandboxPortProxy
    let authenticator: Authenticator

    static let trafficTokenHeader = HTTPField.Name("e2b-traffic-access-token")!

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let domain, let host = request.head.authority, let (port, sandbox) = Self.address(host, domain: domain) else {
            return try await next(request, context)
        }
        if port == E2B.envdPort {
            return await envd.respond(request, path: request.uri.path, sandbox: sandbox, logger: context.logger)
        }
        do {
            let caller = try await caller(request, sandbox: sandbox)
            return try await proxy.forward(request, port: port, sandbox: sandbox, caller: caller, logger: context.logger)
        } catch {
            return E2BErrorMiddleware.response(ErrorResponse((error as? DomainError) ?? DomainError.unavailable("The sandbox's port could not be reached.")))
        }
    }

    /// The port and sandbox a host names, nil for any other host.
    static func address(_ host: String, domain: String) -> (Int, SandboxID)? {
        let name = host.lowercased()
        let suffix = "." + domain.lowercased()
        guard name.hasSuffix(suffix) else { return nil }
        let label = name.dropLast(suffix.count)
        guard let dash = label.firstIndex(of: "-"), let port = Int(label[..<dash]), SandboxPort.valid.contains(port),
              let sandbox = SandboxID(path: String(label[label.index(after: dash)...]))
        else { return nil }
        return (port, sandbox)
    }

    private func caller(_ request: Request, sandbox: SandboxID) async throws -> Caller {
        if let token = request.headers[EnvdEndpoint.accessTokenHeader] ?? request.headers[Self.trafficTokenHeader] {
            return try await authenticator.authenticateSandboxAccess(token, to: sandbox)
        }
        let presented = PresentedCredentials(
            sessionToken: request.cookies[SessionCookie.name]?.value,
            bearerToken: request.headers[HTTPField.Name("X-API-Key")!] ?? BearerToken.parse(request.headers[.authorization]),
            isReadOnly: request.method == .get || request.method == .head
        )
        guard let caller = try await authenticator.optionalCaller(presented) else {
            throw DomainError.unauthenticated("This sandbox's ports are private: send its access token in X-Access-Token, or an API key.")
        }
        return caller
    }
}
