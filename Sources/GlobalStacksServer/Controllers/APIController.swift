import Foundation
import GlobalStacksAPI
import GlobalStacksDomain
import GlobalStacksStore

/// Implements the generated `APIProtocol`. Each area lives in its own file (`APIController+Area.swift`);
/// handlers resolve the caller, ask `AccessPolicy`, call the store and map the result.
struct APIController: APIProtocol {
    /// Only what a request may use: every method takes a scope made by `AccessPolicy` (see `RequestStore`).
    let store: any RequestStore
    let anonymous: AnonymousAccess
    let authenticator: Authenticator
    let issuer: CredentialIssuer
    let passwords: PasswordHasher
    let throttle: LoginThrottle
    let configuration: ServerConfiguration
    let gate: OperationGate
    let connections: AgentConnections
    let dispatcher: CommandDispatcher

    init(
        store: some RequestStore & CredentialAuthority & IdentityBootstrap & AgentEnrollmentAuthority, gate: OperationGate, connections: AgentConnections, dispatcher: CommandDispatcher, principals: PrincipalCache,
        configuration: ServerConfiguration
    ) {
        let lifetime = CredentialLifetime(
            sessionIdleTimeout: configuration.sessionIdleTimeout,
            sessionAbsoluteLifetime: configuration.sessionAbsoluteLifetime
        )
        self.store = store
        self.anonymous = AnonymousAccess(store: store)
        self.authenticator = Authenticator(store: store, lifetime: lifetime, principals: principals)
        self.issuer = CredentialIssuer(store: store, lifetime: lifetime)
        self.passwords = PasswordHasher(cost: UInt8(clamping: configuration.bcryptCost))
        self.throttle = LoginThrottle(attemptsPerWindow: configuration.loginAttemptsPerWindow, window: configuration.loginWindow)
        self.configuration = configuration
        self.gate = gate
        self.connections = connections
        self.dispatcher = dispatcher
    }

    /// An id from the request path; anything that cannot be an id is simply not found.
    func pathID<Entity>(_ value: String, _ what: String) throws -> Identifier<Entity> {
        guard let id = Identifier<Entity>(path: value) else {
            throw DomainError.notFound("No \(what) '\(value.prefix(64))'.")
        }
        return id
    }

    /// Validates and hashes the parts of a new account.
    func newUser(email: String, displayName: String, password: String, siteRole: SiteRole) async throws -> NewUser {
        let email = try Validation.email(email)
        let displayName = try Validation.name(displayName, field: "displayName")
        let password = try Validation.password(password)
        return NewUser(email: email, displayName: displayName, passwordHash: try await passwords.hash(password), siteRole: siteRole)
    }
}
