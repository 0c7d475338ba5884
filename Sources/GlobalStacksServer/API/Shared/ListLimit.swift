import GlobalStacksDomain

/// A list's `limit` query value: 1 to 1,000, as the contract states (the generated types do not enforce minimum and
/// maximum); `defaultValue` when absent. Out of range is a 400, not quietly clamped, so a caller learns its mistake.
func listLimit(_ value: Int?, default defaultValue: Int = 100) throws -> Int {
    guard let value else { return defaultValue }
    guard (1...1_000).contains(value) else { throw DomainError.invalidInput("limit must be between 1 and 1000 (got \(value)).") }
    return value
}
