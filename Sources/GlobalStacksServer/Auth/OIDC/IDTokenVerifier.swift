import Foundation
import GlobalStacksDomain
import JWTKit

/// The claims of an ID token the server reads.
struct IDTokenClaims: JWTPayload {
    let iss: String
    let sub: String
    let aud: AudienceClaim
    let exp: ExpirationClaim
    let iat: IssuedAtClaim
    let nbf: NotBeforeClaim?
    let email: String?
    let emailVerified: Bool?
    let name: String?

    enum CodingKeys: String, CodingKey {
        case iss, sub, aud, exp, iat, nbf, email, name
        case emailVerified = "email_verified"
    }

    /// The claims are checked by `IDTokenVerifier` against the provider (jwt-kit checks the signature).
    func verify(using algorithm: some JWTAlgorithm) async throws {}
}

/// Verifies ID tokens of one provider: the signature against the provider's JWKS (cached; fetched again, at most
/// once a minute, when a token names a key id it does not hold, so a key rotation needs no restart), then issuer,
/// audience, expiry, not-before and issued-at with a small clock skew.
actor IDTokenVerifier {
    let issuer: String
    let clientID: String
    let clockSkew: TimeInterval
    /// Unknown key ids fetch the keys again at most this often (a flood of made-up ids cannot hammer the provider).
    let reloadInterval: TimeInterval
    private let loadKeys: @Sendable () async throws -> JWKS
    private var keys: JWTKeyCollection?
    private var kids: Set<String> = []
    private var lastLoad: Date?

    init(issuer: String, clientID: String, clockSkew: TimeInterval = 60, reloadInterval: TimeInterval = 60, loadKeys: @escaping @Sendable () async throws -> JWKS) {
        self.issuer = issuer
        self.clientID = clientID
        self.clockSkew = clockSkew
        self.reloadInterval = reloadInterval
        self.loadKeys = loadKeys
    }

    /// The token's claims, or 401 saying which check failed.
    func verify(_ token: String, now: Date = Date()) async throws -> IDTokenClaims {
        let kid = Self.keyID(of: token)
        if keys == nil || (kid.map { !kids.contains($0) } ?? false) && (lastLoad.map { now.timeIntervalSince($0) >= reloadInterval } ?? true) {
            try await reload(now)
        }
        guard let keys else { throw DomainError.upstreamFailed("The identity provider's signing keys could not be loaded.") }
        let claims: IDTokenClaims
        do {
            claims = try await keys.verify(token, as: IDTokenClaims.self)
        } catch {
            throw DomainError.unauthenticated("The identity provider's ID token does not verify: its signature does not match the provider's published keys.")
        }
        guard claims.iss == issuer else {
            throw DomainError.unauthenticated("The ID token was issued by '\(claims.iss.prefix(200))', not by '\(issuer)'.")
        }
        guard claims.aud.value.contains(clientID) else {
            throw DomainError.unauthenticated("The ID token is meant for '\(claims.aud.value.joined(separator: ", ").prefix(200))', not for this server's client '\(clientID)'.")
        }
        guard claims.exp.value.addingTimeInterval(clockSkew) > now else {
            throw DomainError.unauthenticated("The ID token expired at \(claims.exp.value.formatted(.iso8601)).")
        }
        guard claims.iat.value.addingTimeInterval(-clockSkew) <= now, (claims.nbf.map { $0.value.addingTimeInterval(-clockSkew) <= now } ?? true) else {
            throw DomainError.unauthenticated("The ID token is dated in the future; check the clocks of this server and the provider.")
        }
        return claims
    }

    private func reload(_ now: Date) async throws {
        let jwks = try await loadKeys()
        let collection = JWTKeyCollection()
        for key in jwks.keys {
            // A key jwt-kit cannot use (an encryption key, an unknown type) is skipped, not fatal.
            _ = try? await collection.add(jwk: key)
        }
        keys = collection
        kids = Set(jwks.keys.compactMap { $0.keyIdentifier?.string })
        lastLoad = now
    }

    /// The `kid` of a token's header, read without trusting anything else of it.
    static func keyID(of token: String) -> String? {
        guard let head = token.split(separator: ".").first, let data = Data(base64URL: String(head)),
              let header = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
        else { return nil }
        return header["kid"] as? String
    }
}
