/// The current state a legitimacy decision is made from, read right before a run executes (or at its start).
public struct LegitimacyFacts: Sendable {
    public struct TenantState: Sendable {
        public let belongsToWorkspace: Bool
        public let status: TenantStatus

        public init(belongsToWorkspace: Bool, status: TenantStatus) {
            self.belongsToWorkspace = belongsToWorkspace
            self.status = status
        }
    }

    public struct InitiatorState: Sendable {
        public let isActive: Bool
        public let siteRole: SiteRole
        /// The initiator's current role in the run's workspace; nil when no longer a member.
        public let organizationRole: OrganizationRole?

        public init(isActive: Bool, siteRole: SiteRole, organizationRole: OrganizationRole?) {
            self.isActive = isActive
            self.siteRole = siteRole
            self.organizationRole = organizationRole
        }
    }

    public let definition: OperationTypeDefinition
    public let authorityMode: AuthorityMode
    public let organizationID: OrganizationID
    public let tenantID: TenantID
    public let workspaceExists: Bool
    /// nil when the tenant no longer exists.
    public let tenant: TenantState?
    /// nil when the initiating user no longer exists (always nil for system runs).
    public let initiator: InitiatorState?
    /// The connection the run is pinned to; nil when none was chosen or it no longer exists.
    public let connection: ProviderConnection?

    public init(
        definition: OperationTypeDefinition, authorityMode: AuthorityMode, organizationID: OrganizationID, tenantID: TenantID, workspaceExists: Bool, tenant: TenantState?,
        initiator: InitiatorState?, connection: ProviderConnection?
    ) {
        self.definition = definition
        self.authorityMode = authorityMode
        self.organizationID = organizationID
        self.tenantID = tenantID
        self.workspaceExists = workspaceExists
        self.tenant = tenant
        self.initiator = initiator
        self.connection = connection
    }
}

/// Decides whether a run may execute now. Checks run in the contract's order and stop at the first failure;
/// the checks after it are `not_applicable`.
public enum LegitimacyEvaluator {
    /// The first failed check's reason, in words for people.
    public struct Denial: Sendable, Equatable {
        public let reason: LegitimacyReason
        public let detail: String
    }

    /// The decision with the scope it allows: the only way to a run's execution scope (see `LegitimacyVerdict`).
    public static func judge(_ facts: LegitimacyFacts, target: LegitimacyDecision.TargetScope, initiatorNumber: Int64?) -> LegitimacyVerdict {
        let decision = evaluate(facts, target: target, initiatorNumber: initiatorNumber)
        return LegitimacyVerdict(
            decision: decision,
            executionScope: decision.allowed ? TenantScope(tenantID: facts.tenantID, organizationID: facts.organizationID) : nil
        )
    }

    /// The decision document for a run; `target` and `initiatorNumber` are the integer ids recorded on the run.
    public static func evaluate(_ facts: LegitimacyFacts, target: LegitimacyDecision.TargetScope, initiatorNumber: Int64?) -> LegitimacyDecision {
        let (checks, denial) = run(facts)
        let initiator: LegitimacyDecision.Initiator = facts.authorityMode == .actorBound
            ? .init(identityType: .user, userID: initiatorNumber)
            : .init(identityType: .system, userID: nil)
        return LegitimacyDecision(
            operationType: facts.definition.key.rawValue, authorityMode: facts.authorityMode,
            allowed: denial == nil, retryable: denial?.reason.denialClass.isRetryable ?? false,
            reasonCode: denial?.reason, denialClass: denial?.reason.denialClass, initiator: initiator,
            targetScope: target, checks: checks, metadata: denial.map { ["detail": $0.detail] }
        )
    }

    /// Only the first failure (the start gate's question), without a decision document.
    public static func denial(_ facts: LegitimacyFacts) -> Denial? {
        run(facts).denial
    }

    private static func run(_ facts: LegitimacyFacts) -> (checks: [LegitimacyCheck: LegitimacyCheckResult], denial: Denial?) {
        let steps: [(LegitimacyCheck, (LegitimacyFacts) -> Denial?)] = [
            (.workspaceScope, workspaceScope),
            (.tenantScope, tenantScope),
            (.capability, capability),
            (.tenantOperability, tenantOperability),
            (.executionPrerequisites, executionPrerequisites),
        ]
        var checks: [LegitimacyCheck: LegitimacyCheckResult] = [:]
        var denial: Denial?
        for (check, evaluate) in steps {
            guard denial == nil else {
                checks[check] = .notApplicable
                continue
            }
            denial = evaluate(facts)
            checks[check] = denial == nil ? .passed : .failed
        }
        return (checks, denial)
    }

    private static func workspaceScope(_ facts: LegitimacyFacts) -> Denial? {
        guard facts.workspaceExists else {
            return Denial(reason: .workspaceMismatch, detail: "The organization of this run no longer exists.")
        }
        if let tenant = facts.tenant, !tenant.belongsToWorkspace {
            return Denial(reason: .workspaceMismatch, detail: "The tenant no longer belongs to the organization the run was started in.")
        }
        return nil
    }

    private static func tenantScope(_ facts: LegitimacyFacts) -> Denial? {
        guard facts.tenant != nil else {
            return Denial(reason: .tenantMissing, detail: "The tenant of this run no longer exists.")
        }
        guard facts.authorityMode == .actorBound else { return nil }
        guard let initiator = facts.initiator else {
            return Denial(reason: .initiatorMissing, detail: "The user who started this run no longer exists.")
        }
        guard initiator.isActive else {
            return Denial(reason: .initiatorNotEntitled, detail: "The account of the user who started this run is deactivated.")
        }
        guard initiator.organizationRole != nil else {
            return Denial(reason: .tenantNotEntitled, detail: "The user who started this run is no longer a member of the organization.")
        }
        return nil
    }

    private static func capability(_ facts: LegitimacyFacts) -> Denial? {
        guard facts.authorityMode == .actorBound, let initiator = facts.initiator, let role = initiator.organizationRole else {
            return nil  // the system holds the authority for system runs; a missing initiator failed the tenant scope
        }
        guard AccessPolicy.allows(facts.definition.capability, organizationRole: role, siteRole: initiator.siteRole) else {
            return Denial(reason: .missingCapability, detail: "The user who started this run (now \(role.rawValue)) may no longer \(facts.definition.operatorVerb.lowercased()) \(facts.definition.operatorTarget).")
        }
        return nil
    }

    private static func tenantOperability(_ facts: LegitimacyFacts) -> Denial? {
        guard let tenant = facts.tenant, tenant.status.isOperable else {
            return Denial(reason: .tenantNotOperable, detail: "The tenant is \(facts.tenant?.status.rawValue ?? "missing") and runs no new work.")
        }
        return nil
    }

    private static func executionPrerequisites(_ facts: LegitimacyFacts) -> Denial? {
        let definition = facts.definition
        guard definition.requiresConnection else { return nil }
        guard let connection = facts.connection, connection.tenantID == facts.tenantID, connection.status != .deleted else {
            return Denial(reason: .providerConnectionInvalid, detail: "No provider connection of the tenant is selected, or it was deleted.")
        }
        if let provider = definition.provider, connection.provider != provider {
            return Denial(reason: .providerConnectionInvalid, detail: "Connection \(connection.id) is a \(connection.provider) connection; this operation needs \(provider).")
        }
        for prerequisite in definition.prerequisites {
            switch prerequisite {
            case .connectionPresent where connection.status == .disabled:
                return Denial(reason: .providerConnectionInvalid, detail: "Connection \(connection.id) is disabled.")
            case .connectionUsable where !connection.status.isUsable:
                return Denial(reason: .providerConnectionInvalid, detail: "Connection \(connection.id) is \(connection.status.rawValue), not connected.")
            case .writeGateOpen where connection.writesPaused:
                return Denial(reason: .writeGateBlocked, detail: "Writes to the provider are paused on connection \(connection.id).")
            case .connectionMetadata(let key) where (connection.metadata[key] ?? "").isEmpty:
                return Denial(reason: .executionPrerequisiteInvalid, detail: "Connection \(connection.id) has no '\(key)' setting, which this operation needs.")
            default:
                continue
            }
        }
        return nil
    }
}

/// A legitimacy decision together with what it allows. Only `LegitimacyEvaluator.judge` makes one, from the facts it
/// has just judged, so the tenant scope a run executes in comes from an allowing decision the evaluator produced
/// itself, never from facts or a decision document (both public and decodable) put together elsewhere.
public struct LegitimacyVerdict: Sendable {
    /// The decision document (stored on the run, shown as its diagnostics).
    public let decision: LegitimacyDecision
    /// The tenant scope the run executes in; nil when the decision denies it. Executors reach tenant data through
    /// it, as requests do through the scope of their caller.
    public let executionScope: TenantScope?

    init(decision: LegitimacyDecision, executionScope: TenantScope?) {
        self.decision = decision
        self.executionScope = executionScope
    }
}
