import Foundation
import GlobalStacksDomain

/// One tenant's credential namespace: the variables `GSTACKS_CREDENTIAL_<TENANT>_*` (its external id in capitals,
/// `-` as `_`) and the files under `<credentials directory>/<tenant external id>/`. Tenant admins choose credential
/// references, so they must reach neither the server's own secrets nor another tenant's.
public struct CredentialNamespace: Sendable {
    /// Absolute and standardized; nil when the server has no credentials directory (then `file:` is refused).
    public let tenantDirectory: String?
    public let environmentPrefix: String

    public init(credentialsDirectory: String?, tenantExternalID: String) {
        self.tenantDirectory = credentialsDirectory.map {
            URL(fileURLWithPath: $0).appendingPathComponent(tenantExternalID).standardizedFileURL.resolvingSymlinksInPath().path
        }
        self.environmentPrefix = ProviderConnection.credentialVariablePrefix
            + tenantExternalID.uppercased().replacingOccurrences(of: "-", with: "_") + "_"
    }

    /// Refuses (400) a reference or file path outside the namespace, when a connection is created or changed.
    /// Messages name neither values nor references.
    public func check(reference: String?, files: [String]) throws {
        if let reference, reference.hasPrefix("env:"), !reference.dropFirst(4).hasPrefix(environmentPrefix) {
            throw DomainError.invalidInput("This tenant's credential variables are named \(environmentPrefix)*.")
        }
        let paths = files + (reference.flatMap { $0.hasPrefix("file:") ? String($0.dropFirst(5)) : nil }.map { [$0] } ?? [])
        for path in paths where resolved(path) == nil {
            throw DomainError.invalidInput(tenantDirectory.map { "Credential files of this tenant must be under \($0)/." }
                ?? "The server has no credentials directory (--credentials-dir), so connections cannot use files.")
        }
    }

    /// The path with symlinks resolved, when it lies inside the tenant's directory.
    public func resolved(_ path: String) -> String? {
        guard let tenantDirectory, path.hasPrefix("/") else { return nil }
        let resolved = URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().path
        return resolved.hasPrefix(tenantDirectory + "/") ? resolved : nil
    }
}
