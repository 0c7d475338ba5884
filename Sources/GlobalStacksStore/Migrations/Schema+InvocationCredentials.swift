extension Schema {
    /// Extension invocations call the API with a credential of their own (kind `invocation`), limited to the
    /// permissions the tenant consented to (a JSON array); NULL for a person's credential.
    static let invocationCredentials = Migration(version: 7, name: "invocation credentials", statements: [
        "ALTER TABLE credentials ADD COLUMN permissions TEXT",
    ])
}
