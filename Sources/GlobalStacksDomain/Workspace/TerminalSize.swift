/// The size of an exec's pseudo-terminal.
public struct TerminalSize: Sendable, Equatable, Codable {
    public let columns: Int
    public let rows: Int

    public init(columns: Int, rows: Int) {
        self.columns = columns
        self.rows = rows
    }

    public var isValid: Bool { (1...1_000).contains(columns) && (1...1_000).contains(rows) }
}
