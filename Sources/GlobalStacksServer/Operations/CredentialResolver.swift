import Foundation

/// Reads the secret behind a provider connection's credential reference (`env:NAME` or `file:/path`).
/// Secrets are returned to the executor only; errors name the reference, never the value.
struct CredentialResolver: Sendable {
    static let maximumFileBytes = 64 * 1024
    var environment: [String: String] = ProcessInfo.processInfo.environment

    func secret(for reference: String) throws -> String {
        let value: String
        if reference.hasPrefix("env:") {
            guard let variable = environment[String(reference.dropFirst(4))] else {
                throw ExecutionError.permanent("The credential variable \(reference.dropFirst(4)) is not set on the server.")
            }
            value = variable
        } else if reference.hasPrefix("file:") {
            let path = String(reference.dropFirst(5))
            guard let handle = FileHandle(forReadingAtPath: path) else {
                throw ExecutionError.permanent("The credential file \(path) cannot be read by the server.")
            }
            defer { try? handle.close() }
            let data = (try? handle.read(upToCount: Self.maximumFileBytes + 1)) ?? Data()
            guard data.count <= Self.maximumFileBytes else {
                throw ExecutionError.permanent("The credential file \(path) is larger than \(Self.maximumFileBytes / 1024) KiB.")
            }
            value = String(decoding: data, as: UTF8.self)
        } else {
            throw ExecutionError.permanent("The credential reference has an unknown form; use env:NAME or file:/path.")
        }
        let secret = value.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !secret.isEmpty else {
            throw ExecutionError.permanent("The credential behind \(reference.hasPrefix("env:") ? reference : "the credential file") is empty.")
        }
        return secret
    }
}
