import Foundation
import GlobalStacksDomain
import GlobalStacksUseCases

/// Reads the secret behind a provider connection's credential reference, and files executors need (a directory
/// export), inside one tenant's `CredentialNamespace`. Messages name neither values nor references (people without
/// the manage capability can read them).
struct CredentialResolver: Sendable {
    static let maximumSecretBytes = 64 * 1024

    let namespace: CredentialNamespace
    var environment: [String: String] = ProcessInfo.processInfo.environment

    init(credentialsDirectory: String?, tenantExternalID: String) {
        namespace = CredentialNamespace(credentialsDirectory: credentialsDirectory, tenantExternalID: tenantExternalID)
    }

    func secret(for reference: String) throws -> String {
        let value: String
        if reference.hasPrefix("env:") {
            let name = String(reference.dropFirst(4))
            guard name.hasPrefix(namespace.environmentPrefix) else {
                throw ExecutionError.permanent("The credential variable is outside this tenant's namespace (\(namespace.environmentPrefix)*).")
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
        guard let resolved = namespace.resolved(path) else {
            throw ExecutionError.permanent(namespace.tenantDirectory == nil
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
}
