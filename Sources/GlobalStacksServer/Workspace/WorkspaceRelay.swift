import AsyncHTTPClient
import Foundation
import GlobalStacksDomain
import GlobalStacksStore
import GlobalStacksUseCases
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import NIOHTTP1

/// With several replicas on one PostgreSQL, an agent is connected to one of them. A workspace request (exec,
/// files, output) that reaches another replica is passed on, as it came, to the replica holding the connection
/// (its address is stored with the agent's connection), and that replica's answer is streamed back. Only a request
/// whose caller is authenticated here and sees the sandbox is relayed; any other is answered here (401, 404) as the
/// other replica would. The receiving replica authenticates and authorizes it again from the same credential and
/// database, so relaying grants nothing; a request is relayed at most once (`x-gstacks-relayed`).
struct WorkspaceRelay: RouterMiddleware {
    typealias Context = AppRequestContext

    let store: any AgentPresenceRepository
    let connections: AgentConnections
    let authenticator: Authenticator
    let workspace: WorkspaceService
    /// This replica's own relay address.
    let ownURL: String
    static let relayedHeader = HTTPField.Name("x-gstacks-relayed")!
    /// Headers that belong to one hop.
    static let hopHeaders: Set<String> = ["connection", "keep-alive", "transfer-encoding", "upgrade", "host", "te", "trailer", "proxy-connection"]

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.headers[Self.relayedHeader] == nil, let sandboxID = Self.relayedSandbox(request),
              let sandbox = await visibleSandbox(sandboxID, request), !connections.connectedAgents.contains(sandbox.agentID),
              let (_, relayURL) = try await store.agentConnection(ofSandbox: sandbox.id), let relayURL, relayURL != ownURL
        else { return try await next(request, context) }
        return try await relay(request, to: relayURL, context: context)
    }

    /// The sandbox, when the request's credential is valid here and its caller's active tenant holds it; nil sends
    /// the request on its normal path, which answers why not (`SandboxCredentials`).
    private func visibleSandbox(_ id: SandboxID, _ request: Request) async -> Sandbox? {
        // The receiving replica authenticates the request again, so a principal resolved a moment ago will do here.
        guard let caller = try? await SandboxCredentials.caller(request.headers, sandbox: id, authenticator: authenticator, mayUseCache: true) else {
            return nil
        }
        return try? await workspace.sandbox(id, caller: caller)
    }

    /// The sandbox of a workspace request that is relayed (the exec history is in the database, and the streaming
    /// exec is a WebSocket: neither is): exec, output, files and processes of the v1 API, a sandbox's ports, envd.
    static func relayedSandbox(_ request: Request) -> SandboxID? {
        if request.uri.path.hasPrefix(EnvdEndpoint.pathPrefix + "/") {
            return request.headers[EnvdEndpoint.sandboxHeader].flatMap { SandboxID(path: $0) }
        }
        guard let path = SandboxPath(request.uri.path), let id = SandboxID(path: path.sandboxID), let area = path.rest.first else { return nil }
        switch area {
        case "exec": return path.rest.count == 1 ? id : nil
        case "output", "files", "processes", "ports": return id
        default: return nil
        }
    }

    private func relay(_ request: Request, to base: String, context: Context) async throws -> Response {
        var outgoing = HTTPClientRequest(url: base + request.uri.description)
        outgoing.method = HTTPMethod(rawValue: request.method.rawValue)
        for field in request.headers where !Self.hopHeaders.contains(field.name.canonicalName) {
            outgoing.headers.add(name: field.name.rawName, value: field.value)
        }
        outgoing.headers.add(name: Self.relayedHeader.rawName, value: "1")
        let length = request.headers[.contentLength].flatMap(Int64.init)
        outgoing.body = .stream(request.body.map { $0 }, length: length.map { .known($0) } ?? .unknown)
        context.logger.debug("Relaying a workspace request to the replica holding the agent's connection", metadata: ["replica": "\(base)"])
        let response: HTTPClientResponse
        do {
            response = try await HTTPClient.shared.execute(outgoing, timeout: .hours(2))
        } catch {
            throw DomainError.unavailable("The replica holding the connection of this sandbox's agent (\(base)) did not answer; try again.")
        }
        var headers = HTTPFields()
        for (name, value) in response.headers where !Self.hopHeaders.contains(name.lowercased()) {
            if let field = HTTPField.Name(name) { headers.append(HTTPField(name: field, value: value)) }
        }
        return Response(
            status: .init(code: Int(response.status.code), reasonPhrase: response.status.reasonPhrase), headers: headers,
            body: ResponseBody(asyncSequence: response.body)
        )
    }
}
