import Foundation

/// An OpenID provider people may sign in with by the device authorization grant (RFC 8628), as the operator
/// configured it (`oidc.providers.file`, docs/oidc.md).
public struct OIDCProvider: Sendable, Equatable, Codable {
    /// How a signed-in identity finds its account.
    public enum Matching: String, Sendable, Codable {
        /// The provider's verified email is the account's email; the link to the subject is kept after that.
        case email
        /// Only a subject linked before (by an earlier email match, or an account created by this provider).
        case subject
    }

    /// The name people and the CLI use (`gstacks login --oidc corp`).
    public let name: String
    public let displayName: String?
    public let issuer: String
    public let clientId: String
    /// A file holding the client secret, for confidential clients (HTTP Basic at the provider); none for public ones.
    public let clientSecretFile: String?
    public let scopes: [String]
    public let matching: Matching
    /// Creates an account (without a password) on the first sign-in of an identity that matches none.
    public let createUsers: Bool

    /// A non-loopback issuer must use https.
    public static func parse(_ data: Data) throws -> [OIDCProvider] {
        let providers: [OIDCProvider]
        do {
            providers = try JSONDecoder().decode([Partial].self, from: data).map { try $0.checked() }
        } catch let error as DomainError {
            throw error
        } catch {
            throw DomainError.invalidInput("The OIDC providers file must be a JSON array of {name, issuer, clientId, ...}: \(error)")
        }
        guard Set(providers.map(\.name)).count == providers.count else {
            throw DomainError.invalidInput("The OIDC providers file names a provider twice.")
        }
        return providers
    }

    /// The file's form, with defaults.
    private struct Partial: Decodable {
        let name: String
        let displayName: String?
        let issuer: String
        let clientId: String
        let clientSecretFile: String?
        let scopes: [String]?
        let matching: Matching?
        let createUsers: Bool?

        func checked() throws -> OIDCProvider {
            guard (1...40).contains(name.count), name.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-") }) else {
                throw DomainError.invalidInput("OIDC provider name '\(name.prefix(40))' must be 1 to 40 lower-case letters, digits and '-'.")
            }
            let trimmed = issuer.hasSuffix("/") ? String(issuer.dropLast()) : issuer
            guard let url = URL(string: trimmed), let scheme = url.scheme?.lowercased(), let host = url.host,
                  scheme == "https" || (scheme == "http" && ["127.0.0.1", "localhost", "::1"].contains(host))
            else {
                throw DomainError.invalidInput("OIDC provider '\(name)': issuer must be an https URL (http only on loopback, for tests).")
            }
            guard !clientId.isEmpty else { throw DomainError.invalidInput("OIDC provider '\(name)': clientId is required.") }
            let scopes = self.scopes ?? ["openid", "email", "profile"]
            guard scopes.contains("openid") else { throw DomainError.invalidInput("OIDC provider '\(name)': scopes must include openid.") }
            return OIDCProvider(
                name: name, displayName: displayName, issuer: trimmed, clientId: clientId, clientSecretFile: clientSecretFile, scopes: scopes,
                matching: matching ?? .email, createUsers: createUsers ?? false
            )
        }
    }
}

/// One device-code sign-in under way: begun by a client, approved (or not) by a person at the provider, completed
/// once by `createSession` with the `oidc_device_code` strategy.
public struct DeviceLogin: Sendable, Equatable {
    public enum Status: String, Sendable, Codable {
        case pending, approved, denied, expired
    }

    public let id: String
    public let provider: String
    public let userCode: String
    public let verificationURI: String
    public let verificationURIComplete: String?
    public let expiresAt: Date
    /// Seconds between polls of the provider (raised by `slow_down`).
    public var interval: Int
    public var nextPollAt: Date
    public var status: Status
    /// Why it is denied or expired, in words for the person.
    public var message: String?
    public var userID: UserID?
    /// The provider's device code, sealed by the server.
    public let sealedDeviceCode: String

    public init(
        id: String, provider: String, userCode: String, verificationURI: String, verificationURIComplete: String?, expiresAt: Date, interval: Int,
        nextPollAt: Date, status: Status, message: String?, userID: UserID?, sealedDeviceCode: String
    ) {
        self.id = id
        self.provider = provider
        self.userCode = userCode
        self.verificationURI = verificationURI
        self.verificationURIComplete = verificationURIComplete
        self.expiresAt = expiresAt
        self.interval = interval
        self.nextPollAt = nextPollAt
        self.status = status
        self.message = message
        self.userID = userID
        self.sealedDeviceCode = sealedDeviceCode
    }

    /// What a token-endpoint error means for the sign-in (RFC 8628 §3.5), and what the person reads.
    public static func outcome(ofTokenError error: String, description: String?) -> (Status, String?, intervalIncrease: Int) {
        switch error {
        case "authorization_pending": (.pending, nil, 0)
        case "slow_down": (.pending, nil, 5)
        case "access_denied": (.denied, "The sign-in was denied at the identity provider.", 0)
        case "expired_token": (.expired, "The sign-in code expired before it was approved; start again with gstacks login --oidc.", 0)
        case "invalid_grant": (.expired, "The identity provider no longer knows this sign-in code (expired or used); start again.", 0)
        default: (.denied, "The identity provider refused the sign-in: \(error)\(description.map { " (\($0.prefix(200)))" } ?? "").", 0)
        }
    }
}
