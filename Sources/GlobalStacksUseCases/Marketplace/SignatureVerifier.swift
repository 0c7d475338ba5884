import Crypto
import Foundation
import GlobalStacksDomain

/// Ed25519 checks of publisher keys and release signatures (`PublisherKey.signedMessage`).
enum SignatureVerifier {
    /// A base64 raw 32-byte Ed25519 public key, or 400 naming the field.
    static func publicKey(_ base64: String, field: String = "publicKey") throws -> Data {
        guard let raw = Data(base64Encoded: base64), (try? Curve25519.Signing.PublicKey(rawRepresentation: raw)) != nil else {
            throw DomainError.invalidInput("\(field) must be a base64 raw 32-byte Ed25519 public key.")
        }
        return raw
    }

    static func isValid(_ signature: Data, by key: PublisherKey, manifest: ContentDigest, artifact: ContentDigest) -> Bool {
        guard let publicKey = try? Curve25519.Signing.PublicKey(rawRepresentation: key.publicKey) else { return false }
        return publicKey.isValidSignature(signature, for: PublisherKey.signedMessage(manifest: manifest, artifact: artifact))
    }

    /// Refuses a signature that does not verify, or a revoked key, with what to do.
    static func require(_ signature: Data, by key: PublisherKey, manifest: ContentDigest, artifact: ContentDigest) throws {
        if let reason = key.revokedReason ?? key.revokedAt.map({ _ in "revoked" }) {
            throw DomainError.forbidden("Publisher key \(key.id) was revoked (\(reason)); sign with another registered key.")
        }
        guard isValid(signature, by: key, manifest: manifest, artifact: artifact) else {
            throw DomainError.invalidInput("signature does not verify with publisher key \(key.id) over the manifest and artifact digests; sign 'globalstacks.release.v1\\n<manifestDigest>\\n<artifactDigest>\\n' with that key.")
        }
    }
}
