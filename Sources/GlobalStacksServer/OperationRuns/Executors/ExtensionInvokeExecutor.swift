import GlobalStacksDomain
import GlobalStacksUseCases

/// `integration.extension.invoke`: runs the operation a caller asked for (`ExtensionDispatch`) and keeps its outputs,
/// diagnostics, agent and timing on the run.
struct ExtensionInvokeExecutor: OperationExecutor {
    let dispatch: ExtensionDispatch

    func execute(_ context: ExecutionContext) async throws -> [String: String] {
        guard let invocation = ExtensionInvocation(targetContext: context.run.targetContext) else {
            throw ExecutionError.permanent("The run does not describe an extension invocation.")
        }
        let dispatched = try await dispatch.dispatch(invocation, context)
        return [
            "outputs": try JSONValue.object(dispatched.answer.outputs).encodedText(),
            "diagnostics": try JSONValue.array(dispatched.answer.diagnostics.map(JSONValue.string)).encodedText(),
            "agentId": dispatched.agentID.rawValue, "artifactCached": dispatched.cached ? "true" : "false",
            "durationMs": "\(dispatched.durationMilliseconds)",
        ]
    }
}
