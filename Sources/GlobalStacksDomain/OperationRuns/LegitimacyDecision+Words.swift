/// A legitimacy decision in words for people (the console's run page): what each check asks, what each reason code
/// means, and whether starting again can help. The codes stay the contract's; these sentences explain them.
extension LegitimacyCheck {
    /// The question the check answers, in the order the checks run.
    public var question: String {
        switch self {
        case .workspaceScope: "Does the run still belong to its workspace?"
        case .tenantScope: "Does the tenant still exist, and may the person who started the run still act in it?"
        case .capability: "Does the person who started it still hold the role this operation needs?"
        case .tenantOperability: "Is the tenant operable (active)?"
        case .executionPrerequisites: "Is the provider connection the operation needs present, usable and open for writes?"
        }
    }
}

extension LegitimacyCheckResult {
    public var words: String {
        switch self {
        case .passed: "passed"
        case .failed: "failed"
        case .notApplicable: "not checked (an earlier check failed)"
        }
    }
}

extension LegitimacyReason {
    /// What the reason code means, as a sentence.
    public var explanation: String {
        switch self {
        case .workspaceMismatch: "The run's tenant is no longer part of the workspace it was started in, or that workspace is gone."
        case .tenantNotEntitled: "The person who started the run is no longer a member of the workspace."
        case .missingCapability: "The person who started the run no longer holds a role that may run this operation."
        case .tenantNotOperable: "The tenant is suspended or archived, so it runs no new work."
        case .tenantMissing: "The run's tenant no longer exists."
        case .initiatorMissing: "The account of the person who started the run no longer exists."
        case .initiatorNotEntitled: "The account of the person who started the run is deactivated."
        case .providerConnectionInvalid: "The provider connection the run needs is missing, disabled, deleted or not connected."
        case .writeGateBlocked: "Writes to the provider are paused on the connection the run uses."
        case .executionPrerequisiteInvalid: "The provider connection lacks a setting this operation needs."
        }
    }
}

extension DenialClass {
    /// Whether starting the run again can help, as a sentence.
    public var retryAdvice: String {
        isRetryable
            ? "Starting it again can succeed once the tenant or the connection is put right."
            : "Starting it again will not help unless someone who may run it now starts it."
    }
}

extension AuthorityMode {
    public var words: String {
        switch self {
        case .actorBound: "Started by a person, and re-checked against that person's current rights before every attempt."
        case .systemAuthority: "Started by the system (a schedule or a follow-up), under the system's authority."
        }
    }
}
