/// The checks of a legitimacy decision, in the order they run.
public enum LegitimacyCheck: String, Sendable, CaseIterable, Codable {
    case workspaceScope = "workspace_scope"
    case tenantScope = "tenant_scope"
    case capability
    case tenantOperability = "tenant_operability"
    case executionPrerequisites = "execution_prerequisites"
}

public enum LegitimacyCheckResult: String, Sendable, Codable {
    case passed
    case failed
    case notApplicable = "not_applicable"
}

/// Why a run may not execute (execution-legitimacy.schema.json `reason_code`).
public enum LegitimacyReason: String, Sendable, CaseIterable, Codable {
    case workspaceMismatch = "workspace_mismatch"
    case tenantNotEntitled = "tenant_not_entitled"
    case missingCapability = "missing_capability"
    case tenantNotOperable = "tenant_not_operable"
    case tenantMissing = "tenant_missing"
    case initiatorMissing = "initiator_missing"
    case initiatorNotEntitled = "initiator_not_entitled"
    case providerConnectionInvalid = "provider_connection_invalid"
    case writeGateBlocked = "write_gate_blocked"
    case executionPrerequisiteInvalid = "execution_prerequisite_invalid"

    public var denialClass: DenialClass {
        switch self {
        case .workspaceMismatch, .tenantNotEntitled, .tenantMissing: .scopeDenied
        case .missingCapability: .capabilityDenied
        case .initiatorMissing, .initiatorNotEntitled: .initiatorInvalid
        case .tenantNotOperable: .tenantNotOperable
        case .providerConnectionInvalid, .writeGateBlocked, .executionPrerequisiteInvalid: .prerequisiteInvalid
        }
    }
}

/// The high-level class of a refusal; decides whether starting again can help.
public enum DenialClass: String, Sendable, CaseIterable, Codable {
    case scopeDenied = "scope_denied"
    case capabilityDenied = "capability_denied"
    case tenantNotOperable = "tenant_not_operable"
    case prerequisiteInvalid = "prerequisite_invalid"
    case initiatorInvalid = "initiator_invalid"

    /// False when only a change of who started the run could help; true when the state may recover.
    public var isRetryable: Bool {
        switch self {
        case .scopeDenied, .capabilityDenied, .initiatorInvalid: false
        case .tenantNotOperable, .prerequisiteInvalid: true
        }
    }
}

/// A decision document exactly as execution-legitimacy.schema.json describes it (snake_case keys, integer ids).
public struct LegitimacyDecision: Sendable, Equatable, Codable {
    public struct Initiator: Sendable, Equatable, Codable {
        public enum IdentityType: String, Sendable, Codable { case user, system }
        public let identityType: IdentityType
        public let userID: Int64?

        enum CodingKeys: String, CodingKey {
            case identityType = "identity_type"
            case userID = "user_id"
        }

        public init(identityType: IdentityType, userID: Int64?) {
            self.identityType = identityType
            self.userID = userID
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(identityType, forKey: .identityType)
            try container.encode(userID, forKey: .userID)  // the schema requires the key, null for the system
        }
    }

    public struct TargetScope: Sendable, Equatable, Codable {
        public let workspaceID: Int64
        public let tenantID: Int64?
        public let providerConnectionID: Int64?

        enum CodingKeys: String, CodingKey {
            case workspaceID = "workspace_id"
            case tenantID = "tenant_id"
            case providerConnectionID = "provider_connection_id"
        }

        public init(workspaceID: Int64, tenantID: Int64?, providerConnectionID: Int64?) {
            self.workspaceID = workspaceID
            self.tenantID = tenantID
            self.providerConnectionID = providerConnectionID
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(workspaceID, forKey: .workspaceID)
            try container.encode(tenantID, forKey: .tenantID)
            try container.encode(providerConnectionID, forKey: .providerConnectionID)
        }
    }

    public let operationType: String
    public let authorityMode: AuthorityMode
    public let allowed: Bool
    public let retryable: Bool
    public let reasonCode: LegitimacyReason?
    public let denialClass: DenialClass?
    public let initiator: Initiator?
    public let targetScope: TargetScope
    public let checks: [LegitimacyCheck: LegitimacyCheckResult]
    public let metadata: [String: String]?

    enum CodingKeys: String, CodingKey {
        case operationType = "operation_type"
        case authorityMode = "authority_mode"
        case allowed, retryable
        case reasonCode = "reason_code"
        case denialClass = "denial_class"
        case initiator
        case targetScope = "target_scope"
        case checks, metadata
    }

    public init(
        operationType: String, authorityMode: AuthorityMode, allowed: Bool, retryable: Bool,
        reasonCode: LegitimacyReason?, denialClass: DenialClass?, initiator: Initiator?, targetScope: TargetScope,
        checks: [LegitimacyCheck: LegitimacyCheckResult], metadata: [String: String]? = nil
    ) {
        self.operationType = operationType
        self.authorityMode = authorityMode
        self.allowed = allowed
        self.retryable = retryable
        self.reasonCode = reasonCode
        self.denialClass = denialClass
        self.initiator = initiator
        self.targetScope = targetScope
        self.checks = checks
        self.metadata = metadata
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        operationType = try container.decode(String.self, forKey: .operationType)
        authorityMode = try container.decode(AuthorityMode.self, forKey: .authorityMode)
        allowed = try container.decode(Bool.self, forKey: .allowed)
        retryable = try container.decode(Bool.self, forKey: .retryable)
        reasonCode = try container.decodeIfPresent(LegitimacyReason.self, forKey: .reasonCode)
        denialClass = try container.decodeIfPresent(DenialClass.self, forKey: .denialClass)
        initiator = try container.decodeIfPresent(Initiator.self, forKey: .initiator)
        targetScope = try container.decode(TargetScope.self, forKey: .targetScope)
        let rawChecks = try container.decode([String: LegitimacyCheckResult].self, forKey: .checks)
        var checks: [LegitimacyCheck: LegitimacyCheckResult] = [:]
        for (key, value) in rawChecks {
            guard let check = LegitimacyCheck(rawValue: key) else {
                throw DecodingError.dataCorruptedError(forKey: .checks, in: container, debugDescription: "Unknown check '\(key)'")
            }
            checks[check] = value
        }
        self.checks = checks
        metadata = try container.decodeIfPresent([String: String].self, forKey: .metadata)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(operationType, forKey: .operationType)
        try container.encode(authorityMode, forKey: .authorityMode)
        try container.encode(allowed, forKey: .allowed)
        try container.encode(retryable, forKey: .retryable)
        try container.encode(reasonCode, forKey: .reasonCode)
        try container.encode(denialClass, forKey: .denialClass)
        try container.encode(initiator, forKey: .initiator)
        try container.encode(targetScope, forKey: .targetScope)
        try container.encode(Dictionary(uniqueKeysWithValues: checks.map { ($0.key.rawValue, $0.value) }), forKey: .checks)
        try container.encodeIfPresent(metadata, forKey: .metadata)
    }
}
