import Foundation
import GlobalStacksDomain
import GlobalStacksStore
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
    /// The only directory `file:` credential references and directory exports may point into (nil: none).
    public var credentialsDirectory: String?

    public init() {}
}

/// The pool of workers that execute queued runs, plus the maintenance loop (reaper, waiting-run admission, pruning).
/// Before every attempt the legitimacy decision is evaluated from the current state; a denied run never executes.
struct OperationWorkers: Service {
    let store: any Store
    let engine: any DatabaseEngine
    let catalog: OperationCatalog
    let wake: RunWakeSignal
    let settings: WorkerSettings
    /// Ends when the schema is migrated; workers wait for it before the first claim.
    let startAfter: AsyncStream<Void>
    let logger: Logger
    let credentials: CredentialResolver
    private let instance = UUID().uuidString.prefix(8)

    init(store: any Store, engine: any DatabaseEngine, catalog: OperationCatalog, wake: RunWakeSignal, settings: WorkerSettings, startAfter: AsyncStream<Void>, logger: Logger) {
        self.store = store
        self.engine = engine
        self.catalog = catalog
        self.wake = wake
        self.settings = settings
        self.startAfter = startAfter
        self.logger = logger
        self.credentials = CredentialResolver(directory: settings.credentialsDirectory)
    }

    func run() async throws {
        await cancelWhenGracefulShutdown {
            for await _ in startAfter {}
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
                group.addTask { await self.tick(every: self.settings.maintenanceInterval) { await self.maintain() } }
                group.addTask { await self.listen() }
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
            if run.attempts > run.maxAttempts {
                // Only reachable when workers died holding the run: no attempt ever reported back.
                let reason = RunReason.executionFailed("No attempt finished in \(run.maxAttempts) tries; the workers running it stopped.")
                try await finish(run, worker, .failed, reason, connectionHref, decision: nil, logger: logger)
                return
            }
            let decision = claimed.decide()
            guard let scope = LegitimacyEvaluator.executionScope(claimed.facts, decision), decision.allowed else {
                let reason = RunReason.legitimacy(decision.reasonCode ?? .executionPrerequisiteInvalid, detail: decision.metadata?["detail"] ?? "")
                try await finish(run, worker, .blocked, reason, connectionHref, decision: decision, logger: logger)
                return
            }
            guard try await store.startRun(id: run.id, worker: worker, decision: decision, at: Date()) else {
                logger.warning("Lost the lease before the run started")
                return
            }
            let context = ExecutionContext(
                run: run, scope: scope, connection: claimed.facts.connection, store: store, credentials: credentials, logger: logger
            )
            try await execute(registered, context, worker: worker, connectionHref: connectionHref, logger: logger)
        } catch {
            logger.error("Processing an operation run failed; it is retried when its lease expires", metadata: ["error": "\(error)"])
        }
    }

    /// How an attempt ended, as seen by the worker.
    private enum AttemptEnd {
        case finished(Result<[String: String], any Error>)
        case cancelRequested
        case leaseLost
    }

    /// Runs the executor while renewing the lease; a cancellation request or a lost lease stops the executor.
    private func execute(_ registered: RegisteredOperation, _ context: ExecutionContext, worker: String, connectionHref: String?, logger: Logger) async throws {
        let run = context.run
        let end = await withTaskGroup(of: AttemptEnd?.self) { group -> AttemptEnd in
            group.addTask {
                do {
                    return .finished(.success(try await registered.executor.execute(context)))
                } catch {
                    return .finished(.failure(error))
                }
            }
            group.addTask {
                while true {
                    do {
                        try await Task.sleep(for: .seconds(settings.leaseDuration / 3))
                        switch try await store.renewLease(id: run.id, worker: worker, leaseDuration: settings.leaseDuration, at: Date()) {
                        case nil: return .leaseLost
                        case true?: return .cancelRequested
                        case false?: continue
                        }
                    } catch is CancellationError {
                        return nil
                    } catch {
                        logger.warning("Renewing the lease failed; trying again", metadata: ["error": "\(error)"])
                    }
                }
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first ?? .leaseLost
        }
        if Task.isCancelled {
            // Shutting down: give the run back so the next worker (here after a restart, or another replica) retries it now.
            _ = try? await store.retryRun(id: run.id, worker: worker, availableAt: Date(), error: "the server shut down during the attempt", at: Date())
            return
        }
        switch end {
        case .leaseLost:
            logger.warning("Lost the lease while running; another worker owns the run now")
        case .cancelRequested:
            try await finish(run, worker, .cancelled, .cancelled, connectionHref, decision: nil, logger: logger)
        case .finished(.success(let result)):
            try await finish(run, worker, .succeeded, nil, connectionHref, decision: nil, result: result, logger: logger)
        case .finished(.failure(ExecutionError.permanent(let message))):
            try await finish(run, worker, .failed, .executionFailed(message), connectionHref, decision: nil, logger: logger)
        case .finished(.failure(let error)):
            let message = (error as? ExecutionError).flatMap { if case .transient(let text) = $0 { text } else { nil } } ?? "\(error)"
            if run.attempts < run.maxAttempts {
                let delay = backoff(afterAttempt: run.attempts)
                logger.notice("Attempt failed; retrying", metadata: ["attempt": "\(run.attempts)", "retry_in_s": "\(delay)", "error": "\(message)"])
                _ = try await store.retryRun(id: run.id, worker: worker, availableAt: Date().addingTimeInterval(delay), error: message, at: Date())
            } else {
                try await finish(run, worker, .failed, .executionFailed(message), connectionHref, decision: nil, logger: logger)
            }
        }
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

    /// Cross-replica wake-ups (PostgreSQL NOTIFY); reconnects after a failure. Returns at once on SQLite.
    private func listen() async {
        while !Task.isCancelled {
            do {
                try await engine.listen(SQLStore.runWakeChannel) { self.wake.signal() }
                return
            } catch {
                guard !Task.isCancelled else { return }
                logger.warning("Listening for operation run wake-ups failed; retrying", metadata: ["error": "\(error)"])
                try? await Task.sleep(for: .seconds(5))
            }
        }
    }
}
