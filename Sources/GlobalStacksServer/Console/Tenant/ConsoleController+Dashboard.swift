import Foundation
import GlobalStacksDomain
import GlobalStacksUseCases
import Hummingbird
import Mustache

/// `/admin/t/{external_id}`: the tenant's dashboard, and the sandbox states its live table polls.
extension ConsoleController {
    func addDashboardRoutes(to console: RouterGroup<AppRequestContext>) {
        console.get("t/:external_id") { request, context in
            try await tenantDashboard(request, externalID: context.parameters.get("external_id") ?? "")
        }
        console.get("t/:external_id/sandboxes.json") { request, context in
            try await sandboxStates(request, externalID: context.parameters.get("external_id") ?? "")
        }
    }

    /// The route of a tenant-bound page: its tenant is the path's.
    static func tenantRoute(_ request: Request, externalID: String) -> ShellRoute {
        ShellRoute(category: .tenantBound, intendedURL: request.uri.description, tenant: .text(externalID))
    }

    func tenantDashboard(_ request: Request, externalID: String) async throws -> Response {
        try await shellPage(request, route: Self.tenantRoute(request, externalID: externalID)) { page in
            async let sandboxes = useCases.sandboxes.sandboxes(SandboxFilter(), caller: page.caller)
            async let agents = useCases.agents.agents(in: nil, caller: page.caller)
            async let clusters = useCases.clusters.clusters(caller: page.caller)
            async let quotas = useCases.groups.applicableQuotas(caller: page.caller)
            let clusterNames = Dictionary(try await clusters.map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first })
            let agentNames = Dictionary(try await agents.map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first })
            let base = ShellNavigation.tenantEntry(page.context.tenant!)
            return ConsoleResponse.page(renderer.render("tenant-dashboard", TenantDashboardPage(
                chrome: page.chrome(page.context.tenant?.name ?? "Tenant"),
                tenantName: page.context.tenant?.name ?? "",
                base: base,
                message: nil,
                quotas: try await quotas.map(QuotaView.init),
                sandboxes: try await sandboxes.map { SandboxRow($0, base: base, agentName: agentNames[$0.agentID]) },
                agents: try await agents.map { AgentRow($0, cluster: clusterNames[$0.clusterID]) },
                clusters: try await clusters.map(ClusterRow.init)
            )))
        }
    }

    /// `{"sandboxes": [{"id", "state"}]}` for the dashboard's live table.
    func sandboxStates(_ request: Request, externalID: String) async throws -> Response {
        let caller = try await tenantCaller(request, visitor: try await requireVisitor(request), externalID: externalID)
        let sandboxes = try await useCases.sandboxes.sandboxes(SandboxFilter(), caller: caller)
        return try ConsoleResponse.json(["sandboxes": sandboxes.map { ["id": $0.id.rawValue, "state": $0.state.rawValue] }])
    }
}

struct TenantDashboardPage {
    let chrome: ConsoleChrome
    let tenantName: String
    let base: String
    let message: String?
    let quotas: [QuotaView]
    let sandboxes: [SandboxRow]
    let agents: [AgentRow]
    let clusters: [ClusterRow]
}

struct SandboxRow {
    let id: String, name: String, href: String, state: String, cpu: String, memory: String, agent: String, createdAt: String

    init(_ sandbox: Sandbox, base: String, agentName: String?) {
        id = sandbox.id.rawValue
        name = sandbox.spec.name ?? String(sandbox.id.rawValue.prefix(8))
        href = "\(base)/sandboxes/\(sandbox.id.rawValue)"
        state = sandbox.state.rawValue
        cpu = sandbox.spec.cpu.description
        memory = sandbox.spec.memory.description
        agent = agentName ?? String(sandbox.agentID.rawValue.prefix(8))
        createdAt = ConsoleFormat.time(sandbox.createdAt)
    }
}

struct AgentRow {
    let name: String, status: String, approval: String, cluster: String

    init(_ agent: Agent, cluster: String?) {
        (name, status, approval) = (agent.name, agent.status.rawValue, agent.approval.rawValue)
        self.cluster = cluster ?? ""
    }
}

struct ClusterRow {
    let name: String, kind: String, status: String

    init(_ cluster: Cluster) {
        (name, kind, status) = (cluster.name, cluster.ownership.rawValue, cluster.status.rawValue)
    }
}

/// One quota as bars: what is used of each limit it sets.
struct QuotaView {
    struct Bar { let id: String; let name: String; let percent: Int; let used: String; let limit: String }
    let label: String
    let bars: [Bar]

    init(_ usage: QuotaUsage) {
        let key: String
        switch usage.target {
        case .organization: (label, key) = ("Organization quota", "org")
        case .user(let id): (label, key) = ("Your quota", "user-\(id.rawValue.prefix(8))")
        case .group(let id): (label, key) = ("Group quota", "group-\(id.rawValue.prefix(8))")
        }
        var bars: [Bar] = []
        func bar(_ name: String, _ used: Int64, _ limit: Int64?, _ show: (Int64) -> String) {
            guard let limit else { return }
            let percent = limit > 0 ? Int(min(100, used * 100 / limit)) : (used > 0 ? 100 : 0)
            bars.append(Bar(id: "quota-\(key)-\(name.lowercased())", name: name, percent: percent, used: show(used), limit: show(limit)))
        }
        bar("Sandboxes", Int64(usage.used.sessions), usage.limits.maxSessions.map(Int64.init), { String($0) })
        bar("CPU", usage.used.cpu.millicores, usage.limits.maxCPU?.millicores, { CPUQuantity(millicores: $0).description })
        bar("Memory", usage.used.memory.bytes, usage.limits.maxMemory?.bytes, { ByteQuantity(bytes: $0).description })
        bar("Storage", usage.used.storage.bytes, usage.limits.maxStorage?.bytes, { ByteQuantity(bytes: $0).description })
        self.bars = bars
    }
}

/// A dashboard lists up to hundreds of rows: each row answers the template's names directly rather than through
/// `Mirror`, which the renderer would otherwise build for every name of every row.
extension SandboxRow: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "id": id
        case "name": self.name
        case "href": href
        case "state": state
        case "cpu": cpu
        case "memory": memory
        case "agent": agent
        case "createdAt": createdAt
        default: nil
        }
    }
}
