import Foundation
import GlobalStacksClient
import GlobalStacksContract
import MCP

/// Sandboxes made, listed, stopped and removed: the calls of `gstacks sandboxes create --wait`, `list`, `stop` and
/// `delete`.
enum MCPSandboxTools {
    /// What a sandbox made here runs: nothing of its own, so that it stays up for commands and files until stopped
    /// (the console's default too).
    static let idleCommand = ["sleep", "infinity"]

    static let all = [create, list, stop, delete]

    struct Create: Decodable {
        let name: String?
        let template: String?
        let labels: [String: String]?
        let environment: [String: String]?
        let network: Bool?
        let resources: GlobalStacksClient.SandboxResources?
        let idleTimeoutSeconds: Int?
        let waitSeconds: Double?
    }

    static let create = MCPTool(
        "create_sandbox", title: "Create a sandbox",
        description: """
            Creates an isolated Linux sandbox in the signed-in tenant and waits until it runs (up to waitSeconds, default 120). \
            Returns its id, which run_command, read_file, write_file, list_files and stop_sandbox take. It idles until stopped: \
            run commands in it with run_command. It cannot reach the network unless network is true. Stop it with stop_sandbox when done.
            """,
        inputSchema: MCPSchema.object([
            "name": MCPSchema.string("A name to know it by.", maxLength: 100),
            "template": MCPSchema.string("The template it starts from: a name, name:version or digest (gstacks templates list); default: the host's root.", maxLength: 100),
            "labels": MCPSchema.stringMap("Labels (key to value), e.g. {\"task\": \"build\"}.", maxValueLength: 1_024),
            "environment": MCPSchema.stringMap("Environment variables of every command in it; their values are never shown again.", maxValueLength: 1_024),
            "network": ["type": "boolean", "description": "Whether it may reach the network (default false)."],
            "resources": MCPSchema.object([
                "cpu": MCPSchema.string("CPU, a Kubernetes quantity such as 500m or 2 (default 500m).", maxLength: 32),
                "memory": MCPSchema.string("Memory, a Kubernetes quantity such as 512Mi or 2Gi (default 512Mi).", maxLength: 32),
                "storage": MCPSchema.string("Storage, a Kubernetes quantity such as 1Gi (counted against storage quotas).", maxLength: 32),
            ]),
            "idleTimeoutSeconds": ["type": "integer", "minimum": 60, "maximum": 604_800, "description": "Stop it after this many seconds without activity."],
            "waitSeconds": ["type": "number", "exclusiveMinimum": 0, "maximum": 600, "description": "How long to wait for it to run (default 120)."],
        ]),
        annotations: .init(readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false)
    ) { (input: Create, context) in
        let client = try context.client().0
        let made = try await client.createSandbox(
            // A template's sandbox runs the template's command, or waits for work.
            name: input.name, template: input.template, command: input.template == nil ? idleCommand : [], resources: input.resources, labels: input.labels ?? [:], environment: input.environment ?? [:],
            network: input.network, idleTimeoutSeconds: input.idleTimeoutSeconds
        )
        let sandbox = try await client.waitUntilRunningOrEnded(made, timeout: input.waitSeconds ?? 120)
        guard sandbox.state == .running else { return .failure(sandbox.ending) }
        return try .success(Summary(sandbox))
    }

    struct List: Decodable {
        let includeEnded: Bool?
    }

    static let list = MCPTool(
        "list_sandboxes", title: "List sandboxes",
        description: "Lists the sandboxes of the signed-in tenant: id, name, state, labels. Ended ones (stopped, failed) only with includeEnded.",
        inputSchema: MCPSchema.object([
            "includeEnded": ["type": "boolean", "description": "Also list sandboxes that have stopped or failed (default false)."],
        ]),
        annotations: .init(readOnlyHint: true, openWorldHint: false)
    ) { (input: List, context) in
        let sandboxes = try await context.client().0.sandboxes()
        return try .success(["sandboxes": sandboxes.filter { input.includeEnded == true || !$0.hasEnded }.map(Summary.init)])
    }

    struct Target: Decodable {
        let sandboxId: String
    }

    static let stop = MCPTool(
        "stop_sandbox", title: "Stop a sandbox",
        description: "Stops a sandbox: every process in it ends. Its files stay until it is deleted (delete_sandbox). Waits up to 30 s for it to stop.",
        inputSchema: MCPSchema.object(["sandboxId": MCPSchema.sandboxID], required: ["sandboxId"]),
        annotations: .init(readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false)
    ) { (input: Target, context) in
        let client = try context.client().0
        let stopping = try await client.stopSandbox(input.sandboxId)
        // Stopping takes a moment; past 30 s its state so far is the answer.
        let sandbox = (try? await client.waitUntilRunningOrEnded(stopping, timeout: 30)) ?? stopping
        return try .success(Summary(sandbox))
    }

    static let delete = MCPTool(
        "delete_sandbox", title: "Delete a sandbox",
        description: "Removes a stopped or failed sandbox and its files for good. A running sandbox must be stopped first (stop_sandbox).",
        inputSchema: MCPSchema.object(["sandboxId": MCPSchema.sandboxID], required: ["sandboxId"]),
        annotations: .init(readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false)
    ) { (input: Target, context) in
        try await context.client().0.deleteSandbox(input.sandboxId)
        return try .success(["deleted": input.sandboxId])
    }

    /// A sandbox as the tools show it.
    struct Summary: Encodable {
        let id: String
        let name: String?
        let state: String
        let labels: [String: String]
        let network: Bool
        let createdAt: Date
        let lastError: String?
        let exitStatus: Int?

        init(_ sandbox: GlobalStacksClient.Sandbox) {
            id = sandbox.id
            name = sandbox.name
            state = sandbox.state.rawValue
            labels = sandbox.labels.additionalProperties
            network = sandbox.network
            createdAt = sandbox.createdAt
            lastError = sandbox.lastError
            exitStatus = sandbox.exitStatus
        }
    }
}
