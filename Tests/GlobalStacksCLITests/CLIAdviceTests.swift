@testable import GlobalStacksCLI
import Testing

/// The server's messages that name HTTP calls, in the CLI's words.
@Suite("CLI advice")
struct CLIAdviceTests {
    @Test func serverMessagesNameCLICommands() {
        #expect(CLIAdvice.message(for: "No tenant is selected; select one with POST /v1/tenants/{tenantId}/activate.").contains("`gstacks tenants use SLUG`"))
        #expect(CLIAdvice.message(for: "Sandbox 7f0c is hibernated; wake it first (POST /v1/sandboxes/7f0c/wake).")
                == "Sandbox 7f0c is hibernated; wake it first with `gstacks sandboxes wake 7f0c`.")
        #expect(CLIAdvice.message(for: "This server has no users yet; create the first site admin with the setup token it printed (POST /v1/setup).",
                                  server: "http://127.0.0.1:8080").contains("`gstacks setup http://127.0.0.1:8080`"))
        #expect(CLIAdvice.message(for: "Email or password is incorrect.") == "Email or password is incorrect.", "other messages stay as sent")
    }
}
