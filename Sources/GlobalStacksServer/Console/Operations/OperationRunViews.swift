import Foundation
import GlobalStacksDomain
import GlobalStacksUseCases

/// `/admin/operations`: the runs of the tenant in context, newest first.
struct OperationRunsPage {
    struct StatusOption { let value: String; let label: String; let selected: Bool }
    let chrome: ConsoleChrome
    let tenantless: Bool
    let chooseTenantHref: String
    let statuses: [StatusOption]
    let runs: [OperationRunRow]
}

struct OperationRunRow {
    let id: Int64, href: String, operation: String, status: String, outcome: String?, reason: String?, startedBy: String, createdAt: String

    init(_ run: OperationRun, operation: String) {
        id = run.id.rawValue
        href = "\(ConsolePaths.operations)/\(run.id.rawValue)"
        self.operation = operation
        status = run.executionStatus.rawValue
        outcome = run.outcome?.rawValue
        reason = run.shortReason
        startedBy = run.authority.mode == .actorBound ? "a person" : "the system"
        createdAt = ConsoleFormat.time(run.createdAt)
    }
}

/// `/admin/operations/{run_id}`: one run, with its legitimacy decision in words.
struct OperationRunPage {
    struct Line { let label: String; let value: String }
    struct Step { let label: String; let description: String?; let href: String?; let reference: String? }
    struct Check { let code: String; let question: String; let result: String; let passed: Bool; let failed: Bool }
    struct Decision {
        let allowed: Bool
        /// When it was taken: right before executing (with its checks) or at the start gate.
        let stage: String
        let reasonCode: String?
        let explanation: String?
        let detail: String?
        let denialClass: String?
        let retryAdvice: String?
        let checks: [Check]
    }

    let chrome: ConsoleChrome
    let id: Int64
    let operation: String
    let operationType: String
    let status: String
    let outcome: String?
    let summary: String
    let shortReason: String?
    let authority: String
    let startedBy: String
    let connection: String?
    let timings: [Line]
    let decision: Decision?
    let nextSteps: [Step]
    let result: [Line]

    init(_ run: OperationRun, connection: ProviderConnection?, operation: String, startedBy: String, chrome: ConsoleChrome) {
        self.chrome = chrome
        id = run.id.rawValue
        self.operation = operation
        operationType = run.operationType.rawValue
        status = run.executionStatus.rawValue
        outcome = run.outcome?.rawValue
        summary = Self.summary(run)
        shortReason = run.shortReason
        authority = run.authority.mode.words
        self.startedBy = startedBy
        self.connection = connection.map { "\($0.name) (\($0.provider), \($0.status.rawValue))" } ?? run.providerConnectionID.map { "connection \($0)" }
        var timings = [Line(label: "Created", value: ConsoleFormat.time(run.createdAt))]
        timings.append(Line(label: "Started", value: run.startedAt.map(ConsoleFormat.time) ?? "never"))
        if let completed = run.completedAt { timings.append(Line(label: "Completed", value: ConsoleFormat.time(completed))) }
        if let started = run.startedAt, let completed = run.completedAt {
            timings.append(Line(label: "Ran for", value: String(format: "%.2f s", completed.timeIntervalSince(started))))
        }
        timings.append(Line(label: "Deadline", value: ConsoleFormat.time(run.deadlineAt)))
        timings.append(Line(label: "Attempts", value: "\(run.attempts) of at most \(run.maxAttempts)"))
        self.timings = timings
        decision = Self.decision(run)
        // Links only to console pages; API paths are shown as references.
        nextSteps = run.nextSteps.map { step in
            let isPage = step.href.map { ShellNavigation.safeConsolePath($0) != nil } ?? false
            return Step(label: step.label, description: step.description, href: isPage ? step.href : nil, reference: isPage ? nil : step.href)
        }
        result = run.result.sorted { $0.key < $1.key }.map { Line(label: $0.key, value: $0.value) }
    }

    /// The decision document taken before the run executed, or the start gate's refusal (which records its reason
    /// code but no document); nil while no decision was taken.
    private static func decision(_ run: OperationRun) -> Decision? {
        if let decision = run.legitimacy {
            return Decision(
                allowed: decision.allowed, stage: "Taken from the state at the time, right before the run was to execute.",
                reasonCode: decision.reasonCode?.rawValue, explanation: decision.reasonCode?.explanation,
                detail: decision.metadata?["detail"], denialClass: decision.denialClass?.rawValue, retryAdvice: decision.denialClass?.retryAdvice,
                checks: LegitimacyCheck.allCases.map { check in
                    let result = decision.checks[check] ?? .notApplicable
                    return Check(code: check.rawValue, question: check.question, result: result.words, passed: result == .passed, failed: result == .failed)
                }
            )
        }
        guard run.outcome == .blocked, let reason = run.reasonCode.flatMap(LegitimacyReason.init(rawValue:)) else { return nil }
        return Decision(
            allowed: false, stage: "Refused at the start gate: the run was recorded but never queued.", reasonCode: reason.rawValue,
            explanation: reason.explanation, detail: nil, denialClass: reason.denialClass.rawValue, retryAdvice: reason.denialClass.retryAdvice, checks: []
        )
    }

    /// The run's state as one sentence.
    private static func summary(_ run: OperationRun) -> String {
        switch (run.executionStatus, run.outcome) {
        case (.waiting, _): "Waiting for the operation before it on the same scope to finish."
        case (.queued, _): "Queued: it runs once a worker picks it up and the legitimacy check allows it."
        case (.running, _): run.cancelRequested ? "Running; cancellation was requested." : "Running."
        case (.completed, .succeeded?): "Finished successfully."
        case (.completed, .failed?): "Failed."
        case (.completed, .blocked?): "Refused before it ran: it never executed."
        case (.completed, .cancelled?): "Cancelled."
        case (.completed, nil): "Finished."
        }
    }
}
