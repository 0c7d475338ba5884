import Foundation
import GlobalStacksDomain
import HTTPTypes
import Hummingbird

/// With a sandbox domain set, a request whose host is `{port}-{sandbox id}.{domain}` goes to that sandbox: port 49983
/// is envd (the E2B SDK's address when no `E2B_SANDBOX_URL` is set), any other port the server listening there. The
/// request is rewritten to its path form (`/e2b/envd/…` with `E2b-Sandbox-Id`, `/v1/sandboxes/{id}/ports/{port}/…`)
/// before the router sees it, and goes on like one sent that way: body limits, relaying to the replica holding the
/// agent, authentication and the routes are the same for both.
struct SandboxHostRouting<Next: HTTPResponder<AppRequestContext>>: HTTPResponder {
    typealias Context = AppRequestContext

    let domain: String?
    let next: Next

    func respond(to request: Request, context: Context) async throws -> Response {
        guard let domain, let host = request.head.authority, let (port, sandbox) = SandboxHostRouter.address(host, domain: domain) else {
            return try await next.respond(to: request, context: context)
        }
        var head = request.head
        let path = head.path ?? "/"
        if port == E2B.envdPort {
            head.path = EnvdEndpoint.pathPrefix + path
            head.headerFields[EnvdEndpoint.sandboxHeader] = sandbox.rawValue
        } else {
            head.path = SandboxPortEndpoint.path(sandbox, port: port) + path
        }
        return try await next.respond(to: Request(head: head, body: request.body), context: context)
    }
}

/// The router behind `SandboxHostRouting`.
struct SandboxHostRouter: HTTPResponderBuilder {
    let domain: String?
    let router: Router<AppRequestContext>

    func buildResponder() -> SandboxHostRouting<RouterResponder<AppRequestContext>> {
        SandboxHostRouting(domain: domain, next: router.buildResponder())
    }

    /// The port and sandbox a host names, nil for any other host.
    static func address(_ host: String, domain: String) -> (Int, SandboxID)? {
        // `Host` may carry the port the server listens on.
        var name = host.lowercased()
        if let colon = name.lastIndex(of: ":"), name[name.index(after: colon)...].allSatisfy(\.isNumber) { name = String(name[..<colon]) }
        let suffix = "." + domain.lowercased()
        guard name.hasSuffix(suffix) else { return nil }
        let label = name.dropLast(suffix.count)
        guard let dash = label.firstIndex(of: "-"), let port = Int(label[..<dash]), SandboxPort.valid.contains(port),
              let sandbox = SandboxID(path: String(label[label.index(after: dash)...]))
        else { return nil }
        return (port, sandbox)
    }
}
