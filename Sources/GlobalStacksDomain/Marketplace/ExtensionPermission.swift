/// The permissions an extension may ask for. Each grants one kind of access during an invocation, in the install's
/// tenant only; the manifest says why it needs it (`purpose`), and that is what the person consenting reads.
public enum ExtensionPermission: String, Sendable, CaseIterable, Codable, Comparable {
    case tenantRead = "tenant.read"
    case clustersRead = "clusters.read"
    case agentsRead = "agents.read"
    case sandboxesRead = "sandboxes.read"
    case sandboxesWrite = "sandboxes.write"
    case sandboxesExec = "sandboxes.exec"
    case integrationsRead = "integrations.read"
    case operationsRead = "operations.read"

    /// What granting it allows, in the words of the consent screen.
    public var allows: String {
        switch self {
        case .tenantRead: "Read the tenant's name and settings."
        case .clustersRead: "List the tenant's clusters and their status."
        case .agentsRead: "List the agents of the tenant's clusters and their capabilities."
        case .sandboxesRead: "List the tenant's sandboxes and read their status."
        case .sandboxesWrite: "Create, stop and remove sandboxes in the tenant."
        case .sandboxesExec: "Run commands and read and write files inside the tenant's sandboxes."
        case .integrationsRead: "List the tenant's provider connections (never their credentials)."
        case .operationsRead: "Read the tenant's operation runs."
        }
    }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
}

extension ExtensionPermission {
    /// The API operations each permission opens to an extension's invocation credential, in the install's tenant.
    /// An operation in no list is refused to every invocation (signing in, switching tenants, keys, the marketplace,
    /// other extensions, anything administrative).
    public static let operations: [ExtensionPermission: Set<String>] = [
        .tenantRead: ["getTenant"],
        .clustersRead: ["listClusters", "getCluster"],
        .agentsRead: ["listAgents", "getAgent"],
        .sandboxesRead: ["listSandboxes", "getSandbox", "listSandboxCommands"],
        .sandboxesWrite: ["createSandbox", "stopSandbox", "deleteSandbox", "hibernateSandbox", "wakeSandbox"],
        .sandboxesExec: [
            "execSandbox", "listSandboxExecs", "getSandboxOutput", "listSandboxFiles", "deleteSandboxFile", "statSandboxFile", "downloadSandboxFile",
            "uploadSandboxFile", "makeSandboxDirectory", "moveSandboxFile", "listSandboxProcesses", "startSandboxProcess", "getSandboxProcess",
            "signalSandboxProcess",
        ],
        .integrationsRead: ["listIntegrations", "getIntegration"],
        .operationsRead: ["listOperationRuns", "getOperationRun"],
    ]

    /// The permission an operation needs from an invocation credential, or nil when no permission opens it.
    public static func required(for operationID: String) -> ExtensionPermission? {
        allCases.first { operations[$0]?.contains(operationID) == true }
    }
}
