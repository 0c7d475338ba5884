import Foundation
import GlobalStacksAPI
import GlobalStacksDomain
import GlobalStacksStore
import GlobalStacksUseCases

/// `invokeIntegrationExtension`: every refusal the contract lists is decided here before a run exists (403 install,
/// consent or permission; 400 input; 409 no able agent in the target; 503 no extension runtime at all), then the
/// invocation starts through the start gate as an `integration.extension.invoke` run and the answer waits for it:
/// 200 with its outputs, or 502 with its diagnostics. Its time limit is below the wait, so the answer always tells
/// how it ended; `GET /v1/operation-runs/{jobId}` keeps the record.
struct BrokerHandler {
    let store: any RequestStore
    let authenticator: Authenticator
    let gate: OperationGate
    /// How often a waiting request looks at the database for a run finished by another replica.
    static let pollInterval: Duration = .milliseconds(250)

    func invokeIntegrationExtension(_ input: Operations.InvokeIntegrationExtension.Input) async throws -> Operations.InvokeIntegrationExtension.Output {
        let principal = try authenticator.principal()
        let scope = try AccessPolicy.requireActiveTenantScope(principal)
        try AccessPolicy.require(OperationTypeDefinition.integrationExtensionInvoke.capability, principal)
        guard let key = ExtensionKey(rawValue: input.path.extensionKey) else {
            throw DomainError.invalidInput("'\(input.path.extensionKey.prefix(100))' is not an extension key (lower-case labels joined by '.', like acme.object-store).")
        }
        guard case .json(let request) = input.body else { throw DomainError.invalidInput("Send a JSON body.") }
        let invocationInput = try APIMapping.jsonObject(request.input?.additionalProperties)
        let inputText = try JSONValue.object(invocationInput).encodedText()
        guard inputText.utf8.count <= BrokerInvocation.maximumInputBytes else {
            throw DomainError.invalidInput("input may be at most \(BrokerInvocation.maximumInputBytes) bytes of JSON.")
        }
        guard let installed = try await store.install(key: key, scope) else {
            throw DomainError.forbidden("'\(key)' is not installed in the active tenant; install it first (POST /v1/integration-installs/\(key)).")
        }
        let manifest = installed.release.release.manifest
        let (status, reason) = installed.install.effectiveStatus(releaseCompatibility: Compatibility(manifest: manifest, agentCapabilities: []))
        let operation = try BrokerInvocation.admit(
            install: installed.install, status: status, statusReason: reason, manifest: manifest, operation: request.operation, targetKind: request.targetKind
        )
        try BrokerInvocation.validate(input: invocationInput, against: operation)
        _ = try await ExtensionTargets.agents(targetKind: request.targetKind, targetID: request.targetId, manifest: manifest, scope, store: store)

        let outcome = try await gate.start(.integrationExtensionInvoke, principal: principal, StartRequest(
            targetContext: [
                "extensionKey": key.rawValue, "operation": request.operation, "targetKind": request.targetKind, "targetId": request.targetId,
                "input": inputText,
            ],
            sourceSurface: "invokeIntegrationExtension"
        ))
        let run = try await finished(outcome.run.id, scope)
        return try Self.answer(run)
    }

    /// Waits for the run (its deadline bounds the wait) and returns it as it ended.
    private func finished(_ id: OperationRunID, _ scope: TenantScope) async throws -> OperationRun {
        var latest: OperationRun?
        let limit = ContinuousClock.now + .seconds(OperationTypeDefinition.integrationExtensionInvoke.deadline + 10)
        while ContinuousClock.now < limit {
            try await gate.completions.wait(id, interval: Self.pollInterval) {
                latest = try await store.operationRun(id: id, scope)
                return latest?.executionStatus.isActive == false
            }
            if let run = latest, !run.executionStatus.isActive { return run }
        }
        throw DomainError.upstreamFailed("The invocation did not finish in time; follow it at /v1/operation-runs/\(id).")
    }

    static func answer(_ run: OperationRun) throws -> Operations.InvokeIntegrationExtension.Output {
        let jobID = String(run.id.rawValue)
        switch run.outcome {
        case .succeeded?:
            let outputs = (try? JSONDecoder().decode([String: JSONValue].self, from: Data((run.result["outputs"] ?? "{}").utf8))) ?? [:]
            let diagnostics = (try? JSONDecoder().decode([String].self, from: Data((run.result["diagnostics"] ?? "[]").utf8))) ?? []
            return .ok(.init(body: .json(.init(jobId: jobID, status: .succeeded, outputs: .init(additionalProperties: try APIMapping.container(outputs)), diagnostics: diagnostics))))
        case .blocked?:
            throw DomainError.forbidden("The invocation was refused before it ran (run \(jobID)): \(run.shortReason ?? "blocked").")
        case .failed?, .cancelled?, nil:
            throw DomainError.upstreamFailed("Invocation \(jobID) failed. \(run.shortReason ?? "")")
        }
    }
}
