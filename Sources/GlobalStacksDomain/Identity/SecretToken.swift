/// A freshly generated secret (session token, API key, invitation token): 256 random bits, URL-safe.
/// The plain value is handed to the caller once; only its hash is stored.
public struct SecretToken: Sendable {
    public let value: String

    public init(value: String) {
        self.value = value
    }

    public static func generate(prefix: String = "") -> SecretToken {
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
        // 43 characters of a 64-symbol alphabet = 258 bits of entropy.
        let body = String((0..<43).map { _ in alphabet[Int(generator.next(upperBound: UInt8(64)))] })
        return SecretToken(value: prefix + body)
    }

    /// What lists show to identify the secret without revealing it.
    public var displayPrefix: String { String(value.prefix(12)) }
}
