import Foundation

/// Where a run is in its life. Only `queued` and `running` hold the dedupe identity and the protected scope.
public enum RunExecutionStatus: String, Sendable, Codable, CaseIterable {
    /// Admitted by an onboarding bootstrap, waiting for the operation before it on the same scope to finish.
    case waiting
    case queued
    case running
    case completed

    public var isActive: Bool { self == .queued || self == .running }
}

/// How a completed run ended.
public enum RunOutcome: String, Sendable, Codable, CaseIterable {
    case succeeded
    case failed
    /// Refused before it executed: at the start gate or by the legitimacy check.
    case blocked
    case cancelled
}

/// Whose authority a run executes under; re-checked before every attempt.
public enum AuthorityMode: String, Sendable, Codable, CaseIterable {
    /// Started by a person: re-checked against that person's current rights.
    case actorBound = "actor_bound"
    /// Started by the system (schedules, bootstrap follow-ups of system work).
    case systemAuthority = "system_authority"
}

/// The authority a run was started with.
public enum RunAuthority: Sendable, Equatable {
    case actor(UserID)
    case system

    public var mode: AuthorityMode {
        switch self {
        case .actor: .actorBound
        case .system: .systemAuthority
        }
    }

    public var userID: UserID? {
        if case .actor(let id) = self { id } else { nil }
    }
}

/// One next step shown with a refusal or a failure.
public struct NextStep: Sendable, Equatable, Codable {
    public let label: String
    public let description: String?
    public let href: String?
    public let actionType: String?

    public init(label: String, description: String? = nil, href: String? = nil, actionType: String? = nil) {
        self.label = label
        self.description = description
        self.href = href
        self.actionType = actionType
    }
}

/// A recorded start of a provider-backed operation.
public struct OperationRun: Sendable, Equatable {
    public let id: OperationRunID
    public let organizationID: OrganizationID
    public let tenantID: TenantID
    public let operationType: OperationTypeKey
    public let authority: RunAuthority
    public let providerConnectionID: ProviderConnectionID?
    public let scopeKey: String?
    public var executionStatus: RunExecutionStatus
    public var outcome: RunOutcome?
    public var reasonCode: String?
    public var shortReason: String?
    public var nextSteps: [NextStep]
    /// The last legitimacy decision (JSON of execution-legitimacy.schema.json), when one was evaluated.
    public var legitimacy: LegitimacyDecision?
    public var attempts: Int
    public let maxAttempts: Int
    /// A person asked to cancel the run while it was running; the worker that holds it stops it.
    public var cancelRequested: Bool
    public var result: [String: String]
    public let targetContext: [String: String]
    public let sourceSurface: String?
    public let bootstrapID: String?
    public let createdAt: Date
    public var updatedAt: Date
    public var startedAt: Date?
    public var completedAt: Date?
    public let deadlineAt: Date

    public init(
        id: OperationRunID, organizationID: OrganizationID, tenantID: TenantID, operationType: OperationTypeKey,
        authority: RunAuthority, providerConnectionID: ProviderConnectionID?, scopeKey: String?,
        executionStatus: RunExecutionStatus, outcome: RunOutcome?, reasonCode: String?, shortReason: String?,
        nextSteps: [NextStep], legitimacy: LegitimacyDecision?, attempts: Int, maxAttempts: Int, cancelRequested: Bool,
        result: [String: String], targetContext: [String: String], sourceSurface: String?, bootstrapID: String?,
        createdAt: Date, updatedAt: Date, startedAt: Date?, completedAt: Date?, deadlineAt: Date
    ) {
        self.id = id
        self.organizationID = organizationID
        self.tenantID = tenantID
        self.operationType = operationType
        self.authority = authority
        self.providerConnectionID = providerConnectionID
        self.scopeKey = scopeKey
        self.executionStatus = executionStatus
        self.outcome = outcome
        self.reasonCode = reasonCode
        self.shortReason = shortReason
        self.nextSteps = nextSteps
        self.legitimacy = legitimacy
        self.attempts = attempts
        self.maxAttempts = maxAttempts
        self.cancelRequested = cancelRequested
        self.result = result
        self.targetContext = targetContext
        self.sourceSurface = sourceSurface
        self.bootstrapID = bootstrapID
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.startedAt = startedAt
        self.completedAt = completedAt
        self.deadlineAt = deadlineAt
    }

    /// The key of the protected scope a run of `definition` holds: the tenant and its connection, or none.
    public static func scopeKey(_ definition: OperationTypeDefinition, tenantID: TenantID, connectionID: ProviderConnectionID?) -> String? {
        switch definition.protectedScope {
        case .none: nil
        case .tenantConnection: "tenant:\(tenantID)/connection:\(connectionID.map(String.init(describing:)) ?? "none")"
        }
    }

    /// The canonical text of a run's dedupe identity (the store keeps its hash under a unique index while the run is active):
    /// JSON with sorted keys, so no choice of target-context keys or values can make two different operations look alike.
    /// Deterministic types: type, tenant, connection and the target context; unique types add `nonce`.
    public static func identity(
        _ definition: OperationTypeDefinition, tenantID: TenantID, connectionID: ProviderConnectionID?,
        targetContext: [String: String], nonce: String
    ) -> String {
        struct Identity: Encodable {
            let type: String
            let tenant: String
            let connection: Int64?
            let context: [String: String]
            let nonce: String?
        }
        let identity = Identity(
            type: definition.key.rawValue, tenant: tenantID.rawValue, connection: connectionID?.rawValue,
            context: targetContext, nonce: definition.dedupe == .uniquePerRequest ? nonce : nil
        )
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        // Encoding strings, numbers and a string map cannot fail.
        return String(decoding: (try? encoder.encode(identity)) ?? Data(), as: UTF8.self)
    }
}
