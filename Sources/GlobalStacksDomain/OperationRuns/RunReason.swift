/// Why a run was refused or ended the way it did, translated once for people: the start gate, run details,
/// person-started and system-started runs all use these words.
public enum RunReason: Sendable, Equatable {
    /// Refused by the legitimacy check (at the start gate or before an attempt).
    case legitimacy(LegitimacyReason, detail: String)
    /// The executor failed on its last allowed attempt.
    case executionFailed(String)
    /// Queued or running past the operation type's deadline.
    case deadlineExceeded
    case cancelled

    public var code: String {
        switch self {
        case .legitimacy(let reason, _): reason.rawValue
        case .executionFailed: "execution_failed"
        case .deadlineExceeded: "deadline_exceeded"
        case .cancelled: "cancelled"
        }
    }

    public var shortReason: String {
        switch self {
        case .legitimacy(let reason, let detail):
            "\(Self.summary(reason)) \(detail)"
        case .executionFailed(let message):
            "The operation failed: \(message)"
        case .deadlineExceeded:
            "The operation did not finish before its deadline; no worker completed it in time."
        case .cancelled:
            "The operation was cancelled."
        }
    }

    /// What a person can do about it; `connectionHref` points at the run's provider connection when there is one.
    public func nextSteps(connectionHref: String?) -> [NextStep] {
        switch self {
        case .legitimacy(let reason, _):
            switch reason.denialClass {
            case .scopeDenied, .initiatorInvalid:
                return [NextStep(label: "Start the operation again as a current member of the organization", actionType: "restart")]
            case .capabilityDenied:
                return [NextStep(label: "Ask an organization owner or admin to start it", description: "Your current role does not allow this operation.", actionType: "request_access")]
            case .tenantNotOperable:
                return [NextStep(label: "Reactivate the tenant", description: "An owner or admin can set the tenant's status to active.", actionType: "reactivate_tenant")]
            case .prerequisiteInvalid:
                switch reason {
                case .writeGateBlocked:
                    return [NextStep(label: "Resume provider writes on the connection", href: connectionHref, actionType: "open_write_gate")]
                case .executionPrerequisiteInvalid:
                    return [NextStep(label: "Complete the connection's configuration", href: connectionHref, actionType: "configure_connection")]
                default:
                    return [NextStep(label: "Connect or re-authorize the provider account", href: connectionHref ?? "/v1/integrations", actionType: "reauthorize_connection")]
                }
            }
        case .executionFailed:
            return [NextStep(label: "Check the provider account and start the operation again", href: connectionHref, actionType: "restart")]
        case .deadlineExceeded:
            return [NextStep(label: "Start the operation again", description: "If this repeats, check that the server's operation workers are running.", actionType: "restart")]
        case .cancelled:
            return []
        }
    }

    private static func summary(_ reason: LegitimacyReason) -> String {
        switch reason.denialClass {
        case .scopeDenied: "The run is outside the scope it was started for."
        case .capabilityDenied: "The initiator is not allowed to run this operation."
        case .initiatorInvalid: "The initiator can no longer run operations."
        case .tenantNotOperable: "The tenant is not operable."
        case .prerequisiteInvalid: "A provider prerequisite is missing."
        }
    }
}
