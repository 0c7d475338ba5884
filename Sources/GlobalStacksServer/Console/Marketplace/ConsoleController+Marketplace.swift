import Foundation
import GlobalStacksDomain
import GlobalStacksUseCases
import Hummingbird

/// The tenant's marketplace: the catalog, the consent screen and installing (`InstallService`, as the v1 API's
/// catalog, consent and install operations use it). Installs, settings and invoking are in `+Installs`.
extension ConsoleController {
    func addMarketplaceRoutes(to console: RouterGroup<AppRequestContext>) {
        console.get("t/:external_id/marketplace") { request, context in
            try await catalog(request, externalID: context.parameters.get("external_id") ?? "")
        }
        console.get("t/:external_id/marketplace/:extension_key") { request, context in
            try await consent(request, externalID: context.parameters.get("external_id") ?? "", key: context.parameters.get("extension_key") ?? "")
        }
        console.post("t/:external_id/marketplace/:extension_key") { request, context in
            try await install(request, externalID: context.parameters.get("external_id") ?? "", key: context.parameters.get("extension_key") ?? "")
        }
        addInstallRoutes(to: console)
    }

    /// The catalog, or a search of it (`?q=`, the words of `GET /v1/marketplace/catalog`).
    func catalog(_ request: Request, externalID: String) async throws -> Response {
        try await shellPage(request, route: Self.tenantRoute(request, externalID: externalID)) { page in
            let query = String((request.uri.queryParameters["q"].map(String.init) ?? "").prefix(200))
            let listing = query.isEmpty
                ? try await useCases.installs.catalog(caller: page.caller)
                : try await useCases.installs.searchCatalog(CatalogQuery(category: nil, tag: nil, text: query), caller: page.caller)
            let base = Self.tenantBase(page)
            return ConsoleResponse.page(renderer.render("marketplace-catalog", CatalogPage(
                chrome: page.chrome("Marketplace"), base: base, query: query.isEmpty ? nil : query,
                entries: listing.entries.map { CatalogRow($0, agentCapabilities: listing.agentCapabilities, base: base) }
            )))
        }
    }

    func consent(_ request: Request, externalID: String, key: String) async throws -> Response {
        try await shellPage(request, route: Self.tenantRoute(request, externalID: externalID)) { page in
            try await consentPage(page, key: Self.catalogKey(key), entered: nil, message: nil, status: .ok)
        }
    }

    /// The Install button: the digests the person saw go back to the service, which refuses other content (403).
    func install(_ request: Request, externalID: String, key: String) async throws -> Response {
        try await tenantFormPost(request, externalID: externalID) { page, form in
            let extensionKey = try Self.catalogKey(key)
            do {
                let (entry, _) = try await useCases.installs.catalogEntry(extensionKey, caller: page.caller)
                // Consenting again keeps the install's settings; a first install takes the form's.
                let settings = entry.install == nil
                    ? try SettingsForm(spec: entry.listed.release.manifest.settings, tenant: [:]).settings(from: form) : nil
                let consent = InstallConsent(manifestDigest: form["manifest_digest"] ?? "", artifactDigest: form["artifact_digest"] ?? "", settings: settings)
                let result = try await useCases.installs.install(extensionKey, consent, caller: page.caller)
                return ConsoleResponse.redirect(to: "\(Self.tenantBase(page))/installs/\(result.install.installed.install.extensionKey.rawValue)")
            } catch let error as DomainError where Self.isRefusal(error) {
                return try await consentPage(page, key: extensionKey, entered: form, message: error.message, status: ErrorResponse(error).status)
            }
        }
    }

    private func consentPage(_ page: ConsolePageContext, key: ExtensionKey, entered: ConsoleForm?, message: String?, status: HTTPResponse.Status) async throws -> Response {
        let (entry, capabilities) = try await useCases.installs.catalogEntry(key, caller: page.caller)
        return ConsoleResponse.page(renderer.render("marketplace-consent", ConsentPage(
            entry, agentCapabilities: capabilities, chrome: page.chrome("Install \(entry.listed.release.manifest.name)"), base: Self.tenantBase(page),
            canInstall: AccessPolicy.allows(.installExtensions, page.caller.principal), entered: entered, message: message
        )), status: status)
    }

    /// A form post to a tenant-bound page (its tenant is the path's).
    func tenantFormPost(
        _ request: Request, externalID: String, handle: (ConsolePageContext, ConsoleForm) async throws -> Response
    ) async throws -> Response {
        try await formPost(request, route: Self.tenantRoute(request, externalID: externalID), handle: handle)
    }

    /// `/admin/t/{external_id}` of the page's tenant.
    static func tenantBase(_ page: ConsolePageContext) -> String {
        page.context.tenant.map(ShellNavigation.tenantEntry) ?? ConsolePaths.workspaceHome
    }

    /// A key from the path; one that cannot be a key is simply not in the catalog (404, as in the API).
    static func catalogKey(_ value: String) throws -> ExtensionKey {
        guard let key = ExtensionKey(rawValue: value) else { throw InstallService.notInCatalog(value) }
        return key
    }
}
