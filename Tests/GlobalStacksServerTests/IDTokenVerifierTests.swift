import Foundation
import GlobalStacksDomain
import JWTKit
import Testing
@testable import GlobalStacksServer

/// ID tokens are verified for real: signature against the provider's JWKS (ES256 keys made here), issuer, audience,
/// expiry and issued-at; a key rotation is picked up by fetching the keys again.
@Suite("OIDC ID token verification")
struct IDTokenVerifierTests {
    struct Claims: JWTPayload {
        var iss = "https://id.example.com"
        var sub = "user-1"
        var aud: AudienceClaim = "gstacks-cli"
        var exp = ExpirationClaim(value: Date().addingTimeInterval(600))
        var iat = IssuedAtClaim(value: Date())
        var email: String? = "ada@example.com"

        func verify(using algorithm: some JWTAlgorithm) async throws {}
    }

    /// A signing key and the JWKS that publishes its public half under `kid`.
    struct Key {
        let kid: String
        let privateKey = ES256PrivateKey()

        var jwk: [String: String] {
            let parameters = privateKey.parameters!
            return ["kty": "EC", "crv": "P-256", "kid": kid, "alg": "ES256", "use": "sig", "x": parameters.x, "y": parameters.y]
        }

        func sign(_ claims: Claims) async throws -> String {
            try await JWTKeyCollection().add(ecdsa: privateKey, kid: JWKIdentifier(string: kid)).sign(claims, kid: JWKIdentifier(string: kid))
        }
    }

    final class Published: @unchecked Sendable {
        var keys: [Key]
        var loads = 0

        init(_ keys: [Key]) {
            self.keys = keys
        }

        func jwks() throws -> JWKS {
            loads += 1
            return try JSONDecoder().decode(JWKS.self, from: JSONSerialization.data(withJSONObject: ["keys": keys.map(\.jwk)]))
        }
    }

    static func verifier(_ published: Published, reloadInterval: TimeInterval = 60) -> IDTokenVerifier {
        IDTokenVerifier(issuer: "https://id.example.com", clientID: "gstacks-cli", reloadInterval: reloadInterval) { try published.jwks() }
    }

    static func refusal(_ verifier: IDTokenVerifier, _ token: String) async -> String? {
        do {
            _ = try await verifier.verify(token)
            return nil
        } catch let error as DomainError {
            #expect(error.kind == .unauthenticated)
            return error.message
        } catch {
            return "\(error)"
        }
    }

    @Test func aGenuineTokenVerifiesAndEveryBrokenOneIsRefusedWithItsReason() async throws {
        let key = Key(kid: "k1")
        let verifier = Self.verifier(Published([key]))
        let claims = try await verifier.verify(try await key.sign(Claims()))
        #expect(claims.sub == "user-1" && claims.email == "ada@example.com")

        let forger = Key(kid: "k1")  // the same key id, another key: a forged signature
        #expect(await Self.refusal(verifier, try await forger.sign(Claims()))?.contains("signature") == true)
        var other = Claims()
        other.aud = "someone-else"
        #expect(await Self.refusal(verifier, try await key.sign(other))?.contains("meant for 'someone-else'") == true)
        var expired = Claims()
        expired.exp = ExpirationClaim(value: Date().addingTimeInterval(-300))
        #expect(await Self.refusal(verifier, try await key.sign(expired))?.contains("expired") == true)
        var skewed = Claims()
        skewed.exp = ExpirationClaim(value: Date().addingTimeInterval(-30))
        #expect(await Self.refusal(verifier, try await key.sign(skewed)) == nil, "within the clock skew")
        var issuer = Claims()
        issuer.iss = "https://evil.example.com"
        #expect(await Self.refusal(verifier, try await key.sign(issuer))?.contains("issued by 'https://evil.example.com'") == true)
        var future = Claims()
        future.iat = IssuedAtClaim(value: Date().addingTimeInterval(600))
        #expect(await Self.refusal(verifier, try await key.sign(future))?.contains("future") == true)
        #expect(await Self.refusal(verifier, "not.a.token") != nil)
    }

    @Test func aRotatedKeyIsFetchedWhenATokenNamesIt() async throws {
        let old = Key(kid: "old")
        let published = Published([old])
        let verifier = Self.verifier(published, reloadInterval: 0)
        _ = try await verifier.verify(try await old.sign(Claims()))
        #expect(published.loads == 1)
        _ = try await verifier.verify(try await old.sign(Claims()))
        #expect(published.loads == 1, "keys are cached")
        let new = Key(kid: "new")
        published.keys = [old, new]
        _ = try await verifier.verify(try await new.sign(Claims()))
        #expect(published.loads == 2, "an unknown key id loads the keys again")
        let throttled = Self.verifier(Published([old]))
        _ = try await throttled.verify(try await old.sign(Claims()))
        #expect(await Self.refusal(throttled, try await new.sign(Claims())) != nil, "within the reload interval an unknown key id is refused, not fetched")
    }
}
