import AsyncHTTPClient
import Foundation
import GlobalStacksDomain
import JWTKit
import NIOCore
import NIOHTTP1

/// How the server talks to one OpenID provider: discovery from the issuer (cached for an hour), the device
/// authorization and token requests of RFC 8628, UserInfo, and ID token verification (`IDTokenVerifier`). Every
/// answer is bounded in size and time; an unreachable or malformed provider is a 502 that names it.
actor OIDCProviderClient {
    struct Discovery: Decodable {
        let issuer: String
        let deviceAuthorizationEndpoint: String
        let tokenEndpoint: String
        let userinfoEndpoint: String?
        let jwksUri: String

        enum CodingKeys: String, CodingKey {
            case issuer
            case deviceAuthorizationEndpoint = "device_authorization_endpoint"
            case tokenEndpoint = "token_endpoint"
            case userinfoEndpoint = "userinfo_endpoint"
            case jwksUri = "jwks_uri"
        }
    }

    struct DeviceAuthorization: Decodable {
        let deviceCode: String
        let userCode: String
        let verificationUri: String
        let verificationUriComplete: String?
        let expiresIn: Int
        let interval: Int?

        enum CodingKeys: String, CodingKey {
            case deviceCode = "device_code", userCode = "user_code", verificationUri = "verification_uri"
            case verificationUriComplete = "verification_uri_complete", expiresIn = "expires_in", interval
        }
    }

    enum TokenAnswer {
        case tokens(idToken: String, accessToken: String?)
        case refused(error: String, description: String?)
    }

    let provider: OIDCProvider
    private let clientSecret: String?
    private var discovery: (document: Discovery, fetchedAt: Date)?
    private var verifier: IDTokenVerifier?
    static let timeout: TimeAmount = .seconds(10)
    static let maximumAnswerBytes = 1 << 20

    init(_ provider: OIDCProvider) throws {
        self.provider = provider
        if let file = provider.clientSecretFile {
            guard let secret = try? String(contentsOfFile: file, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines), !secret.isEmpty else {
                throw DomainError.invalidInput("OIDC provider '\(provider.name)': its clientSecretFile \(file) cannot be read or is empty.")
            }
            clientSecret = secret
        } else {
            clientSecret = nil
        }
    }

    func deviceAuthorization() async throws -> DeviceAuthorization {
        let endpoints = try await discovered()
        let (status, body) = try await post(endpoints.deviceAuthorizationEndpoint, form: ["scope": provider.scopes.joined(separator: " ")])
        guard status == 200, let answer = try? JSONDecoder().decode(DeviceAuthorization.self, from: body) else {
            throw DomainError.upstreamFailed("The identity provider '\(provider.name)' refused to begin a device sign-in (HTTP \(status): \(Self.errorText(body))).")
        }
        return answer
    }

    func token(deviceCode: String) async throws -> TokenAnswer {
        let endpoints = try await discovered()
        let (status, body) = try await post(endpoints.tokenEndpoint, form: [
            "grant_type": "urn:ietf:params:oauth:grant-type:device_code", "device_code": deviceCode,
        ])
        let object = (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] ?? [:]
        if status == 200, let idToken = object["id_token"] as? String {
            return .tokens(idToken: idToken, accessToken: object["access_token"] as? String)
        }
        if let error = object["error"] as? String {
            return .refused(error: String(error.prefix(100)), description: object["error_description"] as? String)
        }
        throw DomainError.upstreamFailed("The identity provider '\(provider.name)' answered the token request with HTTP \(status) and no ID token.")
    }

    /// What UserInfo says (where some providers put the email).
    struct UserInfo: Sendable {
        let subject: String?
        let email: String?
        let emailVerified: Bool?
        let name: String?
    }

    /// The UserInfo claims, or none when the provider has no UserInfo.
    func userinfo(accessToken: String) async throws -> UserInfo {
        guard let endpoint = try await discovered().userinfoEndpoint else { return UserInfo(subject: nil, email: nil, emailVerified: nil, name: nil) }
        var request = HTTPClientRequest(url: endpoint)
        request.headers.add(name: "Authorization", value: "Bearer \(accessToken)")
        request.headers.add(name: "Accept", value: "application/json")
        let (status, body) = try await execute(request)
        guard status == 200, let object = try? JSONSerialization.jsonObject(with: body) as? [String: Any] else {
            throw DomainError.upstreamFailed("The identity provider '\(provider.name)' refused UserInfo (HTTP \(status)).")
        }
        return UserInfo(subject: object["sub"] as? String, email: object["email"] as? String, emailVerified: object["email_verified"] as? Bool, name: object["name"] as? String)
    }

    func verify(idToken: String) async throws -> IDTokenClaims {
        if verifier == nil {
            let jwksURI = try await discovered().jwksUri
            verifier = IDTokenVerifier(issuer: provider.issuer, clientID: provider.clientId) { [weak self] in
                guard let self else { throw CancellationError() }
                return try await self.keys(jwksURI)
            }
        }
        return try await verifier!.verify(idToken)
    }

    private func keys(_ uri: String) async throws -> JWKS {
        let (status, body) = try await execute(HTTPClientRequest(url: uri))
        guard status == 200, let jwks = try? JSONDecoder().decode(JWKS.self, from: body) else {
            throw DomainError.upstreamFailed("The identity provider '\(provider.name)' did not serve its keys (\(uri), HTTP \(status)).")
        }
        return jwks
    }

    private func discovered(now: Date = Date()) async throws -> Discovery {
        if let discovery, now.timeIntervalSince(discovery.fetchedAt) < 3_600 { return discovery.document }
        let url = provider.issuer + "/.well-known/openid-configuration"
        let (status, body) = try await execute(HTTPClientRequest(url: url))
        guard status == 200, let document = try? JSONDecoder().decode(Discovery.self, from: body) else {
            throw DomainError.upstreamFailed("The identity provider '\(provider.name)' has no usable discovery document at \(url) (HTTP \(status)); it must offer the device authorization grant.")
        }
        guard document.issuer == provider.issuer else {
            throw DomainError.upstreamFailed("The identity provider at \(url) calls itself '\(document.issuer.prefix(200))', not the configured issuer '\(provider.issuer)'.")
        }
        discovery = (document, now)
        return document
    }

    /// A form POST as the client: a confidential client authenticates with HTTP Basic, a public one sends its id.
    private func post(_ url: String, form: [String: String]) async throws -> (Int, Data) {
        var fields = form
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.headers.add(name: "Accept", value: "application/json")
        if let clientSecret {
            let pair = Self.formEncoded(provider.clientId) + ":" + Self.formEncoded(clientSecret)
            request.headers.add(name: "Authorization", value: "Basic " + Data(pair.utf8).base64EncodedString())
        } else {
            fields["client_id"] = provider.clientId
        }
        let body = fields.sorted { $0.key < $1.key }.map { "\($0.key)=\(Self.formEncoded($0.value))" }.joined(separator: "&")
        request.body = .bytes(ByteBuffer(string: body))
        return try await execute(request)
    }

    private func execute(_ request: HTTPClientRequest) async throws -> (Int, Data) {
        do {
            let response = try await HTTPClient.shared.execute(request, timeout: Self.timeout)
            let body = try await response.body.collect(upTo: Self.maximumAnswerBytes)
            return (Int(response.status.code), Data(body.readableBytesView))
        } catch let error as DomainError {
            throw error
        } catch {
            throw DomainError.upstreamFailed("The identity provider '\(provider.name)' could not be reached (\(error)).")
        }
    }

    static func formEncoded(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }

    static func errorText(_ body: Data) -> String {
        let object = (try? JSONSerialization.jsonObject(with: body)) as? [String: Any]
        return String(((object?["error_description"] ?? object?["error"]) as? String ?? String(decoding: body.prefix(200), as: UTF8.self)).prefix(200))
    }
}
