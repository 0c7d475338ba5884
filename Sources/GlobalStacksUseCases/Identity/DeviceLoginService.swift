import Foundation
import GlobalStacksDomain
import GlobalStacksStore
import Logging

/// OIDC device-code sign-in (RFC 8628, docs/oidc.md): begin at the provider and hand the client a secret for this
/// sign-in (`gsd_…`, stored as a hash), poll the provider for it at most once per interval (the state is in the
/// database, so any replica may answer a poll), and when the person approved, find the account, once; the client
/// then opens a session with that secret. All of it is reached anonymously.
public struct DeviceLoginService: Sendable {
    static let tokenPrefix = "gsd_"

    /// The configured providers, in the order the server lists them.
    public let order: [OIDCProvider]
    private let providers: [String: any DeviceSignInProvider]
    private let store: any DeviceLoginAuthority & IdentityBootstrap & CredentialAuthority
    private let issuer: CredentialIssuer
    private let throttle: LoginThrottle

    public init(
        providers: [any DeviceSignInProvider], store: any DeviceLoginAuthority & IdentityBootstrap & CredentialAuthority,
        issuer: CredentialIssuer, throttle: LoginThrottle
    ) {
        self.order = providers.map(\.provider)
        self.providers = Dictionary(uniqueKeysWithValues: providers.map { ($0.provider.name, $0) })
        self.store = store
        self.issuer = issuer
        self.throttle = throttle
    }

    /// Begins a sign-in at `provider`: the secret the client polls with (returned this once) and what the person does.
    public func begin(provider name: String, _ request: AnonymousRequest) async throws -> (token: String, login: DeviceLogin) {
        let now = Date()
        // Counted with sign-in attempts per client address (each costs the provider a request); there is no account yet.
        try throttle.beginAttempt(account: "device-login:\(UUID().uuidString)", address: request.clientAddress, at: now)
        let provider = try self.provider(name)
        try await store.pruneDeviceLogins(before: now.addingTimeInterval(-86_400))
        let answer = try await provider.authorize()
        let token = SecretToken.generate(prefix: Self.tokenPrefix)
        let interval = min(max(answer.interval ?? 5, 1), 60)
        let login = DeviceLogin(
            id: UUID().uuidString.lowercased(), provider: name, userCode: String(answer.userCode.prefix(64)),
            verificationURI: String(answer.verificationURI.prefix(2_000)), verificationURIComplete: answer.verificationURIComplete.map { String($0.prefix(2_000)) },
            expiresAt: now.addingTimeInterval(TimeInterval(min(max(answer.expiresIn, 10), 3_600))), interval: interval, nextPollAt: now,
            status: .pending, message: nil, userID: nil, sealedDeviceCode: answer.sealedDeviceCode
        )
        try await store.createDeviceLogin(login, tokenHash: SecretHasher.hash(token.value), at: now)
        request.logger.info("Device sign-in begun", metadata: ["provider": "\(login.provider)", "device_login": "\(login.id)"])
        return (token.value, login)
    }

    /// Where the sign-in stands; asks the provider when the interval has passed.
    public func poll(token: String, _ request: AnonymousRequest) async throws -> DeviceLogin {
        let now = Date()
        guard var login = try await store.deviceLogin(tokenHash: SecretHasher.hash(token)) else {
            throw DomainError.unauthenticated("This device sign-in is unknown, finished or expired; start again with POST /v1/auth/device-logins.")
        }
        guard login.status == .pending else { return login }
        if now >= login.expiresAt {
            login.status = .expired
            login.message = "The sign-in code expired before it was approved; start again."
            try await store.updateDeviceLogin(login)
            return login
        }
        guard now >= login.nextPollAt else { return login }
        let provider = try self.provider(login.provider)
        switch try await provider.token(sealedDeviceCode: login.sealedDeviceCode) {
        case .refused(let error, let description):
            let (status, message, increase) = DeviceLogin.outcome(ofTokenError: error, description: description)
            login.status = status
            login.message = message
            login.interval = min(login.interval + increase, 60)
        case .tokens(let idToken, let accessToken):
            do {
                let identity = try await provider.identity(idToken: idToken)
                let user = try await account(for: identity, accessToken: accessToken, from: provider, at: now)
                login.status = .approved
                login.userID = user.id
                request.logger.info("Device sign-in approved", metadata: ["provider": "\(login.provider)", "user": "\(user.id)"])
            } catch let error as DomainError where error.kind == .unauthenticated || error.kind == .forbidden {
                login.status = .denied
                login.message = error.message
                request.logger.notice("Device sign-in refused", metadata: ["provider": "\(login.provider)", "reason": "\(error.message)"])
            }
        }
        login.nextPollAt = now.addingTimeInterval(TimeInterval(login.interval))
        try await store.updateDeviceLogin(login)
        return login
    }

    /// A new session for the account of an approved sign-in; the sign-in's secret is spent.
    /// `provider` and `token` are optional in the request that carries them: a missing one is a 400 that says so.
    public func signIn(token: String?, provider: String?, _ request: AnonymousRequest) async throws -> NewSession {
        guard !order.isEmpty else {
            throw DomainError.invalidInput("OIDC device-code sign-in is not configured on this server; use the password strategy.")
        }
        guard let provider, let token else {
            throw DomainError.invalidInput("The oidc_device_code strategy needs 'provider' and, in 'password', the token POST /v1/auth/device-logins returned.")
        }
        guard let login = try await store.deviceLogin(tokenHash: SecretHasher.hash(token)), login.provider == provider else {
            throw DomainError.unauthenticated("This device sign-in is unknown, finished or expired, or not of provider '\(provider.prefix(40))'; start again.")
        }
        guard login.status == .approved else {
            throw DomainError.unauthenticated(login.message ?? "This device sign-in is not approved yet; poll POST /v1/auth/device-logins/poll until it is.")
        }
        guard let userID = try await store.consumeDeviceLogin(tokenHash: SecretHasher.hash(token), at: Date()),
              let user = try await store.user(id: userID), user.isActive
        else { throw DomainError.unauthenticated("This device sign-in was already used or its account is deactivated.") }
        return try await issuer.signIn(user, how: "oidc:\(provider)", request)
    }

    private func provider(_ name: String) throws -> any DeviceSignInProvider {
        guard let provider = providers[name] else {
            let known = order.map(\.name)
            throw DomainError.invalidInput(known.isEmpty
                ? "This server signs in with passwords only; no OIDC provider is configured."
                : "No identity provider '\(name.prefix(40))' here (GET /v1/auth/providers lists them: \(known.joined(separator: ", "))).")
        }
        return provider
    }

    /// The account an identity signs in as: the one linked to its subject, else (matching by email) the one with its
    /// verified email, else a new one when the provider may create accounts.
    private func account(
        for claimed: ProviderIdentity, accessToken: String?, from signIn: any DeviceSignInProvider, at now: Date
    ) async throws -> User {
        let provider = signIn.provider
        if let linked = try await store.user(provider: provider.name, subject: claimed.subject) {
            guard linked.isActive else { throw DomainError.forbidden("The account \(linked.email) is deactivated.") }
            return linked
        }
        var identity = claimed
        if identity.email == nil || !identity.emailVerified, let accessToken {
            // UserInfo counts only when its subject is the token's.
            let info = try await signIn.userInfo(accessToken: accessToken)
            if info.subject == identity.subject {
                identity.email = info.email ?? identity.email
                identity.emailVerified = info.emailVerified ?? identity.emailVerified
                identity.name = identity.name ?? info.name
            }
        }
        let address: EmailAddress? = identity.email.flatMap { try? Validation.email($0, field: "email") }
        if provider.matching == .email, identity.emailVerified, let address, let existing = try await store.userForSignIn(email: address)?.user {
            guard existing.isActive else { throw DomainError.forbidden("The account \(existing.email) is deactivated.") }
            try await store.linkIdentity(provider: provider.name, subject: identity.subject, to: existing.id, at: now)
            return existing
        }
        guard provider.createUsers else {
            throw DomainError.forbidden("No account here matches this \(provider.name) identity\(address.map { " (\($0))" } ?? ""); ask an administrator to create one.")
        }
        guard identity.emailVerified, let address else {
            throw DomainError.forbidden("The identity provider gave no verified email for this identity, so no account can be created for it.")
        }
        let created = try await store.createUser(NewUser(
            email: address, displayName: String((identity.name ?? address.canonical).prefix(100)), passwordHash: OIDCProvider.noPassword, siteRole: .user
        ), at: now)
        try await store.linkIdentity(provider: provider.name, subject: identity.subject, to: created.id, at: now)
        return created
    }
}
