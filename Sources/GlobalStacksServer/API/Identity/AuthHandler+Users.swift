import Foundation
import GlobalStacksAPI
import GlobalStacksDomain
import GlobalStacksStore
import GlobalStacksUseCases
import Logging

extension AuthHandler {
    func completeSetup(_ input: Operations.CompleteSetup.Input) async throws -> Operations.CompleteSetup.Output {
        guard case .json(let request) = input.body else { throw DomainError.invalidInput("Send a JSON body.") }
        // Unauthenticated and costly (bcrypt): limited per client address, and refused before hashing once set up.
        try throttle.beginAttempt(account: "setup", address: try RequestEnvironment.required.clientAddress, at: Date())
        guard try await !anonymous.isSetUp else {
            throw DomainError.conflict("This installation is already set up; sign in instead.")
        }
        let admin = try await newUser(email: request.email, displayName: request.displayName, password: request.password, siteRole: .admin)
        let user = try await anonymous.redeemSetupToken(request.token, admin: admin, at: Date())
        try RequestEnvironment.required.logger.notice("Setup completed: first site admin created", metadata: ["user": "\(user.id)"])
        return .created(.init(body: .json(APIMapping.userAccount(user))))
    }

    func signUp(_ input: Operations.SignUp.Input) async throws -> Operations.SignUp.Output {
        guard allowSignUp else {
            throw DomainError.forbidden("Self sign-up is disabled on this server; ask a site admin for an account.")
        }
        guard case .json(let request) = input.body else { throw DomainError.invalidInput("Send a JSON body.") }
        try throttle.beginAttempt(account: "signup", address: try RequestEnvironment.required.clientAddress, at: Date())
        let new = try await newUser(email: request.email, displayName: request.displayName, password: request.password, siteRole: .user)
        return .created(.init(body: .json(APIMapping.userAccount(try await anonymous.signUp(new, at: Date())))))
    }

    func listUsers(_ input: Operations.ListUsers.Input) async throws -> Operations.ListUsers.Output {
        let scope = try AccessPolicy.siteAdministrationScope(try authenticator.principal())
        let users = try await store.listUsers(limit: 1_000, scope)
        return .ok(.init(body: .json(.init(items: users.map(APIMapping.userAccount)))))
    }

    func createUser(_ input: Operations.CreateUser.Input) async throws -> Operations.CreateUser.Output {
        let scope = try AccessPolicy.siteAdministrationScope(try authenticator.principal())
        guard case .json(let request) = input.body else { throw DomainError.invalidInput("Send a JSON body.") }
        let role = SiteRole(rawValue: request.siteRole?.rawValue ?? SiteRole.user.rawValue) ?? .user
        let new = try await newUser(email: request.email, displayName: request.displayName, password: request.password, siteRole: role)
        return .created(.init(body: .json(APIMapping.userAccount(try await store.createUser(new, scope, at: Date())))))
    }

    func deactivateUser(_ input: Operations.DeactivateUser.Input) async throws -> Operations.DeactivateUser.Output {
        let scope = try AccessPolicy.siteAdministrationScope(try authenticator.principal())
        let user = try await store.deactivateUser(id: try pathID(input.path.userId, "user"), scope, at: Date())
        return .ok(.init(body: .json(APIMapping.userAccount(user))))
    }

    func listApiKeys(_ input: Operations.ListApiKeys.Input) async throws -> Operations.ListApiKeys.Output {
        let principal = try authenticator.principal()
        let keys = try await store.apiKeys(AccessPolicy.accountScope(principal))
        return .ok(.init(body: .json(.init(items: keys.map(APIMapping.apiKey)))))
    }

    func createApiKey(_ input: Operations.CreateApiKey.Input) async throws -> Operations.CreateApiKey.Output {
        let principal = try authenticator.principal()
        guard case .json(let request) = input.body else { throw DomainError.invalidInput("Send a JSON body.") }
        let name = try Validation.name(request.name)
        let now = Date()
        var expiresAt: Date?
        if let days = request.expiresInDays {
            guard (1...3650).contains(days) else { throw DomainError.invalidInput("expiresInDays must be between 1 and 3650.") }
            expiresAt = now.addingTimeInterval(Double(days) * 86_400)
        }
        let (credential, key) = try await issuer.issueAPIKey(for: principal, name: name, expiresAt: expiresAt, at: now)
        return .created(.init(body: .json(.init(apiKey: APIMapping.apiKey(credential), key: key))))
    }

    func revokeApiKey(_ input: Operations.RevokeApiKey.Input) async throws -> Operations.RevokeApiKey.Output {
        let principal = try authenticator.principal()
        let id: CredentialID = try pathID(input.path.apiKeyId, "API key")
        guard try await store.revokeCredential(id: id, kind: .apiKey, AccessPolicy.accountScope(principal), at: Date()) else {
            throw DomainError.notFound("You have no active API key \(id).")
        }
        return .noContent(.init())
    }

    /// Validates and hashes the parts of a new account.
    private func newUser(email: String, displayName: String, password: String, siteRole: SiteRole) async throws -> NewUser {
        let email = try Validation.email(email)
        let displayName = try Validation.name(displayName, field: "displayName")
        let password = try Validation.password(password)
        return NewUser(email: email, displayName: displayName, passwordHash: try await passwords.hash(password), siteRole: siteRole)
    }
}
