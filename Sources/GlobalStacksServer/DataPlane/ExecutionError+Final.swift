import GlobalStacksDomain

extension ExecutionError {
    /// The reason to record on what the run works on when this error ends the run (a permanent error, or a transient
    /// one on the last attempt); nil when the run will be tried again.
    func finalReason(attempt run: OperationRun) -> String? {
        switch self {
        case .permanent(let reason): reason
        case .transient(let reason): run.attempts >= run.maxAttempts ? reason : nil
        }
    }
}
