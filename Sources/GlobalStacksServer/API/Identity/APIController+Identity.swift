import GlobalStacksAPI
import GlobalStacksContract
import GlobalStacksUseCases

/// The operations of this area, mapped to its handler.
extension APIController {
    var auth: AuthHandler {
        AuthHandler(
            identity: useCases.identity, deviceLogins: useCases.deviceLogins, secureCookies: settings.secureCookies,
            sessionAbsoluteLifetime: settings.sessionAbsoluteLifetime
        )
    }

    func getSession(_ input: Operations.GetSession.Input) async throws -> Operations.GetSession.Output { try await auth.getSession(input, caller: try caller) }
    func createSession(_ input: Operations.CreateSession.Input) async throws -> Operations.CreateSession.Output { try await auth.createSession(input) }
    func listSignInProviders(_ input: Operations.ListSignInProviders.Input) async throws -> Operations.ListSignInProviders.Output { try await auth.listSignInProviders(input) }
    func beginDeviceLogin(_ input: Operations.BeginDeviceLogin.Input) async throws -> Operations.BeginDeviceLogin.Output { try await auth.beginDeviceLogin(input) }
    func pollDeviceLogin(_ input: Operations.PollDeviceLogin.Input) async throws -> Operations.PollDeviceLogin.Output { try await auth.pollDeviceLogin(input) }
    func deleteSession(_ input: Operations.DeleteSession.Input) async throws -> Operations.DeleteSession.Output { try await auth.deleteSession(input, caller: try caller) }
    func completeSetup(_ input: Operations.CompleteSetup.Input) async throws -> Operations.CompleteSetup.Output { try await auth.completeSetup(input) }
    func signUp(_ input: Operations.SignUp.Input) async throws -> Operations.SignUp.Output { try await auth.signUp(input) }
    func listUsers(_ input: Operations.ListUsers.Input) async throws -> Operations.ListUsers.Output { try await auth.listUsers(input, caller: try caller) }
    func createUser(_ input: Operations.CreateUser.Input) async throws -> Operations.CreateUser.Output { try await auth.createUser(input, caller: try caller) }
    func deactivateUser(_ input: Operations.DeactivateUser.Input) async throws -> Operations.DeactivateUser.Output { try await auth.deactivateUser(input, caller: try caller) }
    func listApiKeys(_ input: Operations.ListApiKeys.Input) async throws -> Operations.ListApiKeys.Output { try await auth.listApiKeys(input, caller: try caller) }
    func createApiKey(_ input: Operations.CreateApiKey.Input) async throws -> Operations.CreateApiKey.Output { try await auth.createApiKey(input, caller: try caller) }
    func revokeApiKey(_ input: Operations.RevokeApiKey.Input) async throws -> Operations.RevokeApiKey.Output { try await auth.revokeApiKey(input, caller: try caller) }
}
