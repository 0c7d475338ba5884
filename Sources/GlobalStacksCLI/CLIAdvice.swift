import Foundation

/// The server's messages name HTTP calls; the CLI names its own commands instead. Known messages are rewritten here,
/// in one place (a pattern of the server's words and the CLI's); any other message is shown as the server sent it.
enum CLIAdvice {
    private static let rules: [(pattern: String, advice: String)] = [
        (#"^No tenant is selected; select one with POST /v1/tenants/\{tenantId\}/activate\.$"#,
         "No tenant is selected; select one with `gstacks tenants use SLUG` (`gstacks tenants list` shows them, `gstacks tenants create` makes one)."),
        (#"^Your session has ended; sign in again with POST /v1/auth/session\.$"#, "Your session has ended; sign in again with `gstacks login`."),
        (#"^Sign in first: POST /v1/auth/session.*$"#, "Not signed in; sign in with `gstacks login URL`."),
        (#"^This server has no users yet.*$"#,
         "This server has no users yet; run `gstacks setup URL` with the setup token it printed at its first start."),
        (#"^This installation is already set up; sign in instead\.$"#, "This server is already set up; sign in with `gstacks login URL`."),
        (#"^Sandbox (\S+) is (\w+); stop it first \(POST /v1/sandboxes/\S+/stop\)\.$"#, "Sandbox $1 is $2; stop it first with `gstacks sandboxes stop $1`."),
        (#"^Sandbox (\S+) is (\w+); wake it first \(POST /v1/sandboxes/\S+/wake\)\.$"#, "Sandbox $1 is $2; wake it first with `gstacks sandboxes wake $1`."),
        (#"^'(\S+)' is not installed in the active tenant; install it first \(POST /v1/integration-installs/\S+\)\.$"#,
         "'$1' is not installed in the active tenant; install it first with `gstacks installs add $1`."),
        (#"^(.*); consent again on GET /v1/integration-catalog/(\S+)/consent( before invoking it)?\.$"#,
         "$1; consent again with `gstacks installs add $2`."),
        (#"^This request is authenticated with an API key; revoke it with DELETE /v1/api-keys/\{apiKeyId\}\.$"#,
         "This context signs in with an API key; revoke it with `gstacks api-keys revoke ID`."),
        (#"^No operation type '(.*)'; GET /v1/operation-types lists them\.$"#, "No operation type '$1'."),
        (#"^No agent is enrolled in a cluster this tenant may use; enroll one with a provisioning token\.$"#,
         "No agent is enrolled in a cluster this tenant may use; make a provisioning token with `gstacks tokens create CLUSTER_ID` and start `gstacks agent --token …` with it."),
    ]

    /// The CLI's words for a message of the server; with `server`, the commands name its address instead of URL.
    static func message(for serverMessage: String, server: String? = nil) -> String {
        let whole = NSRange(serverMessage.startIndex..., in: serverMessage)
        for rule in rules {
            guard let expression = try? NSRegularExpression(pattern: rule.pattern),
                  expression.firstMatch(in: serverMessage, range: whole) != nil else { continue }
            let advice = expression.stringByReplacingMatches(in: serverMessage, range: whole, withTemplate: rule.advice)
            return server.map { advice.replacingOccurrences(of: " URL`", with: " \($0)`") } ?? advice
        }
        return serverMessage
    }
}
