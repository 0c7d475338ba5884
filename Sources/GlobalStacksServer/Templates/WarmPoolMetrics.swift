import GlobalStacksUseCases
import Metrics

/// `gstacks_warm_pool_total{event}` on /metrics: sandboxes claimed from warm pools, creates that found none waiting
/// (missed), and waiting sandboxes started to refill pools.
struct WarmPoolMetrics: WarmPoolCounter {
    func count(_ event: WarmPoolEvent, _ amount: Int) {
        guard amount > 0 else { return }
        Counter(label: "gstacks_warm_pool_total", dimensions: [("event", event.rawValue)]).increment(by: amount)
    }
}
