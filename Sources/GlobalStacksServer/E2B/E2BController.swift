import Foundation
import GlobalStacksDomain
import GlobalStacksUseCases
import HTTPTypes
import Hummingbird
import NIOCore

/// The E2B-compatible control plane under `/e2b` (`E2B_API_URL=http://host:port/e2b`): what the `e2b` SDKs call to
/// create, list, pause, resume and kill sandboxes. An edge like the v1 API: it maps E2B's bodies to the same
/// services, with the same authorization, quotas, placement and start gate; the tenant is the API key's.
struct E2BController {
    let useCases: UseCases
    let authenticator: Authenticator
    /// `{port}-{sandbox id}.{domain}` reaches a sandbox's port when the operator set a wildcard domain.
    let sandboxDomain: String?

    static let prefix = "/e2b"
    /// How long create, pause and resume wait for the sandbox's agent before answering with the state it is in.
    static let settleTimeout: Duration = .seconds(60)
    static let maximumBodyBytes = 256 << 10

    func addRoutes(to router: Router<AppRequestContext>) {
        let group = router.group(RouterPath(Self.prefix)).add(middleware: E2BErrorMiddleware())
        group.post("sandboxes") { request, _ in try await create(request) }
        group.post("v2/sandboxes") { request, _ in try await create(request) }
        group.get("sandboxes") { request, _ in try await list(request, v2: false) }
        group.get("v2/sandboxes") { request, _ in try await list(request, v2: true) }
        group.get("sandboxes/:sandboxID") { request, context in try await info(request, context) }
        group.delete("sandboxes/:sandboxID") { request, context in try await kill(request, context) }
        group.post("sandboxes/:sandboxID/timeout") { request, context in try await setTimeout(request, context) }
        group.post("sandboxes/:sandboxID/pause") { request, context in try await pause(request, context) }
        group.post("sandboxes/:sandboxID/resume") { request, context in try await connect(request, context) }
        group.post("sandboxes/:sandboxID/connect") { request, context in try await connect(request, context) }
        group.post("v2/sandboxes/:sandboxID/connect") { request, context in try await connect(request, context) }
        group.get("sandboxes/:sandboxID/metrics") { request, context in try await metrics(request, context) }
        group.get("templates") { request, _ in try await templates(request) }
    }

    // MARK: - Handlers

    private func create(_ request: Request) async throws -> Response {
        let caller = try await authenticate(request)
        let body = try await Self.decode(E2B.NewSandbox.self, request)
        // `base` is the host's default root; any other name is one of the tenant's (or the platform's) templates, whose
        // command (or waiting) the sandbox runs.
        let template = body.templateID.flatMap { $0 == E2B.defaultTemplate ? nil : $0 }
        let spec = try SandboxSpec(
            name: nil, template: template, command: template == nil ? ["sleep", "infinity"] : [], cpu: nil, memory: nil, storage: nil, environment: body.envVars,
            labels: body.metadata, network: body.allowInternetAccess, idleTimeoutSeconds: nil, idleAction: nil, region: nil, clusterID: nil,
            requiredCapabilities: nil, lifetimeSeconds: body.timeout ?? 300, publicPorts: body.network?.allowPublicTraffic
        )
        let handle = try await useCases.sandboxes.createHandle(spec, caller: caller)
        let sandbox = try await started(handle.sandbox.id, caller: caller)
        return try Self.json(E2BMapping.handle(sandbox, token: handle.accessToken, domain: sandboxDomain), status: .created)
    }

    private func list(_ request: Request, v2: Bool) async throws -> Response {
        let caller = try await authenticate(request)
        let query = try E2BListQuery(request.uri.queryParameters, v2: v2)
        let sandboxes = try await useCases.sandboxes.sandboxes(SandboxFilter(labels: query.metadata), caller: caller)
        let page = query.page(sandboxes.filter { E2BMapping.state($0.state).map(query.states.contains) ?? false })
        var response = try Self.json(page.items.map { E2BMapping.listed($0, domain: sandboxDomain) })
        if let next = page.nextToken { response.headers[HTTPField.Name("X-Next-Token")!] = next }
        return response
    }

    private func info(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let caller = try await authenticate(request)
        let sandbox = try await live(try Self.sandboxID(context), caller: caller)
        return try Self.json(E2BMapping.listed(sandbox, domain: sandboxDomain))
    }

    private func kill(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let caller = try await authenticate(request)
        let id = try Self.sandboxID(context)
        _ = try await live(id, caller: caller)
        try await useCases.sandboxes.remove(id, caller: caller)
        // Answered once its process is gone (its quota and its room on the agent are free again); the reconciler
        // deletes it.
        _ = try await useCases.sandboxes.settled(id, timeout: Self.settleTimeout, caller: caller)
        return Response(status: .noContent)
    }

    private func setTimeout(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let caller = try await authenticate(request)
        let id = try Self.sandboxID(context)
        let body = try await Self.decode(E2B.Timeout.self, request)
        _ = try await live(id, caller: caller)
        _ = try await useCases.sandboxes.setLifetime(id, seconds: body.timeout, caller: caller)
        return Response(status: .noContent)
    }

    /// Pause is hibernation: the processes are frozen with their memory, on the same agent (it does not survive the
    /// agent's restart, unlike E2B's snapshot).
    private func pause(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let caller = try await authenticate(request)
        let id = try Self.sandboxID(context)
        let sandbox = try await live(id, caller: caller)
        if sandbox.state == .hibernated || sandbox.state == .hibernating {
            throw DomainError.conflict("Sandbox \(id) is already paused.")
        }
        _ = try await useCases.sandboxes.pause(id, caller: caller)
        let paused = try await useCases.sandboxes.settled(id, timeout: Self.settleTimeout, caller: caller)
        guard paused.state == .hibernated else {
            throw DomainError.conflict("Sandbox \(id) could not be paused: it is \(paused.state.rawValue)\(paused.lastError.map { " (\($0.prefix(300)))" } ?? "").")
        }
        return Response(status: .noContent)
    }

    /// Resume and connect: a new handle (with its own access token) on a running or paused sandbox, woken if paused.
    private func connect(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let caller = try await authenticate(request)
        let id = try Self.sandboxID(context)
        let body = try await Self.decode(E2B.Connect.self, request, emptyIs: E2B.Connect())
        let current = try await useCases.sandboxes.settled(id, timeout: Self.settleTimeout, caller: caller)
        guard E2BMapping.state(current.state) != nil else { throw E2BMapping.gone(current) }
        let handle = try await useCases.sandboxes.connect(id, lifetimeSeconds: body.timeout, caller: caller)
        let sandbox = try await started(id, caller: caller)
        return try Self.json(E2BMapping.handle(sandbox, token: handle.accessToken, domain: sandboxDomain), status: .created)
    }

    /// E2B reports CPU and memory samples; the agent does not sample them per sandbox yet, so the series is empty.
    private func metrics(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let caller = try await authenticate(request)
        _ = try await live(try Self.sandboxID(context), caller: caller)
        return try Self.json([E2B.Failure]())
    }

    private func templates(_ request: Request) async throws -> Response {
        let caller = try await authenticate(request)
        return try Self.json([E2BMapping.baseTemplate] + (try await useCases.templates.templates(caller: caller)).map(E2BMapping.template))
    }

    // MARK: - Shared

    /// `X-API-Key` carries one of our API keys (`gsk_…`); its selected tenant is where sandboxes are.
    private func authenticate(_ request: Request) async throws -> Caller {
        guard let key = request.headers[SandboxCredentials.apiKeyHeader], !key.isEmpty else {
            throw DomainError.unauthenticated("Send an API key of this server in X-API-Key (E2B_API_KEY=gsk_…; create one with `gstacks api-keys create`).")
        }
        let caller = try await authenticator.authenticate(PresentedCredentials(
            sessionToken: nil, bearerToken: key, isReadOnly: request.method == .get
        ))
        _ = try caller.activeTenant()
        return caller
    }

    /// A sandbox E2B would still show (running or paused); one that ended is not found, with why.
    private func live(_ id: SandboxID, caller: Caller) async throws -> Sandbox {
        let sandbox = try await useCases.sandboxes.sandbox(id, caller: caller)
        guard E2BMapping.state(sandbox.state) != nil else { throw E2BMapping.gone(sandbox) }
        return sandbox
    }

    /// Waits for a created or woken sandbox to run: the SDK's next call goes straight to its processes.
    private func started(_ id: SandboxID, caller: Caller) async throws -> Sandbox {
        let sandbox = try await useCases.sandboxes.settled(id, timeout: Self.settleTimeout, caller: caller)
        switch sandbox.state {
        case .running: return sandbox
        case .failed, .stopped, .terminated:
            throw DomainError.upstreamFailed("Sandbox \(id) did not start: \(sandbox.lastError.map { String($0.prefix(500)) } ?? sandbox.state.rawValue).")
        case .pending, .starting, .waking, .hibernating, .hibernated, .stopping:
            throw DomainError.unavailable("Sandbox \(id) is still \(sandbox.state.rawValue) after \(Self.settleTimeout); its agent may be busy. Try connecting again.")
        }
    }

    static func sandboxID(_ context: AppRequestContext) throws -> SandboxID {
        let value = context.parameters.get("sandboxID") ?? ""
        guard let id = SandboxID(path: value) else { throw DomainError.notFound("No sandbox \(value.prefix(64)).") }
        return id
    }

    static func decode<Body: Decodable>(_ type: Body.Type, _ request: Request, emptyIs empty: Body? = nil) async throws -> Body {
        var request = request
        let buffer = try await request.collectBody(upTo: maximumBodyBytes)
        if buffer.readableBytes == 0, let empty { return empty }
        do {
            return try JSONDecoder().decode(Body.self, from: Data(buffer.readableBytesView))
        } catch let error as DecodingError {
            throw DomainError.invalidInput("The JSON body does not fit E2B's API: \(E2BMapping.describe(error)).")
        }
    }

    static func json(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .withoutEscapingSlashes
        return Response(
            status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: try encoder.encode(value)))
        )
    }
}
