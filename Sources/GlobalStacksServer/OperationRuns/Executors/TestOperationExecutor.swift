import Foundation
import GlobalStacksDomain

/// The test operation types (`test.noop`, `test.connection.write`), enabled only by `--enable-test-operations`.
/// Target context: `sleepMs` (≤ 60000) to take time, `failAttempts` to fail that many first attempts transiently,
/// `fail` = `permanent` to fail at once.
struct TestOperationExecutor: OperationExecutor {
    func execute(_ context: ExecutionContext) async throws -> [String: String] {
        let target = context.run.targetContext
        if let sleep = target["sleepMs"].flatMap(Int.init), sleep > 0 {
            try await Task.sleep(for: .milliseconds(min(sleep, 60_000)))
        }
        if target["fail"] == "permanent" {
            throw ExecutionError.permanent("The test operation was asked to fail.")
        }
        if let failures = target["failAttempts"].flatMap(Int.init), context.run.attempts <= failures {
            throw ExecutionError.transient("Test failure on attempt \(context.run.attempts) of \(failures) planned.")
        }
        return ["attempt": String(context.run.attempts)]
    }
}
