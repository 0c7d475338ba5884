import Foundation
import GlobalStacksDomain
import GlobalStacksStore

/// The outputs of an invocation that succeeded, with its diagnostics; `jobID` is its run.
public struct InvocationAnswer: Sendable, Equatable {
    public let jobID: String
    public let outputs: [String: JSONValue]
    public let diagnostics: [String]
}

/// Invoking an installed extension: every refusal is decided by `InvocationAdmission` before a run exists (403
/// install, consent or permission; 400 input; 409 no able agent in the target; 503 no extension runtime at all),
/// then the invocation starts through the start gate as an `integration.extension.invoke` run and the caller waits
/// for it: its outputs, or 502 with its diagnostics. Its time limit is below the wait, so the answer always tells
/// how it ended; the run keeps the record.
public struct BrokerService: Sendable {
    private let store: any OperationRunRepository
    private let admission: InvocationAdmission
    private let gate: OperationGate
    private let completions: RunCompletions
    /// How often a waiting caller looks at the database for a run finished by another replica.
    static let pollInterval: Duration = .milliseconds(250)

    public init(store: any OperationRunRepository, admission: InvocationAdmission, gate: OperationGate, completions: RunCompletions) {
        self.store = store
        self.admission = admission
        self.gate = gate
        self.completions = completions
    }

    public func invoke(_ invocation: ExtensionInvocation, caller: Caller) async throws -> InvocationAnswer {
        let scope = try caller.activeTenant()
        try caller.require(OperationTypeDefinition.integrationExtensionInvoke.capability)
        let inputText = try invocation.inputText()
        guard inputText.utf8.count <= BrokerInvocation.maximumInputBytes else {
            throw DomainError.invalidInput("input may be at most \(BrokerInvocation.maximumInputBytes) bytes of JSON.")
        }
        _ = try await admission.admit(invocation, in: scope)
        let outcome = try await gate.start(.integrationExtensionInvoke, caller: caller, StartRequest(
            targetContext: invocation.targetContext(inputText: inputText), sourceSurface: "invokeIntegrationExtension"
        ))
        return try Self.answer(try await finished(outcome.run.id, scope))
    }

    /// Waits for the run (its deadline bounds the wait) and returns it as it ended.
    private func finished(_ id: OperationRunID, _ scope: TenantScope) async throws -> OperationRun {
        var latest: OperationRun?
        let limit = ContinuousClock.now + .seconds(OperationTypeDefinition.integrationExtensionInvoke.deadline + 10)
        while ContinuousClock.now < limit {
            try await completions.wait(id, interval: Self.pollInterval) {
                latest = try await store.operationRun(id: id, scope)
                return latest?.executionStatus.isActive == false
            }
            if let run = latest, !run.executionStatus.isActive { return run }
        }
        throw DomainError.upstreamFailed("The invocation did not finish in time; follow it at /v1/operation-runs/\(id).")
    }

    static func answer(_ run: OperationRun) throws -> InvocationAnswer {
        let jobID = String(run.id.rawValue)
        switch run.outcome {
        case .succeeded?:
            let outputs = (try? JSONDecoder().decode([String: JSONValue].self, from: Data((run.result["outputs"] ?? "{}").utf8))) ?? [:]
            let diagnostics = (try? JSONDecoder().decode([String].self, from: Data((run.result["diagnostics"] ?? "[]").utf8))) ?? []
            return InvocationAnswer(jobID: jobID, outputs: outputs, diagnostics: diagnostics)
        case .blocked?:
            throw DomainError.forbidden("The invocation was refused before it ran (run \(jobID)): \(run.shortReason ?? "blocked").")
        case .failed?, .cancelled?, nil:
            throw DomainError.upstreamFailed("Invocation \(jobID) failed. \(run.shortReason ?? "")")
        }
    }
}
