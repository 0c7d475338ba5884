import GlobalStacksDomain

/// One OpenID provider's device authorization grant (RFC 8628), a port: the server implements it over HTTP (discovery,
/// the provider's endpoints, ID token signatures), and seals the provider's device code so it never leaves the server.
public protocol DeviceSignInProvider: Sendable {
    var provider: OIDCProvider { get }
    /// Begins a sign-in at the provider.
    func authorize() async throws -> DeviceAuthorization
    /// Asks the provider once whether the person approved the sign-in whose device code `authorize` sealed.
    func token(sealedDeviceCode: String) async throws -> DeviceTokenAnswer
    /// Who an ID token names, once its signature and claims are verified.
    func identity(idToken: String) async throws -> ProviderIdentity
    /// What the provider's UserInfo says (where some providers put the email; OIDC Core 5.4); all nil without UserInfo.
    func userInfo(accessToken: String) async throws -> ProviderUserInfo
}

/// What the provider answered a device authorization request, the device code sealed.
public struct DeviceAuthorization: Sendable {
    public let userCode: String
    public let verificationURI: String
    public let verificationURIComplete: String?
    public let expiresIn: Int
    public let interval: Int?
    public let sealedDeviceCode: String

    public init(userCode: String, verificationURI: String, verificationURIComplete: String?, expiresIn: Int, interval: Int?, sealedDeviceCode: String) {
        self.userCode = userCode
        self.verificationURI = verificationURI
        self.verificationURIComplete = verificationURIComplete
        self.expiresIn = expiresIn
        self.interval = interval
        self.sealedDeviceCode = sealedDeviceCode
    }
}

public enum DeviceTokenAnswer: Sendable {
    case tokens(idToken: String, accessToken: String?)
    /// A token-endpoint error (RFC 8628 §3.5), `authorization_pending` included.
    case refused(error: String, description: String?)
}

/// A person as the provider vouches for them.
public struct ProviderIdentity: Sendable {
    public let subject: String
    public var email: String?
    public var emailVerified: Bool
    public var name: String?

    public init(subject: String, email: String?, emailVerified: Bool, name: String?) {
        self.subject = subject
        self.email = email
        self.emailVerified = emailVerified
        self.name = name
    }
}

public struct ProviderUserInfo: Sendable {
    public let subject: String?
    public let email: String?
    public let emailVerified: Bool?
    public let name: String?

    public init(subject: String?, email: String?, emailVerified: Bool?, name: String?) {
        self.subject = subject
        self.email = email
        self.emailVerified = emailVerified
        self.name = name
    }
}

extension OIDCProvider {
    /// The password hash of an account that exists only through an identity provider: never a bcrypt hash, so no
    /// password signs in to it.
    public static let noPassword = "!oidc"
}
