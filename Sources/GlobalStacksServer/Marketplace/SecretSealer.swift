import Crypto
import Foundation
import GlobalStacksDomain

/// Seals extension secret settings with AES-GCM under the server's key (`secret.key.file`), so the database alone
/// never reveals them. The key file is created (0600, 32 random bytes) on first use when missing.
struct SecretSealer: Sendable {
    /// The raw key (SymmetricKey itself is not Sendable).
    private let keyBytes: Data
    private var key: SymmetricKey { SymmetricKey(data: keyBytes) }

    init(keyFile: URL) throws {
        if let data = FileManager.default.contents(atPath: keyFile.path) {
            guard data.count == 32 else {
                throw DomainError.invalidInput("The secret key file \(keyFile.path) must hold exactly 32 bytes (it holds \(data.count)).")
            }
            keyBytes = data
            return
        }
        try FileManager.default.createDirectory(at: keyFile.deletingLastPathComponent(), withIntermediateDirectories: true)
        let fresh = SymmetricKey(size: .bits256)
        let bytes = fresh.withUnsafeBytes { Data($0) }
        guard FileManager.default.createFile(atPath: keyFile.path, contents: bytes, attributes: [.posixPermissions: 0o600]) else {
            throw DomainError.unavailable("Could not create the secret key file \(keyFile.path).")
        }
        keyBytes = bytes
    }

    /// A key for another purpose (e.g. signing artifact grants), derived from the same secret so that every replica
    /// sharing `secret.key.file` agrees on it.
    func derivedKey(for purpose: String) -> SymmetricKey {
        HKDF<SHA256>.deriveKey(inputKeyMaterial: key, info: Data("globalstacks.\(purpose)".utf8), outputByteCount: 32)
    }

    func seal(_ secrets: [String: JSONValue]) throws -> String? {
        guard !secrets.isEmpty else { return nil }
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        guard let combined = try AES.GCM.seal(try encoder.encode(secrets), using: key).combined else {
            throw DomainError.unavailable("Sealing secrets failed.")
        }
        return combined.base64EncodedString()
    }

    func open(_ sealed: String?) throws -> [String: JSONValue] {
        guard let sealed else { return [:] }
        guard let data = Data(base64Encoded: sealed), let box = try? AES.GCM.SealedBox(combined: data),
              let plain = try? AES.GCM.open(box, using: key)
        else {
            throw DomainError.unavailable("The install's secrets cannot be opened with this server's secret key; was secret.key.file changed?")
        }
        return try JSONDecoder().decode([String: JSONValue].self, from: plain)
    }
}
