import Foundation
import GlobalStacksDomain
import GlobalStacksStore

extension TemplateService {
    /// Declares how many sandboxes of a template (its version now: `python-data` names the newest) each of the
    /// tenant's agents keeps waiting; 0 removes the pool and retires its waiting sandboxes.
    public func setWarmPool(_ reference: String, size: Int, caller: Caller) async throws -> (Template, WarmPool?) {
        let scope = try caller.activeTenant()
        try caller.require(.manageTemplates)
        try WarmPool.checkSize(size)
        let template = try await self.template(reference, caller: caller)
        let pool = try await store.setWarmPool(templateID: template.id, size: size, by: caller.user.id, scope, at: Date())
        return (template, pool)
    }

    public func warmPools(caller: Caller) async throws -> [WarmPool] {
        try await store.warmPools(try caller.activeTenant())
    }
}

/// Counts warm-pool events (`gstacks_warm_pool_total{event}` on /metrics): the server provides it.
public protocol WarmPoolCounter: Sendable {
    func count(_ event: WarmPoolEvent, _ amount: Int)
}

public enum WarmPoolEvent: String, Sendable {
    /// A create took a waiting sandbox.
    case claimed
    /// A create of a template with a pool found none waiting.
    case missed
    /// A waiting sandbox was started to refill a pool.
    case refilled
}
