import Crypto
import Foundation
import GlobalStacksDomain
import GlobalStacksUseCases

/// Credentials with which an agent fetches one artifact for one invocation: `gsg_<run id>.<digest hex>.<expiry>.<mac>`,
/// an HMAC-SHA256 under a key derived from the server's secret key (every replica can check it; nothing is stored).
/// Valid for that digest only, until the invocation's deadline.
struct ArtifactGrants: Sendable {
    static let prefix = SecretPrefix.artifactGrant
    private let keyBytes: Data

    init(sealer: SecretSealer) {
        keyBytes = sealer.derivedKey(for: "artifact-grant").withUnsafeBytes { Data($0) }
    }

    func issue(run: OperationRunID, digest: ContentDigest, expiresAt: Date) -> String {
        let body = "\(run.rawValue).\(digest.rawValue.dropFirst(7)).\(Int(expiresAt.timeIntervalSince1970))"
        return Self.prefix + body + "." + mac(body)
    }

    /// Whether `token` grants `digest` now.
    func permits(_ token: String, digest: ContentDigest, at now: Date) -> Bool {
        guard token.hasPrefix(Self.prefix) else { return false }
        let parts = token.dropFirst(Self.prefix.count).split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4, let expiry = TimeInterval(parts[2]), now.timeIntervalSince1970 <= expiry,
              "sha256:" + parts[1] == digest.rawValue
        else { return false }
        let body = parts[0...2].joined(separator: ".")
        guard let given = Data(base64URL: String(parts[3])) else { return false }
        return HMAC<SHA256>.isValidAuthenticationCode(given, authenticating: Data(body.utf8), using: SymmetricKey(data: keyBytes))
    }

    private func mac(_ body: String) -> String {
        Data(HMAC<SHA256>.authenticationCode(for: Data(body.utf8), using: SymmetricKey(data: keyBytes))).base64URL
    }
}

extension Data {
    var base64URL: String {
        base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    init?(base64URL text: String) {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        self.init(base64Encoded: base64)
    }
}
