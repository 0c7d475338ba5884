import Foundation
import GlobalStacksDomain
import GlobalStacksUseCases
import Hummingbird

/// `…/sandboxes/{id}/terminal`: a shell in the sandbox over the streaming exec (`ExecStreamEndpoint`, at the
/// console's path of the same tenant), driven by `terminal.js`: xterm.js when the system has it, else a line-mode
/// terminal. The page only says where to connect; the stream decides access when it is opened.
extension ConsoleController {
    func addSandboxTerminalRoutes(to console: RouterGroup<AppRequestContext>) {
        console.get("t/:external_id/sandboxes/:sandbox_id/terminal") { request, context in
            try await sandboxTerminal(request, SandboxPageAddress(context))
        }
    }

    func sandboxTerminal(_ request: Request, _ address: SandboxPageAddress) async throws -> Response {
        try await shellPage(request, route: Self.tenantRoute(request, externalID: address.externalID)) { page in
            let sandbox = try await useCases.sandboxes.sandbox(try pathID(address.sandboxID, "sandbox"), caller: page.caller)
            return ConsoleResponse.page(renderer.render("sandbox-terminal", SandboxTerminalPage(
                chrome: page.chrome("Terminal of \(sandbox.spec.name ?? "sandbox")"),
                sandbox: SandboxView(sandbox, base: ShellNavigation.tenantEntry(page.context.tenant!), agentName: nil),
                stream: address.page + "/exec/stream", xterm: ConsoleAssets.hasXterm
            )))
        }
    }
}
