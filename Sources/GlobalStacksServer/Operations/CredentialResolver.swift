import Foundation
import GlobalStacksDomain

/// Reads the secret behind a provider connection's credential reference, and files executors need (a directory
/// export), inside one tenant's namespace: tenant admins choose references, so they must reach neither the server's
/// own secrets nor another tenant's. A tenant's namespace is the variables `GSTACKS_CREDENTIAL_<TENANT>_*` (its
/// external id in capitals, `-` as `_`) and the files under `<credentials directory>/<tenant external id>/`.
/// Messages name neither values nor references (people without the manage capability can read them).
struct CredentialResolver: Sendable {
    static let maximumSecretBytes = 64 * 1024

    /// Absolute and standardized; nil when the server has no credentials directory (then `file:` is refused).
    let tenantDirectory: String?
    let environmentPrefix: String
    var environment: [String: String] = ProcessInfo.processInfo.environment

    init(credentialsDirectory: String?, tenantExternalID: String) {
        self.tenantDirectory = credentialsDirectory.map {
            URL(fileURLWithPath: $0).appendingPathComponent(tenantExternalID).standardizedFileURL.resolvingSymlinksInPath().path
        }
        self.environmentPrefix = ProviderConnection.credentialVariablePrefix
            + tenantExternalID.uppercased().replacingOccurrences(of: "-", with: "_") + "_"
    }

    /// Refuses (400) a reference or file path outside the tenant's namespace, when a connection is created or changed.
    func checkNamespace(reference: String?, files: [String]) throws {
        if let reference, reference.hasPrefix("env:"), !reference.dropFirst(4).hasPrefix(environmentPrefix) {
            throw DomainError.invalidInput("This tenant's credential variables are named \(environmentPrefix)*.")
        }
        let paths = files + (reference.flatMap { $0.hasPrefix("file:") ? String($0.dropFirst(5)) : nil }.map { [$0] } ?? [])
        for path in paths where inNamespace(path) == nil {
            throw DomainError.invalidInput(tenantDirectory.map { "Credential files of this tenant must be under \($0)/." }
                ?? "The server has no credentials directory (--credentials-dir), so connections cannot use files.")
        }
    }

    func secret(for reference: String) throws -> String {
        let value: String
        if reference.hasPrefix("env:") {
            let name = String(reference.dropFirst(4))
            guard name.hasPrefix(environmentPrefix) else {
                throw ExecutionError.permanent("The credential variable is outside this tenant's namespace (\(environmentPrefix)*).")
            }
            guard let variable = environment[name] else {
                throw ExecutionError.permanent("The credential variable is not set on the server.")
            }
            value = variable
        } else if reference.hasPrefix("file:") {
            value = String(decoding: try read(String(reference.dropFirst(5)), limit: Self.maximumSecretBytes, what: "credential file"), as: UTF8.self)
        } else {
            throw ExecutionError.permanent("The credential reference has an unknown form; use env:NAME or file:/path.")
        }
        let secret = value.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !secret.isEmpty else {
            throw ExecutionError.permanent("The credential is empty.")
        }
        return secret
    }

    /// Reads a file of the tenant's namespace, at most `limit` bytes.
    func read(_ path: String, limit: Int, what: String) throws -> Data {
        guard let resolved = inNamespace(path) else {
            throw ExecutionError.permanent(tenantDirectory == nil
                ? "The server has no credentials directory (--credentials-dir), so it reads no \(what)s."
                : "The \(what) is outside this tenant's credentials directory.")
        }
        guard let handle = FileHandle(forReadingAtPath: resolved) else {
            throw ExecutionError.permanent("The \(what) cannot be read by the server.")
        }
        defer { try? handle.close() }
        let data = (try? handle.read(upToCount: limit + 1)) ?? Data()
        guard data.count <= limit else {
            throw ExecutionError.permanent("The \(what) is larger than \(limit / 1024) KiB.")
        }
        return data
    }

    /// The path with symlinks resolved, when it lies inside the tenant's directory.
    private func inNamespace(_ path: String) -> String? {
        guard let tenantDirectory, path.hasPrefix("/") else { return nil }
        let resolved = URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().path
        return resolved.hasPrefix(tenantDirectory + "/") ? resolved : nil
    }
}
