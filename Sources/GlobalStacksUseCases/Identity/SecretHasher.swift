import Crypto
import Foundation

/// Stored form of high-entropy secrets (session tokens, API keys, invitation and setup tokens): SHA-256, hex.
/// A fast hash is right here because the secrets are 256 random bits; passwords use bcrypt instead.
/// Runs on every authenticated request, so the hex is written directly rather than through `String(format:)`.
public enum SecretHasher {
    private static let digits = Array("0123456789abcdef".utf8)

    public static func hash(_ secret: String) -> String {
        let digest = SHA256.hash(data: Data(secret.utf8))
        var hex = [UInt8]()
        hex.reserveCapacity(SHA256.byteCount * 2)
        for byte in digest {
            hex.append(digits[Int(byte >> 4)])
            hex.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: hex, as: UTF8.self)
    }
}
