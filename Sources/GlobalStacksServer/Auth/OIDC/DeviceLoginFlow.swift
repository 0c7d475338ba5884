import Foundation
import GlobalStacksDomain
import GlobalStacksStore
import GlobalStacksUseCases
import Logging

/// OIDC device-code sign-in (RFC 8628) as the server runs it: begin at the provider and hand the client a secret
/// for this sign-in (`gsd_…`, stored as a hash), poll the provider for it at most once per interval (the state is in
/// the database, so any replica may answer a poll), and when the person approved, verify the ID token and find the
/// account, once. The provider's device code never leaves the server (sealed in the database).
struct DeviceLoginFlow: Sendable {
    static let tokenPrefix = "gsd_"

    let providers: [String: OIDCProviderClient]
    let order: [OIDCProvider]
    let store: any DeviceLoginAuthority & IdentityBootstrap & CredentialAuthority
    let sealer: SecretSealer

    init(providers: [OIDCProvider], store: any DeviceLoginAuthority & IdentityBootstrap & CredentialAuthority, sealer: SecretSealer) throws {
        self.order = providers
        self.providers = Dictionary(uniqueKeysWithValues: try providers.map { ($0.name, try OIDCProviderClient($0)) })
        self.store = store
        self.sealer = sealer
    }

    func client(_ name: String) throws -> OIDCProviderClient {
        guard let client = providers[name] else {
            let known = order.map(\.name)
            throw DomainError.invalidInput(known.isEmpty
                ? "This server signs in with passwords only; no OIDC provider is configured."
                : "No identity provider '\(name.prefix(40))' here (GET /v1/auth/providers lists them: \(known.joined(separator: ", "))).")
        }
        return client
    }

    func begin(provider name: String, at now: Date) async throws -> (token: String, login: DeviceLogin) {
        let client = try client(name)
        try await store.pruneDeviceLogins(before: now.addingTimeInterval(-86_400))
        let answer = try await client.deviceAuthorization()
        let token = SecretToken.generate(prefix: Self.tokenPrefix)
        let interval = min(max(answer.interval ?? 5, 1), 60)
        let login = DeviceLogin(
            id: UUID().uuidString.lowercased(), provider: name, userCode: String(answer.userCode.prefix(64)),
            verificationURI: String(answer.verificationUri.prefix(2_000)), verificationURIComplete: answer.verificationUriComplete.map { String($0.prefix(2_000)) },
            expiresAt: now.addingTimeInterval(TimeInterval(min(max(answer.expiresIn, 10), 3_600))), interval: interval, nextPollAt: now,
            status: .pending, message: nil, userID: nil,
            sealedDeviceCode: try sealer.seal(["deviceCode": .string(answer.deviceCode)]) ?? ""
        )
        try await store.createDeviceLogin(login, tokenHash: SecretHasher.hash(token.value), at: now)
        return (token.value, login)
    }

    /// Where the sign-in stands; asks the provider when the interval has passed.
    func poll(token: String, at now: Date, logger: Logger) async throws -> DeviceLogin {
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
        let client = try client(login.provider)
        guard case .string(let deviceCode)? = try sealer.open(login.sealedDeviceCode)["deviceCode"] else {
            throw DomainError.unavailable("This device sign-in cannot be read with this server's secret key; start again.")
        }
        switch try await client.token(deviceCode: deviceCode) {
        case .refused(let error, let description):
            let (status, message, increase) = DeviceLogin.outcome(ofTokenError: error, description: description)
            login.status = status
            login.message = message
            login.interval = min(login.interval + increase, 60)
        case .tokens(let idToken, let accessToken):
            do {
                let claims = try await client.verify(idToken: idToken)
                let user = try await account(for: claims, accessToken: accessToken, client: client, at: now)
                login.status = .approved
                login.userID = user.id
                logger.info("Device sign-in approved", metadata: ["provider": "\(login.provider)", "user": "\(user.id)"])
            } catch let error as DomainError where error.kind == .unauthenticated || error.kind == .forbidden {
                login.status = .denied
                login.message = error.message
                logger.notice("Device sign-in refused", metadata: ["provider": "\(login.provider)", "reason": "\(error.message)"])
            }
        }
        login.nextPollAt = now.addingTimeInterval(TimeInterval(login.interval))
        try await store.updateDeviceLogin(login)
        return login
    }

    /// The account of an approved sign-in, once.
    func complete(token: String, provider: String, at now: Date) async throws -> User {
        guard let login = try await store.deviceLogin(tokenHash: SecretHasher.hash(token)), login.provider == provider else {
            throw DomainError.unauthenticated("This device sign-in is unknown, finished or expired, or not of provider '\(provider.prefix(40))'; start again.")
        }
        guard login.status == .approved else {
            throw DomainError.unauthenticated(login.message ?? "This device sign-in is not approved yet; poll POST /v1/auth/device-logins/poll until it is.")
        }
        guard let userID = try await store.consumeDeviceLogin(tokenHash: SecretHasher.hash(token), at: now),
              let user = try await store.user(id: userID), user.isActive
        else { throw DomainError.unauthenticated("This device sign-in was already used or its account is deactivated.") }
        return user
    }

    /// The account an identity signs in as: the one linked to its subject, else (matching by email) the one with its
    /// verified email, else a new one when the provider may create accounts.
    private func account(for claims: IDTokenClaims, accessToken: String?, client: OIDCProviderClient, at now: Date) async throws -> User {
        let provider = client.provider
        if let linked = try await store.user(provider: provider.name, subject: claims.sub) {
            guard linked.isActive else { throw DomainError.forbidden("The account \(linked.email) is deactivated.") }
            return linked
        }
        var email = claims.email
        var verified = claims.emailVerified == true
        var name = claims.name
        if email == nil || !verified, let accessToken {
            // Some providers give the email only through UserInfo (OIDC Core 5.4); its subject must be the token's.
            let info = try await client.userinfo(accessToken: accessToken)
            if info.subject == claims.sub {
                email = info.email ?? email
                verified = info.emailVerified ?? verified
                name = name ?? info.name
            }
        }
        let address: EmailAddress? = email.flatMap { try? Validation.email($0, field: "email") }
        if provider.matching == .email, verified, let address, let existing = try await store.userForSignIn(email: address)?.user {
            guard existing.isActive else { throw DomainError.forbidden("The account \(existing.email) is deactivated.") }
            try await store.linkIdentity(provider: provider.name, subject: claims.sub, to: existing.id, at: now)
            return existing
        }
        guard provider.createUsers else {
            throw DomainError.forbidden("No account here matches this \(provider.name) identity\(address.map { " (\($0))" } ?? ""); ask an administrator to create one.")
        }
        guard verified, let address else {
            throw DomainError.forbidden("The identity provider gave no verified email for this identity, so no account can be created for it.")
        }
        let created = try await store.createUser(NewUser(
            email: address, displayName: String((name ?? address.canonical).prefix(100)), passwordHash: OIDCProvider.noPassword, siteRole: .user
        ), at: now)
        try await store.linkIdentity(provider: provider.name, subject: claims.sub, to: created.id, at: now)
        return created
    }
}

extension OIDCProvider {
    /// The password hash of an account that exists only through an identity provider: never a bcrypt hash, so no
    /// password signs in to it.
    static let noPassword = "!oidc"
}
