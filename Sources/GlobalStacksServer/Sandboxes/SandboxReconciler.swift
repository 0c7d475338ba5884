import Foundation
import GlobalStacksDomain
import GlobalStacksStore
import Logging
import ServiceLifecycle

/// Keeps sandboxes honest when nobody is asking: a command whose agent stayed away past its deadline fails (and
/// moves its sandbox with the reason), a running sandbox idle past its timeout is stopped or hibernated, a sandbox
/// past its lifetime is stopped and then deleted, a template build whose run ended without it fails, and
/// terminated sandboxes are deleted with their commands after the retention period.
/// Several replicas may run it at once: rows are claimed with SKIP LOCKED.
struct SandboxReconciler: Service {
    let store: any AgentCommandRepository & TemplateBuildReaping
    let commandDeadline: TimeInterval
    let interval: TimeInterval
    /// How long terminated sandboxes and their commands are kept.
    let retention: TimeInterval
    let startAfter: StartupGate
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await startAfter.wait()
        }
        while true {
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(interval)) }
            guard !Task.isShuttingDownGracefully, !Task.isCancelled else { return }
            await reconcile()
        }
    }

    func reconcile() async {
        do {
            for command in try await store.failOverdueCommands(at: Date()) {
                logger.notice("A sandbox command passed its deadline and failed", metadata: [
                    "command_id": "\(command.id)", "sandbox_id": "\(command.sandboxID)", "agent_id": "\(command.agentID)",
                    "action": "\(command.action.rawValue)",
                ])
            }
            let now = Date()
            let idle = try await store.reconcileIdleSandboxes(commandDeadline: now.addingTimeInterval(commandDeadline), at: now)
            for change in idle {
                logger.info("Idle sandbox past its timeout", metadata: [
                    "sandbox_id": "\(change.sandbox.id)", "tenant_id": "\(change.sandbox.tenantID)", "action": "\(change.command.action.rawValue)",
                ])
            }
            for change in try await store.reconcileExpiredSandboxes(commandDeadline: now.addingTimeInterval(commandDeadline), at: now) {
                logger.info("Sandbox past its lifetime", metadata: [
                    "sandbox_id": "\(change.sandbox.id)", "tenant_id": "\(change.sandbox.tenantID)", "action": "\(change.command.action.rawValue)",
                ])
            }
            let abandoned = try await store.failAbandonedTemplateBuilds(at: now)
            if abandoned > 0 { logger.notice("Template builds whose runs ended without them failed", metadata: ["builds": "\(abandoned)"]) }
            let pruned = try await store.pruneSandboxes(terminatedBefore: now.addingTimeInterval(-retention))
            if pruned > 0 { logger.info("Deleted terminated sandboxes past their retention", metadata: ["sandboxes": "\(pruned)"]) }
        } catch {
            logger.error("Reconciling sandboxes failed; retrying", metadata: ["error": "\(error)"])
        }
    }
}
