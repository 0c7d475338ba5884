import GlobalStacksAPI
import GlobalStacksContract
import GlobalStacksDomain
import GlobalStacksUseCases

/// The first start, sign-up, user accounts (site admins) and the caller's API keys.
extension AuthHandler {
    func completeSetup(_ input: Operations.CompleteSetup.Input) async throws -> Operations.CompleteSetup.Output {
        guard case .json(let request) = input.body else { throw DomainError.invalidInput("Send a JSON body.") }
        let user = try await identity.completeSetup(
            token: request.token, email: request.email, displayName: request.displayName, password: request.password, try anonymousRequest()
        )
        return .created(.init(body: .json(APIMapping.userAccount(user))))
    }

    func signUp(_ input: Operations.SignUp.Input) async throws -> Operations.SignUp.Output {
        guard case .json(let request) = input.body else { throw DomainError.invalidInput("Send a JSON body.") }
        let user = try await identity.signUp(email: request.email, displayName: request.displayName, password: request.password, try anonymousRequest())
        return .created(.init(body: .json(APIMapping.userAccount(user))))
    }

    func listUsers(_ input: Operations.ListUsers.Input, caller: Caller) async throws -> Operations.ListUsers.Output {
        .ok(.init(body: .json(.init(items: try await identity.users(caller: caller).map(APIMapping.userAccount)))))
    }

    func createUser(_ input: Operations.CreateUser.Input, caller: Caller) async throws -> Operations.CreateUser.Output {
        guard case .json(let request) = input.body else { throw DomainError.invalidInput("Send a JSON body.") }
        let role = SiteRole(rawValue: request.siteRole?.rawValue ?? SiteRole.user.rawValue) ?? .user
        let user = try await identity.createUser(
            email: request.email, displayName: request.displayName, password: request.password, siteRole: role, caller: caller
        )
        return .created(.init(body: .json(APIMapping.userAccount(user))))
    }

    func deactivateUser(_ input: Operations.DeactivateUser.Input, caller: Caller) async throws -> Operations.DeactivateUser.Output {
        let user = try await identity.deactivateUser(try pathID(input.path.userId, "user"), caller: caller)
        return .ok(.init(body: .json(APIMapping.userAccount(user))))
    }

    func listApiKeys(_ input: Operations.ListApiKeys.Input, caller: Caller) async throws -> Operations.ListApiKeys.Output {
        .ok(.init(body: .json(.init(items: try await identity.apiKeys(caller: caller).map(APIMapping.apiKey)))))
    }

    func createApiKey(_ input: Operations.CreateApiKey.Input, caller: Caller) async throws -> Operations.CreateApiKey.Output {
        guard case .json(let request) = input.body else { throw DomainError.invalidInput("Send a JSON body.") }
        let (credential, key) = try await identity.createAPIKey(name: request.name, expiresInDays: request.expiresInDays, caller: caller)
        return .created(.init(body: .json(.init(apiKey: APIMapping.apiKey(credential), key: key))))
    }

    func revokeApiKey(_ input: Operations.RevokeApiKey.Input, caller: Caller) async throws -> Operations.RevokeApiKey.Output {
        try await identity.revokeAPIKey(try pathID(input.path.apiKeyId, "API key"), caller: caller)
        return .noContent(.init())
    }
}
