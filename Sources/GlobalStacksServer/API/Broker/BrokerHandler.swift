import GlobalStacksAPI
import GlobalStacksContract
import GlobalStacksDomain
import GlobalStacksUseCases

/// `invokeIntegrationExtension`: maps the contract's input to `BrokerService` and its answer back (200 with the
/// outputs; every refusal and failure is the service's `DomainError`).
struct BrokerHandler {
    let broker: BrokerService

    func invokeIntegrationExtension(_ input: Operations.InvokeIntegrationExtension.Input, caller: Caller) async throws -> Operations.InvokeIntegrationExtension.Output {
        guard let key = ExtensionKey(rawValue: input.path.extensionKey) else {
            throw DomainError.invalidInput("'\(input.path.extensionKey.prefix(100))' is not an extension key (lower-case labels joined by '.', like acme.object-store).")
        }
        guard case .json(let request) = input.body else { throw DomainError.invalidInput("Send a JSON body.") }
        let invocation = ExtensionInvocation(
            key: key, operation: request.operation, targetKind: request.targetKind, targetID: request.targetId,
            input: try APIMapping.jsonObject(request.input?.additionalProperties)
        )
        let answer = try await broker.invoke(invocation, caller: caller)
        return .ok(.init(body: .json(.init(
            jobId: answer.jobID, status: .succeeded, outputs: .init(additionalProperties: try APIMapping.container(answer.outputs)),
            diagnostics: answer.diagnostics
        ))))
    }
}
