import Foundation
import GlobalStacksDomain

/// The automated checks run when a release is submitted. Failures refuse the submission; warnings are kept on the
/// release for the reviewer beside what passed.
struct ReleaseChecks {
    let content: any ContentStore

    func run(_ listed: ListedRelease, key: PublisherKey?) async -> [ReleaseFinding] {
        let release = listed.release
        var findings: [ReleaseFinding] = []
        func record(_ check: String, _ passed: Bool, _ detail: String, warnOnly: Bool = false) {
            findings.append(ReleaseFinding(check: check, severity: passed ? .passed : (warnOnly ? .warning : .failed), detail: detail))
        }
        for (digest, kind) in [(release.manifestDigest, "manifest"), (release.artifactDigest, "artifact")] {
            let bytes = try? await content.get(digest)
            record("\(kind).digest", bytes.map { ContentDigest.of($0) == digest } ?? false,
                   bytes == nil ? "The \(kind) content \(digest) is not stored." : "The stored \(kind) bytes hash to \(digest).")
        }
        let manifestValid = (try? await content.get(release.manifestDigest)).flatMap { $0 }.flatMap { try? JSONDecoder().decode(JSONValue.self, from: $0) }
            .map { (try? ExtensionManifest(parsing: $0)) == release.manifest } ?? false
        record("manifest.valid", manifestValid, manifestValid ? "extension.json parses, its schemas are valid and it matches the release." : "The stored manifest does not parse to the release's manifest.")
        let signed = key.map { SignatureVerifier.isValid(release.signature, by: $0, manifest: release.manifestDigest, artifact: release.artifactDigest) } ?? false
        record("signature", signed && key?.revokedAt == nil,
               signed ? "Signed by publisher key \(release.signingKeyID)\(key?.revokedAt == nil ? "" : ", which was revoked")." : "The signature does not verify.")
        let manifest = release.manifest
        record("permissions.known", true, "Asks for: \(manifest.permissionNames.isEmpty ? "nothing" : manifest.permissionNames.joined(separator: ", ")).")
        let broad = manifest.permissions.map(\.permission).filter { [.sandboxesExec, .sandboxesWrite].contains($0) }
        if !broad.isEmpty {
            record("permissions.broad", false, "Broad access asked for: \(broad.map(\.rawValue).joined(separator: ", ")); check the purposes given.", warnOnly: true)
        }
        record("egress.hosts", true, manifest.egress.isEmpty ? "No egress." : "Reaches: \(manifest.egressNames.joined(separator: ", ")).")
        let unusualPorts = manifest.egress.filter { $0.port != 443 }
        if !unusualPorts.isEmpty {
            record("egress.ports", false, "Egress on ports other than 443: \(unusualPorts.map(\.description).joined(separator: ", ")).", warnOnly: true)
        }
        record("schemas.valid", true, "\(manifest.operations.count) operation(s) with valid input and output schemas; settings schema \(manifest.settings.schema == nil ? "absent" : "valid").")
        let compatibility = Compatibility(manifest: manifest, agentCapabilities: Set(manifest.agentCapabilities))
        record("compatibility.server", compatibility.serverMissing.isEmpty,
               compatibility.serverMissing.isEmpty ? "Runs on this server (\(GlobalStacksVersion.current), \(manifest.brokerProtocol))." : compatibility.serverMissing.joined(separator: "; "),
               warnOnly: true)
        return findings
    }
}
