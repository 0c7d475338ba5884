import GlobalStacksDomain
import GlobalStacksUseCases
import Metrics

/// `gstacks_operation_starts_total{type, status}` on /metrics: every outcome of the start gate.
struct OperationStartMetrics: StartOutcomeCounter {
    func count(_ outcome: StartOutcome) {
        Counter(label: "gstacks_operation_starts_total", dimensions: [("type", outcome.definition.key.rawValue), ("status", outcome.status.rawValue)]).increment()
    }
}
