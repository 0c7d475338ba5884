import Foundation

/// Who a quota limits.
public enum QuotaSubject: Sendable, Equatable {
    case user
    case group(name: String)
    case organization

    var label: String {
        switch self {
        case .user: "Your user quota"
        case .group(let name): "The quota of group '\(name)'"
        case .organization: "The organization's quota"
        }
    }
}

/// Limits of one quota; nil means that dimension is not limited by it.
public struct QuotaLimits: Sendable, Equatable {
    public var maxSessions: Int?
    public var maxCPU: CPUQuantity?
    public var maxMemory: ByteQuantity?
    public var maxStorage: ByteQuantity?

    public init(maxSessions: Int? = nil, maxCPU: CPUQuantity? = nil, maxMemory: ByteQuantity? = nil, maxStorage: ByteQuantity? = nil) {
        self.maxSessions = maxSessions
        self.maxCPU = maxCPU
        self.maxMemory = maxMemory
        self.maxStorage = maxStorage
    }

    /// These limits changed by `change` (the contract's SetQuotaRequest): only the limits it gives change.
    public func updated(with change: QuotaLimits) throws -> QuotaLimits {
        if let sessions = change.maxSessions, !(0...1_000_000).contains(sessions) {
            throw DomainError.invalidInput("maxSessions must be 0 to 1000000.")
        }
        return QuotaLimits(
            maxSessions: change.maxSessions ?? maxSessions, maxCPU: change.maxCPU ?? maxCPU,
            maxMemory: change.maxMemory ?? maxMemory, maxStorage: change.maxStorage ?? maxStorage
        )
    }
}

/// What sandboxes hold, or what a new one asks for.
public struct ResourceUse: Sendable, Equatable {
    public var sessions: Int
    public var cpu: CPUQuantity
    public var memory: ByteQuantity
    public var storage: ByteQuantity

    public init(sessions: Int, cpu: CPUQuantity, memory: ByteQuantity, storage: ByteQuantity) {
        self.sessions = sessions
        self.cpu = cpu
        self.memory = memory
        self.storage = storage
    }
}

/// One quota that applies to an admission, with what is already counted against it.
public struct ApplicableQuota: Sendable, Equatable {
    public let subject: QuotaSubject
    public let limits: QuotaLimits
    public let used: ResourceUse

    public init(subject: QuotaSubject, limits: QuotaLimits, used: ResourceUse) {
        self.subject = subject
        self.limits = limits
        self.used = used
    }
}

/// Admission against every quota that applies (user, each group, organization): the most restrictive decides,
/// and the refusal names the quota, its limit and current use. Run inside the transaction that records the
/// sandbox, with usage read under lock, so two concurrent admissions cannot both take the last unit.
public enum QuotaCheck {
    public static func admit(_ request: ResourceUse, under quotas: [ApplicableQuota]) throws {
        for quota in quotas {
            let label = quota.subject.label
            if let max = quota.limits.maxSessions, quota.used.sessions + request.sessions > max {
                throw DomainError.conflict("\(label) allows \(max) sandboxes; \(quota.used.sessions) are running.")
            }
            if let max = quota.limits.maxCPU, quota.used.cpu + request.cpu > max {
                throw DomainError.conflict("\(label) allows \(max) CPU; \(quota.used.cpu) is in use and this sandbox asks for \(request.cpu).")
            }
            if let max = quota.limits.maxMemory, quota.used.memory + request.memory > max {
                throw DomainError.conflict("\(label) allows \(max) memory; \(quota.used.memory) is in use and this sandbox asks for \(request.memory).")
            }
            if let max = quota.limits.maxStorage, quota.used.storage + request.storage > max {
                throw DomainError.conflict("\(label) allows \(max) storage; \(quota.used.storage) is in use and this sandbox asks for \(request.storage).")
            }
        }
    }
}

/// Whose quota a request reads or sets.
public enum QuotaTarget: Sendable, Equatable, Hashable {
    case organization
    case user(UserID)
    case group(GroupID)
}

/// A quota's limits beside what is counted against it now (the usage endpoints).
public struct QuotaUsage: Sendable, Equatable {
    public let target: QuotaTarget
    public let limits: QuotaLimits
    public let used: ResourceUse
    public let updatedAt: Date?

    public init(target: QuotaTarget, limits: QuotaLimits, used: ResourceUse, updatedAt: Date?) {
        self.target = target
        self.limits = limits
        self.used = used
        self.updatedAt = updatedAt
    }
}
