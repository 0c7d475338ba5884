import Foundation
import GlobalStacksDomain
import GlobalStacksStore
import GlobalStacksUseCases
import Logging
import Metrics
import ServiceLifecycle

/// Settings of the run workers.
public struct WorkerSettings: Sendable {
    /// Concurrent workers in this process (each runs one attempt at a time).
    public var count = 2
    /// How long a claimed run stays ours without renewal; a crashed worker's run is claimed again after it.
    public var leaseDuration: TimeInterval = 30
    /// Workers also look for work this often (cross-replica wake-ups on SQLite, retries coming due).
    public var pollInterval: TimeInterval = 1
    /// First retry delay; doubled per attempt, capped at five minutes, with ±20 % jitter.
    public var retryBackoff: TimeInterval = 2
    /// How often overdue runs are failed, waiting runs admitted and old runs pruned.
    public var maintenanceInterval: TimeInterval = 10
    /// Completed runs older than this are deleted.
    public var retention: TimeInterval = 30 * 86_400

    public init() {}
}

/// The pool of workers that execute queued runs, plus the maintenance loop (reaper, waiting-run admission, pruning).
/// Before every attempt the legitimacy decision is evaluated from the current state; a denied run never executes.
struct OperationWorkers: Service {
    let store: any RunQueue & ProviderConnectionRepository
    let notifications: any StoreNotifications
    let catalog: OperationCatalog
    let wake: RunWakeSignal
    let completions: RunCompletions
    let settings: WorkerSettings
    /// Where tenants' credential files live (see `ServerConfiguration.credentialsDirectory`).
    let credentialsDirectory: String?
    /// Ends when the schema is migrated; workers wait for it before the first claim.
    let startAfter: StartupGate
    /// The pool that also runs maintenance; another pool of the same process (extension invocations, with a wake
    /// signal of its own) claims, polls and listens only.
    let isPrimary: Bool
    let logger: Logger
    private let instance = UUID().uuidString.prefix(8)

    init(
        store: any RunQueue & ProviderConnectionRepository, notifications: any StoreNotifications, catalog: OperationCatalog, wake: RunWakeSignal,
        completions: RunCompletions, settings: WorkerSettings, credentialsDirectory: String?, startAfter: StartupGate, isPrimary: Bool = true,
        logger: Logger
    ) {
        self.isPrimary = isPrimary
        self.completions = completions
        self.store = store
        self.credentialsDirectory = credentialsDirectory
        self.notifications = notifications
        self.catalog = catalog
        self.wake = wake
        self.settings = settings
        self.startAfter = startAfter
        self.logger = logger
    }

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await startAfter.wait()
        }
        guard !Task.isCancelled, !Task.isShuttingDownGracefully else { return }
        // On shutdown every loop is cancelled; an attempt in flight is handed back to the queue.
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                for index in 0..<max(1, settings.count) {
                    let stream = wake.subscribe()
                    group.addTask { await self.work(name: "\(ProcessInfo.processInfo.hostName)/\(self.instance)/\(index)", wakeUps: stream) }
                }
                group.addTask { await self.tick(every: self.settings.pollInterval) { self.wake.signal() } }
                group.addTask { await self.listen() }
                if isPrimary {
                    group.addTask { await self.tick(every: self.settings.maintenanceInterval) { await self.maintain() } }
                }
            }
        }
        wake.finish()
    }

    // MARK: Claiming and executing

    private func work(name: String, wakeUps: AsyncStream<Void>) async {
        for await _ in wakeUps {
            do {
                while !Task.isCancelled, let claimed = try await store.claimRun(
                    worker: name, leaseDuration: settings.leaseDuration, definitions: catalog.definitions, at: Date()
                ) {
                    await process(claimed, worker: name)
                }
            } catch is CancellationError {
                // Shutting down; a claim cut short is claimed again when its lease expires.
            } catch {
                logger.error("Claiming operation runs failed", metadata: ["worker": "\(name)", "error": "\(error)"])
            }
        }
    }

    private func process(_ claimed: ClaimedRun, worker: String) async {
        let run = claimed.run
        var logger = self.logger
        logger[metadataKey: "run_id"] = "\(run.id)"
        logger[metadataKey: "tenant_id"] = "\(run.tenantID)"
        logger[metadataKey: "operation_type"] = "\(run.operationType)"
        guard let registered = catalog[run.operationType] else { return }
        let connectionHref = run.providerConnectionID.map(Links.connection)
        do {
            if run.cancelRequested {
                // Cancelled while its previous worker held it: never run it again.
                try await finish(run, worker, .cancelled, .cancelled, connectionHref, decision: nil, logger: logger)
                return
            }
            if run.attempts > run.maxAttempts {
                // Only reachable when workers died holding the run: no attempt ever reported back.
                let reason = RunReason.executionFailed("No attempt finished in \(run.maxAttempts) tries; the workers running it stopped.")
                try await finish(run, worker, .failed, reason, connectionHref, decision: nil, logger: logger)
                return
            }
            let decision = claimed.decision
            guard claimed.started, let scope = claimed.verdict.executionScope,
                  let tenantExternalID = claimed.tenantExternalID else {
                let reason = RunReason.legitimacy(decision.reasonCode ?? .tenantMissing, detail: decision.metadata?["detail"] ?? "")
                try await finish(run, worker, .blocked, reason, connectionHref, decision: decision, logger: logger)
                return
            }
            let context = ExecutionContext(
                run: run, scope: scope, connection: claimed.facts.connection, store: store,
                credentials: CredentialResolver(credentialsDirectory: credentialsDirectory, tenantExternalID: tenantExternalID),
                logger: logger
            )
            try await execute(registered, context, worker: worker, connectionHref: connectionHref, logger: logger)
        } catch {
            logger.error("Processing an operation run failed; it is retried when its lease expires", metadata: ["error": "\(error)"])
        }
    }

    /// What the lease keeper saw while the executor ran.
    private enum Interruption {
        case cancelRequested
        case leaseLost
        case deadlineExceeded
    }

    /// Runs the executor while a keeper renews the lease. A cancellation request, a lost lease, the run's deadline
    /// or shutdown cancel the executor; the lease is kept until the executor has really returned, so no other worker
    /// can start the same run while this one still acts.
    private func execute(_ registered: RegisteredOperation, _ context: ExecutionContext, worker: String, connectionHref: String?, logger: Logger) async throws {
        let run = context.run
        let executor = Task { try await registered.executor.execute(context) }
        let keeper = Task { () -> Interruption? in
            var interruption: Interruption?
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(min(settings.leaseDuration / 3, max(0.05, run.deadlineAt.timeIntervalSinceNow))))
                guard !Task.isCancelled else { break }
                if interruption == nil, Date() >= run.deadlineAt {
                    interruption = .deadlineExceeded
                    executor.cancel()
                }
                do {
                    switch try await store.renewLease(id: run.id, worker: worker, leaseDuration: settings.leaseDuration, at: Date()) {
                    case nil:
                        executor.cancel()
                        return .leaseLost
                    case true? where interruption == nil:
                        interruption = .cancelRequested
                        executor.cancel()
                    default:
                        continue
                    }
                } catch {
                    logger.warning("Renewing the lease failed; trying again", metadata: ["error": "\(error)"])
                }
            }
            return interruption
        }
        let outcome = await withTaskCancellationHandler {
            await executor.result
        } onCancel: {
            executor.cancel()
        }
        keeper.cancel()
        let interruption = await keeper.value
        let shuttingDown = Task.isCancelled
        // The store writes below must happen even while this task is being cancelled (shutdown).
        try await Task {
            switch (interruption, outcome) {
            case (.leaseLost?, _):
                logger.warning("Lost the lease while running; another worker owns the run now")
            case (_, .success(let result)):
                try await finish(run, worker, .succeeded, nil, connectionHref, decision: nil, result: result, logger: logger)
            case (.cancelRequested?, .failure):
                try await finish(run, worker, .cancelled, .cancelled, connectionHref, decision: nil, logger: logger)
            case (.deadlineExceeded?, .failure):
                try await finish(run, worker, .failed, .deadlineExceeded, connectionHref, decision: nil, logger: logger)
            case (nil, .failure) where shuttingDown:
                // Hand the run back without counting the attempt: the next worker (here after a restart, or another
                // replica) takes it at once.
                _ = try await store.releaseRun(id: run.id, worker: worker, at: Date())
                logger.notice("Shutting down; the run goes back to the queue")
            case (nil, .failure(ExecutionError.permanent(let message))):
                try await finish(run, worker, .failed, .executionFailed(message), connectionHref, decision: nil, logger: logger)
            case (nil, .failure(let error)):
                let message = (error as? ExecutionError).flatMap { if case .transient(let text) = $0 { text } else { nil } } ?? "\(error)"
                guard run.attempts < run.maxAttempts else {
                    try await finish(run, worker, .failed, .executionFailed(message), connectionHref, decision: nil, logger: logger)
                    return
                }
                let delay = backoff(afterAttempt: run.attempts)
                logger.notice("Attempt failed; retrying", metadata: ["attempt": "\(run.attempts)", "retry_in_s": "\(delay)", "error": "\(message)"])
                if try await !store.retryRun(id: run.id, worker: worker, availableAt: Date().addingTimeInterval(delay), error: message, at: Date()) {
                    // Cancellation was requested meanwhile (or the lease is gone, and then this does nothing).
                    try await finish(run, worker, .cancelled, .cancelled, connectionHref, decision: nil, logger: logger)
                }
            }
        }.value
    }

    private func finish(
        _ run: OperationRun, _ worker: String, _ outcome: RunOutcome, _ reason: RunReason?, _ connectionHref: String?,
        decision: LegitimacyDecision?, result: [String: String] = [:], logger: Logger
    ) async throws {
        let finished = try await store.finishRun(
            id: run.id, worker: worker, outcome: outcome, reason: reason, nextSteps: reason?.nextSteps(connectionHref: connectionHref) ?? [],
            decision: decision, result: result, at: Date()
        )
        guard finished else {
            logger.warning("The run changed hands before it could be finished; its result is dropped", metadata: ["outcome": "\(outcome.rawValue)"])
            return
        }
        completions.finished(run.id)
        Counter(label: "gstacks_operation_runs_finished_total", dimensions: [("type", run.operationType.rawValue), ("outcome", outcome.rawValue)]).increment()
        logger.info("Operation run finished", metadata: ["outcome": "\(outcome.rawValue)", "reason": "\(reason?.code ?? "-")", "attempt": "\(run.attempts)"])
        if run.scopeKey != nil {
            wake.signal()  // a waiting run on the same scope may have been admitted
        }
    }

    /// 2^(attempt-1) × base, at most five minutes, ±20 % so retries of many runs spread out.
    private func backoff(afterAttempt attempt: Int) -> TimeInterval {
        let delay = min(settings.retryBackoff * pow(2, Double(max(0, attempt - 1))), 300)
        return delay * Double.random(in: 0.8...1.2)
    }

    // MARK: Maintenance and wake-ups

    private func maintain() async {
        do {
            let now = Date()
            let overdue = try await store.failOverdueRuns(at: now)
            if !overdue.isEmpty {
                logger.warning("Failed operation runs past their deadline", metadata: ["run_ids": "\(overdue.map(\.rawValue))"])
            }
            if try await store.admitWaitingRuns(at: now) > 0 {
                wake.signal()
            }
            let pruned = try await store.pruneRuns(completedBefore: now.addingTimeInterval(-settings.retention), limit: 1000)
            if pruned > 0 {
                logger.info("Pruned completed operation runs past retention", metadata: ["count": "\(pruned)"])
            }
        } catch is CancellationError {
            // Shutting down.
        } catch {
            logger.error("Operation run maintenance failed", metadata: ["error": "\(error)"])
        }
    }

    private func tick(every interval: TimeInterval, _ body: @Sendable () async -> Void) async {
        while !Task.isCancelled {
            await body()
            try? await Task.sleep(for: .seconds(interval))
        }
    }

    /// Wake-ups from committed admissions (the gate's, a cancellation's or a finish's that freed a scope): other
    /// replicas' through PostgreSQL NOTIFY and, on SQLite, this process's. Every pool listens; each claims only its types.
    private func listen() async {
        await notifications.listen(.runs, for: "operation run wake-ups", logger: logger) { self.wake.signal() }
    }
}
