/// Runs `work` to the end even when the calling task is cancelled. Ending a transaction (COMMIT or ROLLBACK) must
/// never be skipped: SQLiteNIO does not run a statement submitted by a cancelled task, and PostgresNIO refuses to
/// start one, which would leave the connection inside the transaction. An unstructured task does not inherit the
/// caller's cancellation, and awaiting its value does not cancel it.
func uncancellable<T: Sendable>(_ work: @escaping @Sendable () async throws -> T) async throws -> T {
    try await Task { try await work() }.value
}
