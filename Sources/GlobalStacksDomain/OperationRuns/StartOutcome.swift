/// The start gate's answer, in the contract's evaluation order: blocked → deduped → scope_busy → accepted.
public enum StartOutcomeStatus: String, Sendable, CaseIterable {
    case accepted
    case deduped
    case scopeBusy = "scope_busy"
    case blocked
}

/// What one start attempt produced: the status, the run it refers to (the new, blocked, deduped-against
/// or scope-holding run) and the words for the operator.
public struct StartOutcome: Sendable, Equatable {
    public let status: StartOutcomeStatus
    public let definition: OperationTypeDefinition.Summary
    public let run: OperationRun
    public let connection: ProviderConnection?
    public let reason: RunReason?

    public init(status: StartOutcomeStatus, definition: OperationTypeDefinition, run: OperationRun, connection: ProviderConnection?, reason: RunReason?) {
        self.status = status
        self.definition = definition.summary
        self.run = run
        self.connection = connection
        self.reason = reason
    }

    /// One sentence a person can act on.
    public var operatorMessage: String {
        let action = "\(definition.operatorVerb) \(definition.operatorTarget)"
        switch status {
        case .accepted:
            return "\(action): queued as run \(run.id)."
        case .deduped:
            return "\(action) is already \(run.executionStatus.rawValue) as run \(run.id); no second run was started."
        case .scopeBusy:
            return "\(action) was not started: run \(run.id) (\(run.operationType)) is \(run.executionStatus.rawValue) on the same provider connection. Start it again when that run finishes."
        case .blocked:
            return reason.map { "\(action) was not started. \($0.shortReason)" } ?? "\(action) was not started."
        }
    }
}

extension OperationTypeDefinition {
    /// The parts of a definition that outcomes and messages need (definitions are not Equatable).
    public struct Summary: Sendable, Equatable {
        public let key: OperationTypeKey
        public let operatorVerb: String
        public let operatorTarget: String
    }

    public var summary: Summary {
        Summary(key: key, operatorVerb: operatorVerb, operatorTarget: operatorTarget)
    }
}
