import Crypto
import Foundation
import GlobalStacksDomain
import GlobalStacksUseCases

/// Credentials with which an agent fetches one artifact for one invocation, or a template's archive (or build context)
/// for one sandbox or build, or uploads one build's archive: `gsg_<purpose><subject>.<digest hex | upload>.<expiry>.<mac>`,
/// an HMAC-SHA256 under a key derived from the server's secret key (every replica can check it; nothing is stored).
/// Valid for that digest (or upload) only, for its purpose only (a template's grant opens no invocation's artifact
/// endpoint), until its deadline.
struct ArtifactGrants: Sendable {
    static let prefix = SecretPrefix.artifactGrant
    private let keyBytes: Data

    init(sealer: SecretSealer) {
        keyBytes = sealer.derivedKey(for: "artifact-grant").withUnsafeBytes { Data($0) }
    }

    /// What a grant is for: the first letter of its subject.
    enum Purpose: String {
        case invocation = "r"
        case template = "t"
        case upload = "u"
    }

    func issue(run: OperationRunID, digest: ContentDigest, expiresAt: Date) -> String {
        issue(subject: Purpose.invocation.rawValue + "\(run.rawValue)", object: digest.hex, expiresAt: expiresAt)
    }

    /// A template's archive (or a build's context) for one sandbox or build (`subject`, an id).
    func issueTemplate(subject: String, digest: ContentDigest, expiresAt: Date) -> String {
        issue(subject: Purpose.template.rawValue + subject, object: digest.hex, expiresAt: expiresAt)
    }

    /// The upload of one build's (or snapshot's) archive.
    func issueUpload(build: TemplateBuildID, expiresAt: Date) -> String {
        issue(subject: Purpose.upload.rawValue + build.rawValue, object: Self.uploadObject, expiresAt: expiresAt)
    }

    /// Whether `token` grants uploading `build`'s archive now.
    func permitsUpload(_ token: String, build: TemplateBuildID, at now: Date) -> Bool {
        guard let (subject, object) = verified(token, at: now) else { return false }
        return subject == Purpose.upload.rawValue + build.rawValue && object == Self.uploadObject
    }

    private static let uploadObject = "upload"

    private func issue(subject: String, object: String, expiresAt: Date) -> String {
        let body = "\(subject).\(object).\(Int(expiresAt.timeIntervalSince1970))"
        return Self.prefix + body + "." + mac(body)
    }

    /// Whether `token` grants `digest` now, for `purpose`.
    func permits(_ token: String, digest: ContentDigest, for purpose: Purpose, at now: Date) -> Bool {
        guard let (subject, object) = verified(token, at: now) else { return false }
        return object == digest.hex && subject.hasPrefix(purpose.rawValue)
    }

    /// The subject and object of a token whose MAC holds and whose expiry has not passed.
    private func verified(_ token: String, at now: Date) -> (subject: String, object: String)? {
        guard token.hasPrefix(Self.prefix) else { return nil }
        let parts = token.dropFirst(Self.prefix.count).split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4, let expiry = TimeInterval(parts[2]), now.timeIntervalSince1970 <= expiry else { return nil }
        let body = parts[0...2].joined(separator: ".")
        guard let given = Data(base64URL: String(parts[3])),
              HMAC<SHA256>.isValidAuthenticationCode(given, authenticating: Data(body.utf8), using: SymmetricKey(data: keyBytes))
        else { return nil }
        return (String(parts[0]), String(parts[1]))
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
