import Foundation

extension ExecutionContext {
    /// The record this provision run works on. The create that started the run writes it just after the start gate
    /// admitted the run, and a worker woken at once can claim the run before that: re-reading for a moment spares such a
    /// run a failed attempt and the workers' retry backoff (2 s, which the Data Plane benchmark measured on most
    /// creates). A record still missing after a second is a transient failure, retried as before.
    func recordOfRun<Record>(missing: String, _ lookup: () async throws -> Record?) async throws -> Record {
        for _ in 0..<50 {
            if let record = try await lookup() { return record }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw ExecutionError.transient(missing)
    }
}
