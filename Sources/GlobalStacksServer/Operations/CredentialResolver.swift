import Foundation
import GlobalStacksDomain

/// Reads the secret behind a provider connection's credential reference, and files executors need
/// (a directory export), within the limits the operator set: tenant admins choose references, so they must not
/// reach the server's own secrets. Only `GSTACKS_CREDENTIAL_*` environment variables and files inside the
/// configured credentials directory are readable. Errors name the reference, never a value.
struct CredentialResolver: Sendable {
    static let maximumSecretBytes = 64 * 1024

    /// Absolute, standardized; nil means `file:` references are refused.
    let directory: String?
    var environment: [String: String] = ProcessInfo.processInfo.environment

    init(directory: String?) {
        self.directory = directory.map { URL(fileURLWithPath: $0).standardizedFileURL.resolvingSymlinksInPath().path }
    }

    func secret(for reference: String) throws -> String {
        let value: String
        if reference.hasPrefix("env:") {
            let name = String(reference.dropFirst(4))
            guard name.hasPrefix(ProviderConnection.credentialVariablePrefix) else {
                throw ExecutionError.permanent("Only \(ProviderConnection.credentialVariablePrefix)* variables can hold provider credentials; \(name) is not one.")
            }
            guard let variable = environment[name] else {
                throw ExecutionError.permanent("The credential variable \(name) is not set on the server.")
            }
            value = variable
        } else if reference.hasPrefix("file:") {
            value = String(decoding: try read(String(reference.dropFirst(5)), limit: Self.maximumSecretBytes, what: "credential file"), as: UTF8.self)
        } else {
            throw ExecutionError.permanent("The credential reference has an unknown form; use env:NAME or file:/path.")
        }
        let secret = value.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !secret.isEmpty else {
            throw ExecutionError.permanent("The credential behind \(reference) is empty.")
        }
        return secret
    }

    /// Reads a file inside the credentials directory, at most `limit` bytes.
    func read(_ path: String, limit: Int, what: String) throws -> Data {
        guard let directory else {
            throw ExecutionError.permanent("The server has no credentials directory (--credentials-dir), so it reads no \(what)s.")
        }
        let resolved = URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().path
        guard resolved.hasPrefix(directory + "/") else {
            throw ExecutionError.permanent("The \(what) \(path) is outside the server's credentials directory.")
        }
        guard let handle = FileHandle(forReadingAtPath: resolved) else {
            throw ExecutionError.permanent("The \(what) \(path) cannot be read by the server.")
        }
        defer { try? handle.close() }
        let data = (try? handle.read(upToCount: limit + 1)) ?? Data()
        guard data.count <= limit else {
            throw ExecutionError.permanent("The \(what) \(path) is larger than \(limit / 1024) KiB.")
        }
        return data
    }
}
