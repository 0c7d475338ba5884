import Foundation
import GlobalStacksDomain
import GlobalStacksUseCases
import Hummingbird

/// Site administration: agents of the managed clusters awaiting approval (`AgentService`) and the marketplace review
/// queue (`ReviewService`). Who may is the services' decision: anyone else gets their 403.
extension ConsoleController {
    static let siteAgentsPath = "/admin/site/agents"
    static let siteReviewsPath = "/admin/site/reviews"

    func addSiteAdminRoutes(to console: RouterGroup<AppRequestContext>) {
        console.get("site/agents") { request, _ in try await agentsAwaitingApproval(request) }
        console.post("site/agents/:agent_id/approval") { request, context in
            try await decideAgent(request, agentID: context.parameters.get("agent_id") ?? "")
        }
        console.get("site/reviews") { request, _ in try await reviewQueue(request) }
        console.post("site/reviews/:release_id/decision") { request, context in
            try await decideRelease(request, releaseID: context.parameters.get("release_id") ?? "")
        }
    }

    private static func siteRoute(_ path: String) -> ShellRoute {
        ShellRoute(category: .workspaceScoped, intendedURL: path)
    }

    func agentsAwaitingApproval(_ request: Request) async throws -> Response {
        try await shellPage(request, route: Self.siteRoute(Self.siteAgentsPath)) { page in
            try await renderAgents(page, message: nil, status: .ok)
        }
    }

    /// Approve (`decision=approve`) or reject (`decision=reject`) one agent.
    func decideAgent(_ request: Request, agentID: String) async throws -> Response {
        try await formPost(request, route: Self.siteRoute(Self.siteAgentsPath)) { page, form in
            let approval: AgentApproval
            switch form["decision"] {
            case "approve": approval = .approved
            case "reject": approval = .rejected
            default: throw UnprocessableForm(message: "decision must be approve or reject.")
            }
            do {
                _ = try await useCases.agents.setApproval(approval, of: try pathID(agentID, "agent"), caller: page.caller)
                return ConsoleResponse.redirect(to: Self.siteAgentsPath)
            } catch let error as DomainError where error.kind == .conflict {
                return try await renderAgents(page, message: error.message, status: .conflict)
            }
        }
    }

    private func renderAgents(_ page: ConsolePageContext, message: String?, status: HTTPResponse.Status) async throws -> Response {
        let waiting = try await useCases.agents.awaitingApproval(caller: page.caller)
        let clusters = Dictionary(try await useCases.clusters.clusters(caller: page.caller).map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first })
        return ConsoleResponse.page(renderer.render("site-agents", SiteAgentsPage(
            chrome: page.chrome("Agents to approve"), message: message,
            agents: waiting.map { SiteAgentsPage.Row($0, cluster: clusters[$0.clusterID]) }
        )), status: status)
    }

    func reviewQueue(_ request: Request) async throws -> Response {
        try await shellPage(request, route: Self.siteRoute(Self.siteReviewsPath)) { page in
            try await renderReviews(page, message: nil, status: .ok)
        }
    }

    /// Approve (`decision=approve`, and publish to everyone when `publish` is set) or reject (`decision=reject`, with a
    /// `reason` the publisher and tenants see).
    func decideRelease(_ request: Request, releaseID: String) async throws -> Response {
        try await formPost(request, route: Self.siteRoute(Self.siteReviewsPath)) { page, form in
            let id: ExtensionReleaseID = try pathID(releaseID, "extension release")
            do {
                switch form["decision"] {
                case "approve":
                    _ = try await useCases.review.decide(id, to: .approved, reason: nil, visibility: nil, caller: page.caller)
                    if form["publish"] != nil {
                        _ = try await useCases.review.decide(id, to: .published, reason: nil, visibility: .public, caller: page.caller)
                    }
                case "reject":
                    _ = try await useCases.review.decide(id, to: .rejected, reason: form["reason"], visibility: nil, caller: page.caller)
                default:
                    throw UnprocessableForm(message: "decision must be approve or reject.")
                }
                return ConsoleResponse.redirect(to: Self.siteReviewsPath)
            } catch let error as DomainError where error.kind == .invalidInput || error.kind == .conflict {
                return try await renderReviews(page, message: error.message, status: ErrorResponse(error).status)
            }
        }
    }

    private func renderReviews(_ page: ConsolePageContext, message: String?, status: HTTPResponse.Status) async throws -> Response {
        let queue = try await useCases.review.queue(caller: page.caller)
        return ConsoleResponse.page(renderer.render("site-reviews", SiteReviewsPage(
            chrome: page.chrome("Review queue"), message: message, releases: queue.map(SiteReviewsPage.Row.init)
        )), status: status)
    }
}

struct SiteAgentsPage {
    struct Row {
        let id: String, name: String, cluster: String, platform: String, region: String?, capabilities: String, status: String
        let lastHeartbeat: String, createdAt: String

        init(_ agent: Agent, cluster: String?) {
            (id, name, platform, region) = (agent.id.rawValue, agent.name, agent.platform.rawValue, agent.region)
            self.cluster = cluster ?? String(agent.clusterID.rawValue.prefix(8))
            capabilities = agent.capabilities.sorted().joined(separator: ", ")
            status = agent.status.rawValue
            lastHeartbeat = agent.lastHeartbeatAt.map(ConsoleFormat.time) ?? "never"
            createdAt = ConsoleFormat.time(agent.createdAt)
        }
    }
    let chrome: ConsoleChrome
    let message: String?
    let agents: [Row]
}

struct SiteReviewsPage {
    struct Finding { let check: String; let severity: String; let detail: String }
    struct Row {
        let id: String, key: String, name: String, version: String, publisher: String, submittedAt: String
        let manifestDigest: String, artifactDigest: String
        let permissions: String, egress: String, capabilities: String
        let keyRevoked: String?
        let findings: [Finding]

        init(_ review: ReleaseReview) {
            let listed = review.listed, release = listed.release, manifest = release.manifest
            (id, key, name, version, publisher) = (release.id.rawValue, listed.package.extensionKey.rawValue, manifest.name, release.version.description, listed.publisherName)
            submittedAt = release.submittedAt.map(ConsoleFormat.time) ?? ""
            (manifestDigest, artifactDigest) = (release.manifestDigest.rawValue, release.artifactDigest.rawValue)
            permissions = manifest.permissionNames.isEmpty ? "none" : manifest.permissionNames.joined(separator: ", ")
            egress = manifest.egressNames.isEmpty ? "none" : manifest.egressNames.joined(separator: ", ")
            capabilities = manifest.agentCapabilities.isEmpty ? "none" : manifest.agentCapabilities.joined(separator: ", ")
            keyRevoked = listed.keyRevokedReason
            findings = release.findings.map { Finding(check: $0.check, severity: $0.severity.rawValue, detail: $0.detail) }
        }
    }
    let chrome: ConsoleChrome
    let message: String?
    let releases: [Row]
}
