import GlobalStacksDomain

extension ExecutionError {
    /// The reason to record on what the run works on when `error` ends the run: a permanent error, or any other on the
    /// last attempt (the worker counts those as transient); nil when the run will be tried again.
    static func finalReason(of error: any Error, attempt run: OperationRun) -> String? {
        let lastAttempt = run.attempts >= run.maxAttempts
        switch error {
        case ExecutionError.permanent(let reason): return reason
        case ExecutionError.transient(let reason): return lastAttempt ? reason : nil
        case let refusal as DomainError: return lastAttempt ? refusal.message : nil
        default: return lastAttempt ? "\(error)" : nil
        }
    }
}
