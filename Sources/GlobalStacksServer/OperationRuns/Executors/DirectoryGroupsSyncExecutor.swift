import Foundation
import GlobalStacksDomain
import GlobalStacksStore

/// `directory.groups.sync`: makes the tenant's copy of the connection's directory groups match the provider.
struct DirectoryGroupsSyncExecutor: OperationExecutor {
    func execute(_ context: ExecutionContext) async throws -> [String: String] {
        guard let connection = context.connection, let path = connection.metadata["directoryPath"] else {
            throw ExecutionError.permanent("The connection has no directoryPath setting.")
        }
        guard connection.provider == "directory-file" else {
            throw ExecutionError.permanent("Directory sync is not available for \(connection.provider) connections; use a directory-file connection.")
        }
        _ = try context.credentials.secret(for: connection.credentialReference)
        let groups = try DirectoryExport.groups(at: path, context.credentials)
        let change = try await context.store.replaceDirectoryGroups(connectionID: connection.id, context.scope, groups: groups, at: Date())
        return ["groups": String(groups.count), "added": String(change.added), "updated": String(change.updated), "removed": String(change.removed)]
    }
}
