import Foundation
import GlobalStacksDomain
import GlobalStacksStore

/// `provider.connection.verify`: the credential must be readable (and, for `directory-file`, the export must parse).
/// The connection becomes `connected` when it is, `needs_reauth` with the reason when it is not.
struct ProviderConnectionVerifyExecutor: OperationExecutor {
    func execute(_ context: ExecutionContext) async throws -> [String: String] {
        guard let connection = context.connection else {
            throw ExecutionError.permanent("The run has no provider connection.")
        }
        let problem: String?
        do {
            _ = try context.credentials.secret(for: connection.credentialReference)
            if connection.provider == "directory-file", let path = connection.metadata["directoryPath"] {
                _ = try DirectoryExport.groups(at: path, context.credentials)
            }
            problem = nil
        } catch ExecutionError.permanent(let message) {
            problem = message
        }
        let now = Date()
        _ = try await context.store.updateProviderConnection(id: connection.id, context.scope, at: now) { updated in
            // A person may have disabled the connection while this ran; that choice stands.
            guard updated.status == .connected || updated.status == .needsReauth else { return }
            updated.status = problem == nil ? .connected : .needsReauth
            updated.statusReason = problem ?? "Verified at \(ISO8601DateFormatter().string(from: now))."
        }
        if let problem {
            throw ExecutionError.permanent("Verification failed; the connection needs re-authorization: \(problem)")
        }
        return ["status": ProviderConnectionStatus.connected.rawValue]
    }
}
