extension Schema {
    /// The console's shell context: the workspace each user last chose, to restore a session whose own workspace is gone.
    static let shellContext = Migration(version: 11, name: "remembered workspace", statements: [
        "ALTER TABLE users ADD COLUMN remembered_organization_id TEXT",
    ])
}
