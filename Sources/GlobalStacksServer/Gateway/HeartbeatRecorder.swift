import Foundation
import GlobalStacksDomain
import GlobalStacksStore
import Logging
import Metrics
import ServiceLifecycle
import Synchronization

/// Collects agents' heartbeats in memory and writes them in one transaction per second, so thousands of agents
/// heartbeating every 10 s cost a few writes a second, not one per heartbeat. Also marks agents that stopped
/// heartbeating offline.
final class HeartbeatRecorder: Service, Sendable {
    /// An agent not heard from for this long is offline (three missed 10 s heartbeats).
    static let silenceLimit: TimeInterval = 30

    private let store: any AgentPresenceRepository
    private let logger: Logger
    private let flushInterval: TimeInterval
    /// Ends when the schema is migrated; nothing is written before.
    private let startAfter: StartupGate
    private let pending = Mutex<[AgentID: Date]>([:])
    private static let lag = Gauge(label: "gstacks_agent_heartbeat_lag_seconds")
    private static let recorded = Counter(label: "gstacks_agent_heartbeats_recorded_total")

    init(store: any AgentPresenceRepository, startAfter: StartupGate, logger: Logger, flushInterval: TimeInterval = 1) {
        self.store = store
        self.startAfter = startAfter
        self.logger = logger
        self.flushInterval = flushInterval
    }

    func record(_ agent: AgentID, at time: Date = Date()) {
        pending.withLock { $0[agent] = time }
    }

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await self.startAfter.wait()
        }
        var lastSweep = Date.distantPast
        while true {
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(self.flushInterval)) }
            guard !Task.isShuttingDownGracefully, !Task.isCancelled else { break }
            await flush()
            if Date().timeIntervalSince(lastSweep) >= 5 {
                lastSweep = Date()
                do {
                    let silent = try await store.markSilentAgentsOffline(notHeardSince: Date().addingTimeInterval(-Self.silenceLimit), at: Date())
                    if !silent.isEmpty {
                        logger.notice("Agents stopped heartbeating and are offline", metadata: ["agent_ids": "\(silent.map(\.rawValue))"])
                    }
                } catch {
                    logger.error("Marking silent agents offline failed", metadata: ["error": "\(error)"])
                }
            }
        }
        await flush()
    }

    func flush() async {
        let batch = pending.withLock { batch in defer { batch.removeAll() }; return batch }
        guard !batch.isEmpty else { return }
        do {
            try await store.recordHeartbeats(batch)
            // How long the oldest heartbeat of the batch waited to be committed (flush interval + write time).
            if let oldest = batch.values.min() {
                Self.lag.record(Date().timeIntervalSince(oldest))
            }
            Self.recorded.increment(by: batch.count)
        } catch {
            logger.error("Recording heartbeats failed; they are retried with the next batch", metadata: ["error": "\(error)", "agents": "\(batch.count)"])
            pending.withLock { current in current.merge(batch) { newer, _ in newer } }
        }
    }
}
