import GlobalStacksContract
import OpenAPIRuntime
extension GlobalStacksClient {
    public typealias Session = Components.Schemas.SessionResponse

    /// Signs in with a password; returns a client that carries the new session.
    public func signIn(email: String, password: String) async throws -> GlobalStacksClient {
        let capture = SessionCookieCapture()
        let anonymous = GlobalStacksClient(serverURL: serverURL, credential: .none, timeout: timeout, extraMiddlewares: [capture])
        _ = try await anonymous.call {
            try await anonymous.client.createSession(body: .json(.init(strategy: .password, loginName: email, password: password))).ok.body.json
        }
        guard let cookie = capture.value else {
            throw GlobalStacksClientError(status: 200, message: "The server signed you in but set no session cookie.")
        }
        return with(.session(cookie))
    }

    /// Redeems the one-time setup token the server printed at its first start: the first site admin.
    public func completeSetup(token: String, email: String, displayName: String, password: String) async throws -> UserAccount {
        try await call {
            try await client.completeSetup(body: .json(.init(token: token, email: email, displayName: displayName, password: password))).created.body.json
        }
    }

    /// Who this client is signed in as, and what it has selected.
    public func session() async throws -> Session {
        try await call { try await client.getSession().ok.body.json }
    }
}

extension GlobalStacksClient {
    public typealias ApiKey = Components.Schemas.ApiKey

    /// The caller's API keys (never their secrets).
    public func apiKeys() async throws -> [ApiKey] {
        try await call { try await client.listApiKeys().ok.body.json.items }
    }

    /// A new API key and its secret, shown this once.
    public func createApiKey(name: String, expiresInDays: Int? = nil) async throws -> (key: ApiKey, secret: String) {
        let created = try await call { try await client.createApiKey(body: .json(.init(name: name, expiresInDays: expiresInDays))).created.body.json }
        return (created.apiKey, created.key)
    }

    public func revokeApiKey(_ id: String) async throws {
        _ = try await call { try await client.revokeApiKey(path: .init(apiKeyId: id)).noContent }
    }
}

extension GlobalStacksClient {
    public typealias UserAccount = Components.Schemas.UserAccount

    /// Creates an account with a password (site admins).
    public func createUser(email: String, displayName: String, password: String) async throws -> UserAccount {
        try await call {
            try await client.createUser(body: .json(.init(email: email, displayName: displayName, password: password))).created.body.json
        }
    }
}
