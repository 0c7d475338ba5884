/// One versioned schema change. Statements are plain SQL that both SQLite and PostgreSQL accept.
struct Migration: Sendable {
    let version: Int
    let name: String
    let statements: [String]
}
