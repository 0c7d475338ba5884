import GlobalStacksDomain

/// `integration.settings.reconcile`: started by a `requires_reconcile` settings change, through the start gate (dedupe,
/// re-authorization at execution). The extension's own reconcile runs through the broker once it invokes extensions;
/// until then the run records which settings it applies, so the change is visible and ordered with other runs.
struct InstallSettingsReconcileExecutor: OperationExecutor {
    func execute(_ context: ExecutionContext) async throws -> [String: String] {
        let target = context.run.targetContext
        guard let key = target["extensionKey"], ExtensionKey(rawValue: key) != nil else {
            throw ExecutionError.permanent("The run names no extension to reconcile.")
        }
        return ["extensionKey": key, "settings": target["settings"] ?? ""]
    }
}
