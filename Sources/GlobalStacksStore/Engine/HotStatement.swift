/// A read-only statement that runs on (nearly) every request. PostgreSQL prepares it once per connection,
/// so it is not parsed and planned again each time; SQLite runs it like any other query.
/// `sql` uses the placeholders `$1…$n`, each once and in order; every bind is text.
protocol HotStatement: Sendable {
    static var sql: String { get }
}
