import AsyncHTTPClient
import Foundation
import HTTPTypes
import NIOCore
import NIOConcurrencyHelpers
import OpenAPIAsyncHTTPClient
import OpenAPIRuntime

/// A typed client of the GlobalStacks v1 API. It is generated from the same `openapi.yaml` as the server, so a
/// contract change breaks its callers' build rather than a test at run time. This facade is what callers use: calls
/// by name with plain arguments, the contract's models as results, and every refusal as one error carrying the
/// server's status and message. The generated client and its inputs and outputs stay behind the facade; the models
/// (`Components.Schemas`) are its results.
public struct GlobalStacksClient: Sendable {
    /// What the client authenticates with.
    public enum Credential: Sendable, Equatable {
        case none
        /// `Authorization: Bearer …`: an API key (`gsk_`), an agent key (`gsa_`) or a provisioning token (`gsp_`).
        case bearer(String)
        /// The `globalstacks_session` cookie a password sign-in set.
        case session(String)
    }

    public let serverURL: URL
    public let credential: Credential
    let timeout: Duration
    let client: Client

    /// - Parameter serverURL: where the server is reached, with the path prefix of a proxy if there is one.
    public init(serverURL: URL, credential: Credential = .none, timeout: Duration = .seconds(30)) {
        self.init(serverURL: serverURL, credential: credential, timeout: timeout, extraMiddlewares: [])
    }

    init(serverURL: URL, credential: Credential, timeout: Duration, extraMiddlewares: [any ClientMiddleware]) {
        self.serverURL = serverURL
        self.credential = credential
        self.timeout = timeout
        self.client = Client(
            serverURL: serverURL,
            configuration: .init(dateTranscoder: .iso8601WithFractionalSeconds),
            transport: AsyncHTTPClientTransport(configuration: .init(client: Self.http, timeout: TimeAmount(timeout))),
            middlewares: [RefusalMiddleware(), CredentialMiddleware(credential: credential)] + extraMiddlewares
        )
    }

    /// The process's one HTTP client: `HTTPClient.shared`'s settings, except that a connection that cannot be made
    /// fails the request at once (`cannot reach …: connection refused`) instead of being tried again until the
    /// request's deadline; callers that wait for a server (the agent) try again themselves. Never shut down.
    private static let http: HTTPClient = {
        var configuration = HTTPClient.Configuration.singletonConfiguration
        configuration.connectionPool.retryConnectionEstablishment = false
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }()

    /// The same server with another credential.
    public func with(_ credential: Credential) -> GlobalStacksClient {
        GlobalStacksClient(serverURL: serverURL, credential: credential, timeout: timeout)
    }

    /// Runs a generated call and turns what its middlewares refused into `GlobalStacksClientError`, and a transport
    /// failure into `GlobalStacksTransportError`: the `ClientError` itself, which describes the request, never leaves.
    func call<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as ClientError {
            throw GlobalStacksTransportError.shown(error, serverURL: serverURL)
        }
    }
}

/// The server refused or failed a request: its HTTP status and the contract's `message`.
public struct GlobalStacksClientError: Error, Equatable, CustomStringConvertible {
    public let status: Int
    public let message: String

    public var description: String { "HTTP \(status): \(message)" }
}

/// Adds the credential to every request.
struct CredentialMiddleware: ClientMiddleware {
    let credential: GlobalStacksClient.Credential

    func intercept(
        _ request: HTTPRequest, body: HTTPBody?, baseURL: URL, operationID: String,
        next: @Sendable (HTTPRequest, HTTPBody?, URL) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        var request = request
        switch credential {
        case .none: break
        case .bearer(let token): request.headerFields[.authorization] = "Bearer \(token)"
        case .session(let cookie): request.headerFields[.cookie] = "globalstacks_session=\(cookie)"
        }
        return try await next(request, body, baseURL)
    }
}

/// Turns every answer outside 2xx into `GlobalStacksClientError` with the contract's `{"message": …}`, so the
/// facade only ever reads successes.
struct RefusalMiddleware: ClientMiddleware {
    static let maximumErrorBodyBytes = 64 * 1024

    func intercept(
        _ request: HTTPRequest, body: HTTPBody?, baseURL: URL, operationID: String,
        next: @Sendable (HTTPRequest, HTTPBody?, URL) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        let (response, responseBody) = try await next(request, body, baseURL)
        guard !(200..<300).contains(response.status.code) else { return (response, responseBody) }
        var message = response.status.reasonPhrase
        if let responseBody, let data = try? await Data(collecting: responseBody, upTo: Self.maximumErrorBodyBytes),
           let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any], let text = object["message"] as? String {
            message = text
        }
        throw GlobalStacksClientError(status: response.status.code, message: message)
    }
}

/// Keeps the session cookie a sign-in answer sets (the contract has no field for it).
final class SessionCookieCapture: ClientMiddleware, Sendable {
    private let cookie = NIOLockedValueBox<String?>(nil)
    var value: String? { cookie.withLockedValue { $0 } }

    func intercept(
        _ request: HTTPRequest, body: HTTPBody?, baseURL: URL, operationID: String,
        next: @Sendable (HTTPRequest, HTTPBody?, URL) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        let (response, responseBody) = try await next(request, body, baseURL)
        for field in response.headerFields[values: .setCookie] {
            let pair = field.prefix { $0 != ";" }
            if pair.hasPrefix("globalstacks_session=") {
                cookie.withLockedValue { $0 = String(pair.dropFirst("globalstacks_session=".count)) }
            }
        }
        return (response, responseBody)
    }
}
