import Foundation
import SQLKit

/// A read-only statement that runs on (nearly) every request. PostgreSQL prepares it once per connection,
/// so it is not parsed and planned again each time; SQLite runs it like any other query.
/// `sql` uses the placeholders `$1…$n`, each once and in order; every bind is text.
public protocol HotStatement: Sendable {
    static var sql: String { get }
}

extension DatabaseEngine {
    /// Runs a hot statement as an ordinary bound query (the behaviour of engines without prepared statements).
    func readHotAsQuery<Statement: HotStatement>(_ statement: Statement.Type, binds: [String]) async throws -> [any SQLRow] {
        var query = SQLQueryString("")
        var rest = Substring(Statement.sql)
        for (index, bind) in binds.enumerated() {
            let placeholder = "$\(index + 1)"
            guard let range = rest.range(of: placeholder) else { break }
            query.appendLiteral(String(rest[..<range.lowerBound]))
            query.appendInterpolation(bind: bind)
            rest = rest[range.upperBound...]
        }
        query.appendLiteral(String(rest))
        let finished = query
        return try await read { database in try await database.raw(finished).all() }
    }
}
