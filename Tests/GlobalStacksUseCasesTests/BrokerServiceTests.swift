import Foundation
import GlobalStacksDomain
import Testing
@testable import GlobalStacksUseCases

/// The broker's rules that need no database: the invocation survives its trip through the run's target context
/// (the request and the executor admit the same thing), and how a finished run answers.
@Suite("Broker service")
struct BrokerServiceTests {
    static let invocation = ExtensionInvocation(
        key: ExtensionKey(rawValue: "acme.object-store")!, operation: "list", targetKind: "cluster", targetID: "cls_1",
        input: ["bucket": .string("logs"), "limit": .number(5)]
    )

    static func run(_ outcome: RunOutcome?, result: [String: String] = [:], shortReason: String? = nil) -> OperationRun {
        let now = Date()
        return OperationRun(
            id: OperationRunID(rawValue: 42), organizationID: .generate(), tenantID: .generate(),
            operationType: OperationTypeDefinition.integrationExtensionInvoke.key, authority: .system, providerConnectionID: nil,
            scopeKey: nil, executionStatus: .completed, outcome: outcome, reasonCode: nil, shortReason: shortReason, nextSteps: [],
            legitimacy: nil, attempts: 1, maxAttempts: 1, cancelRequested: false, result: result, targetContext: [:], sourceSurface: nil,
            bootstrapID: nil, createdAt: now, updatedAt: now, startedAt: now, completedAt: now, deadlineAt: now
        )
    }

    @Test func theExecutorReadsBackTheInvocationTheRequestAdmitted() throws {
        let invocation = Self.invocation
        let context = invocation.targetContext(inputText: try invocation.inputText())
        #expect(ExtensionInvocation(targetContext: context) == invocation)
        var broken = context
        broken["input"] = "[1]"
        #expect(ExtensionInvocation(targetContext: broken) == nil, "input must be an object")
        broken = context
        broken["extensionKey"] = "Not A Key"
        #expect(ExtensionInvocation(targetContext: broken) == nil)
    }

    @Test func aFinishedRunAnswersWithItsOutputsOrItsReason() throws {
        let answer = try BrokerService.answer(Self.run(.succeeded, result: ["outputs": #"{"count":3}"#, "diagnostics": #"["ok"]"#]))
        #expect(answer == InvocationAnswer(jobID: "42", outputs: ["count": .number(3)], diagnostics: ["ok"]))
        #expect(throws: DomainError.forbidden("The invocation was refused before it ran (run 42): tenant suspended.")) {
            try BrokerService.answer(Self.run(.blocked, shortReason: "tenant suspended"))
        }
        #expect(throws: DomainError.upstreamFailed("Invocation 42 failed. exit 1")) {
            try BrokerService.answer(Self.run(.failed, shortReason: "exit 1"))
        }
    }
}
