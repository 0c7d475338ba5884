import Foundation
import GlobalStacksAPI
import GlobalStacksContract
import GlobalStacksUseCases

/// The one `APIProtocol` conformance. Each area maps its operations to its handler in its own folder
/// (`API/<Area>/APIController+<Area>.swift`); a handler holds the services of its area and nothing of the store.
struct APIController: APIProtocol {
    /// What the edge needs of the server's settings.
    struct Settings {
        let secureCookies: Bool
        let sessionAbsoluteLifetime: TimeInterval
        let publicURL: String
    }

    let useCases: UseCases
    let settings: Settings
    /// Resolves the caller once per operation, for `AuthenticationMiddleware`.
    let authenticator: Authenticator

    init(_ useCases: UseCases, authenticator: Authenticator, configuration: ServerConfiguration) {
        self.useCases = useCases
        self.authenticator = authenticator
        settings = Settings(
            secureCookies: configuration.secureCookies, sessionAbsoluteLifetime: configuration.sessionAbsoluteLifetime,
            publicURL: configuration.resolvedPublicURL
        )
    }

    /// The caller `AuthenticationMiddleware` resolved, for every operation not in `AnonymousOperations`.
    var caller: Caller {
        get throws { try AuthenticatedCaller.required() }
    }
}
