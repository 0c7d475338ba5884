import Crypto
import Foundation

/// Stored form of high-entropy secrets (session tokens, API keys, invitation and setup tokens): SHA-256, hex.
/// A fast hash is right here because the secrets are 256 random bits; passwords use bcrypt instead.
enum SecretHasher {
    static func hash(_ secret: String) -> String {
        SHA256.hash(data: Data(secret.utf8)).map { String(format: "%02x", $0) }.joined()
    }
}
