import GlobalStacksAPI
import GlobalStacksContract
import GlobalStacksUseCases

/// The operations of this area, mapped to its handler.
extension APIController {
    var broker: BrokerHandler { BrokerHandler(broker: useCases.broker) }

    func invokeIntegrationExtension(_ input: Operations.InvokeIntegrationExtension.Input) async throws -> Operations.InvokeIntegrationExtension.Output { try await broker.invokeIntegrationExtension(input, caller: try caller) }
}
