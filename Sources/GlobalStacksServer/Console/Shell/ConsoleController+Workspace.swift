import Foundation
import GlobalStacksDomain
import GlobalStacksUseCases
import Hummingbird

/// The workspace's own record: its tenants (the managed-tenants page), and making a new one.
extension ConsoleController {
    func addWorkspaceRoutes(to console: RouterGroup<AppRequestContext>) {
        console.get("workspace") { _, _ in ConsoleResponse.redirect(to: ConsolePaths.managedTenants) }
        console.get("workspace/tenants") { request, _ in try await managedTenants(request, message: nil) }
        console.post("workspace/tenants") { request, _ in try await createTenant(request) }
    }

    func managedTenants(_ request: Request, message: String?, status: HTTPResponse.Status = .ok) async throws -> Response {
        let route = ShellRoute(category: .canonicalWorkspaceRecordViewer, intendedURL: ConsolePaths.managedTenants)
        return try await shellPage(request, route: route) { page in
            let tenants = try await useCases.tenants.tenants(caller: page.caller)
            let numbered = Dictionary(page.resolution.directory.tenants.map { ($0.tenantID, $0) }, uniquingKeysWith: { first, _ in first })
            return ConsoleResponse.page(renderer.render("managed-tenants", ManagedTenantsPage(
                chrome: page.chrome("Tenants"),
                tenants: tenants.compactMap { tenant in
                    numbered[tenant.id].map { ManagedTenantsPage.Row(TenantRow($0), slug: tenant.slug.rawValue, createdAt: ConsoleFormat.time(tenant.createdAt)) }
                },
                canManage: AccessPolicy.allows(.manageTenants, page.caller.principal),
                message: message
            )), status: status)
        }
    }

    func createTenant(_ request: Request) async throws -> Response {
        let visitor = try await requireVisitor(request)
        let form = try await ConsoleForm.read(request)
        try visitor.checkForgery(request, formToken: form.csrfToken)
        let route = ShellRoute(category: .canonicalWorkspaceRecordViewer, intendedURL: ConsolePaths.managedTenants)
        guard let caller = try await useCases.shellContext.resolve(ShellContextRequest(route: route), caller: visitor.caller).caller else {
            return ConsoleResponse.redirect(to: ConsolePaths.workspaceChooser(returningTo: ConsolePaths.managedTenants))
        }
        do {
            let tenant = try await useCases.tenants.create(name: form["name"] ?? "", slug: form["slug"] ?? "", description: form["description"], caller: caller)
            return ConsoleResponse.redirect(to: "/admin/t/\(tenant.externalID)")
        } catch let error as DomainError where error.kind == .invalidInput || error.kind == .conflict {
            return try await managedTenants(request, message: error.message, status: ErrorResponse(error).status)
        }
    }
}

struct ManagedTenantsPage {
    struct Row {
        let name: String, externalId: String, status: String, operable: Bool, href: String, slug: String, createdAt: String
        init(_ row: TenantRow, slug: String, createdAt: String) {
            (name, externalId, status, operable, href) = (row.name, row.externalId, row.status, row.operable, row.href)
            (self.slug, self.createdAt) = (slug, createdAt)
        }
    }
    let chrome: ConsoleChrome
    let tenants: [Row]
    let canManage: Bool
    let message: String?
}
