/// One versioned schema change.
struct Migration: Sendable {
    let version: Int
    let name: String
    let statements: [MigrationStatement]
}

/// A schema statement: plain SQL both engines accept, or one spelling per engine where their DDL differs
/// (identity columns, triggers).
enum MigrationStatement: Sendable, ExpressibleByStringLiteral {
    case shared(String)
    case perEngine(sqlite: String, postgresql: String)
    /// A statement one engine needs and the other does not.
    case only(DatabaseEngineKind, String)

    init(stringLiteral value: String) {
        self = .shared(value)
    }

    func sql(for kind: DatabaseEngineKind) -> String? {
        switch (self, kind) {
        case (.shared(let sql), _): sql
        case (.perEngine(let sqlite, _), .sqlite): sqlite
        case (.perEngine(_, let postgresql), .postgresql): postgresql
        case (.only(let engine, let sql), _): engine == kind ? sql : nil
        }
    }
}
