/// A request path under `/v1/sandboxes/{sandboxId}/…`, split for the parts of the server that look at paths before
/// the router does (the body limit, the relay, the streaming-exec upgrade).
struct SandboxPath {
    /// The path value where the sandbox id goes (not yet checked to be one).
    let sandboxID: String
    /// What follows the id, e.g. `["files", "content"]`.
    let rest: [Substring]

    /// nil for a path outside `/v1/sandboxes/{id}/`; a query string is ignored.
    init?(_ path: String) {
        let withoutQuery = path.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        let parts = withoutQuery.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count >= 5, parts[0].isEmpty, parts[1] == "v1", parts[2] == "sandboxes" else { return nil }
        sandboxID = String(parts[3])
        rest = Array(parts[4...])
    }
}
