import Foundation
import GlobalStacksDomain
import GlobalStacksUseCases
import Hummingbird

/// The tenant's installs: the list, one install with its settings form (generated from the release's settings schema)
/// and an invoke form. The same `InstallService` and `BrokerService` calls as the v1 API's installs and invoke.
extension ConsoleController {
    func addInstallRoutes(to console: RouterGroup<AppRequestContext>) {
        console.get("t/:external_id/installs") { request, context in
            try await installs(request, externalID: context.parameters.get("external_id") ?? "")
        }
        console.get("t/:external_id/installs/:extension_key") { request, context in
            try await installPage(request, externalID: context.parameters.get("external_id") ?? "", key: context.parameters.get("extension_key") ?? "")
        }
        console.post("t/:external_id/installs/:extension_key/settings") { request, context in
            try await saveSettings(request, externalID: context.parameters.get("external_id") ?? "", key: context.parameters.get("extension_key") ?? "")
        }
        console.post("t/:external_id/installs/:extension_key/invoke") { request, context in
            try await invoke(request, externalID: context.parameters.get("external_id") ?? "", key: context.parameters.get("extension_key") ?? "")
        }
    }

    func installs(_ request: Request, externalID: String) async throws -> Response {
        try await shellPage(request, route: Self.tenantRoute(request, externalID: externalID)) { page in
            let base = Self.tenantBase(page)
            let installs = try await useCases.installs.installs(caller: page.caller)
            return ConsoleResponse.page(renderer.render("marketplace-installs", InstallsPage(
                chrome: page.chrome("Installs"), base: base, installs: installs.map { InstallRow($0, base: base) }
            )))
        }
    }

    func installPage(_ request: Request, externalID: String, key: String) async throws -> Response {
        try await shellPage(request, route: Self.tenantRoute(request, externalID: externalID)) { page in
            let query = request.uri.queryParameters
            let run = query["run"].flatMap { Int64(String($0)) }.map { "\(ConsolePaths.operations)/\($0)" }
            return try await renderInstall(page, key: try Self.installedKey(key), saved: query["saved"] != nil, reconcileRunHref: run)
        }
    }

    /// The settings form's post: a merge patch of what changed (secrets left empty stay as stored).
    func saveSettings(_ request: Request, externalID: String, key: String) async throws -> Response {
        try await tenantFormPost(request, externalID: externalID) { page, form in
            let extensionKey = try Self.installedKey(key)
            do {
                let view = try await useCases.installs.settings(extensionKey, caller: page.caller)
                let install = view.installed.install
                let state = try await useCases.installs.installState(extensionKey, caller: page.caller)
                let settingsForm = SettingsForm(spec: view.installed.release.release.manifest.settings, tenant: install.settings,
                                                fixedByPolicy: Set(state.policyFixedKeys))
                let update = try await useCases.installs.updateSettings(extensionKey, patch: try settingsForm.patch(from: form, current: install.settings), caller: page.caller)
                let run = update.reconcile.map { "&run=\($0.run.id.rawValue)" } ?? ""
                return ConsoleResponse.redirect(to: "\(Self.tenantBase(page))/installs/\(extensionKey.rawValue)?saved=1\(run)#settings")
            } catch let error as DomainError where Self.isRefusal(error) {
                return try await renderInstall(page, key: extensionKey, entered: form, settingsMessage: error.message, status: ErrorResponse(error).status)
            }
        }
    }

    /// The invoke form's post: the broker runs the operation in a sandbox on an agent and the page shows its outputs,
    /// or why it was refused or failed, in the service's words.
    func invoke(_ request: Request, externalID: String, key: String) async throws -> Response {
        try await tenantFormPost(request, externalID: externalID) { page, form in
            let extensionKey = try Self.installedKey(key)
            let inputText = form["input"] ?? ""
            do {
                let installed = try await useCases.installs.installed(extensionKey, caller: page.caller)
                let operation = form["operation"] ?? ""
                // The operation's declared target kind; an undeclared operation is refused by the broker in its words.
                let targetKind = installed.release.release.manifest.operations.first { $0.name == operation }?.targetKind ?? "cluster"
                let invocation = ExtensionInvocation(
                    key: extensionKey, operation: operation, targetKind: targetKind, targetID: form["target_id"] ?? "", input: try Self.invocationInput(inputText)
                )
                let answer = try await useCases.broker.invoke(invocation, caller: page.caller)
                let output = InstallPage.Output(
                    jobID: answer.jobID, outputs: Self.prettyJSON(.object(answer.outputs)), diagnostics: answer.diagnostics,
                    runHref: "\(ConsolePaths.operations)/\(answer.jobID)"
                )
                return try await renderInstall(page, key: extensionKey, invoked: form, invokeOutput: output)
            } catch let error as DomainError where error.kind != .unauthenticated && error.kind != .notFound {
                return try await renderInstall(page, key: extensionKey, invoked: form, invokeError: error.message, status: ErrorResponse(error).status)
            }
        }
    }

    private func renderInstall(
        _ page: ConsolePageContext, key: ExtensionKey, saved: Bool = false, reconcileRunHref: String? = nil,
        entered: ConsoleForm? = nil, settingsMessage: String? = nil, invoked: ConsoleForm? = nil,
        invokeOutput: InstallPage.Output? = nil, invokeError: String? = nil, status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        async let settings = useCases.installs.settings(key, caller: page.caller)
        async let state = useCases.installs.installState(key, caller: page.caller)
        async let clusters = useCases.clusters.clusters(caller: page.caller)
        let (view, installState) = try await (settings, state)
        let install = view.installed.install, manifest = view.installed.release.release.manifest
        let base = Self.tenantBase(page)
        let chosenOperation = invoked?["operation"] ?? manifest.operations.first?.name
        let chosenTarget = invoked?["target_id"]
        return ConsoleResponse.page(renderer.render("marketplace-install", InstallPage(
            chrome: page.chrome(manifest.name), base: base, key: key.rawValue, name: manifest.name, version: install.version.description,
            status: installState.status.rawValue, statusReason: installState.statusReason, needsReconsent: installState.status == .needsReconsent,
            availableVersion: installState.availableVersion?.description, consentHref: "\(base)/marketplace/\(key.rawValue)",
            manifestDigest: install.consentedManifestDigest.rawValue, artifactDigest: install.consentedArtifactDigest.rawValue,
            permissions: install.consentedPermissions, egress: install.consentedEgress,
            canConfigure: AccessPolicy.allows(.installExtensions, page.caller.principal),
            settings: SettingsForm(
                spec: manifest.settings, tenant: install.settings, effective: view.effectiveSettings, secretsSet: Set(install.secretKeysSet),
                fixedByPolicy: Set(installState.policyFixedKeys), entered: entered
            ).fields,
            settingsMessage: settingsMessage, saved: saved, reconcileRunHref: reconcileRunHref,
            operations: manifest.operations.map {
                InstallPage.Choice(value: $0.name, label: "\($0.name) (on a \($0.targetKind))", selected: $0.name == chosenOperation)
            },
            targets: try await clusters.enumerated().map { index, cluster in
                InstallPage.Choice(value: cluster.id.rawValue, label: "\(cluster.name) (\(cluster.ownership.rawValue))",
                                   selected: chosenTarget.map { $0 == cluster.id.rawValue } ?? (index == 0))
            },
            invokeInput: invoked?.raw("input") ?? "{}", invokeOutput: invokeOutput, invokeError: invokeError
        )), status: status)
    }

    /// The invoke form's JSON input: empty is `{}`; anything but a JSON object is refused in words.
    static func invocationInput(_ text: String) throws -> [String: JSONValue] {
        guard !text.isEmpty else { return [:] }
        guard case .object(let input)? = try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)) else {
            throw DomainError.invalidInput("The input must be a JSON object, for example {\"prefix\": \"logs/\"}.")
        }
        return input
    }

    static func prettyJSON(_ value: JSONValue) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? ""
    }

    /// A key from the path; one that cannot be a key is simply not installed (404, as in the API).
    static func installedKey(_ value: String) throws -> ExtensionKey {
        guard let key = ExtensionKey(rawValue: value) else { throw InstallService.notInstalled(value) }
        return key
    }
}
