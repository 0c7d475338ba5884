import Foundation
import GlobalStacksDomain

/// The `directory-file` provider: a directory export (JSON) the operator places on the server, for installations
/// whose identity provider is not reachable from the control plane. Shape: `{"groups": [{"id": "…", "displayName": "…"}]}`.
enum DirectoryExport {
    static let maximumBytes = 16 * 1024 * 1024
    static let maximumGroups = 100_000

    private struct Document: Decodable {
        struct Group: Decodable {
            let id: String
            let displayName: String
        }
        let groups: [Group]
    }

    /// The export must lie in the credentials directory, like credential files.
    static func groups(at path: String, _ files: CredentialResolver) throws -> [DirectoryGroup] {
        let data = try files.read(path, limit: maximumBytes, what: "directory export")
        guard let document = try? JSONDecoder().decode(Document.self, from: data) else {
            throw ExecutionError.permanent("The directory export \(path) is not JSON of the form {\"groups\": [{\"id\", \"displayName\"}]}.")
        }
        guard document.groups.count <= maximumGroups else {
            throw ExecutionError.permanent("The directory export has \(document.groups.count) groups; at most \(maximumGroups) are synced.")
        }
        var seen = Set<String>()
        return try document.groups.map { group in
            guard !group.id.isEmpty, group.id.count <= 256, seen.insert(group.id).inserted else {
                throw ExecutionError.permanent("The directory export has an empty, over-long or repeated group id '\(group.id.prefix(64))'.")
            }
            return DirectoryGroup(externalID: group.id, displayName: String(group.displayName.prefix(256)))
        }
    }
}
