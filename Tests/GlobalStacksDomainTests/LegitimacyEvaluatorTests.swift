import Foundation
import GlobalStacksDomain
import Testing

@Suite("Execution legitimacy")
struct LegitimacyEvaluatorTests {
    static let tenantID = TenantID.generate()
    static let organizationID = OrganizationID.generate()
    static let target = LegitimacyDecision.TargetScope(workspaceID: 3, tenantID: 7, providerConnectionID: 11)

    static func connection(_ status: ProviderConnectionStatus = .connected, writesPaused: Bool = false, metadata: [String: String] = ["directoryPath": "/srv/dir.json"], tenant: TenantID = tenantID, provider: String = "directory-file") -> ProviderConnection {
        ProviderConnection(
            id: ProviderConnectionID(rawValue: 11), tenantID: tenant, provider: provider, kind: "directory", name: "Corp",
            status: status, statusReason: nil, externalAccountID: nil, credentialReference: "env:X", isDefault: true,
            writesPaused: writesPaused, metadata: metadata, createdAt: Date(), updatedAt: Date()
        )
    }

    /// Facts where everything passes; each test breaks one thing.
    static func facts(
        _ definition: OperationTypeDefinition = .directoryGroupsSync, mode: AuthorityMode = .actorBound,
        workspaceExists: Bool = true, tenant: LegitimacyFacts.TenantState? = .init(belongsToWorkspace: true, status: .active),
        initiator: LegitimacyFacts.InitiatorState? = .init(isActive: true, siteRole: .user, organizationRole: .admin),
        connection: ProviderConnection? = connection()
    ) -> LegitimacyFacts {
        LegitimacyFacts(
            definition: definition, authorityMode: mode, organizationID: organizationID, tenantID: tenantID,
            workspaceExists: workspaceExists, tenant: tenant, initiator: mode == .actorBound ? initiator : nil, connection: connection
        )
    }

    static func judge(_ facts: LegitimacyFacts) -> LegitimacyVerdict {
        LegitimacyEvaluator.judge(facts, target: target, initiatorNumber: facts.authorityMode == .actorBound ? 5 : nil)
    }

    static func decide(_ facts: LegitimacyFacts) -> LegitimacyDecision {
        LegitimacyEvaluator.evaluate(facts, target: target, initiatorNumber: facts.authorityMode == .actorBound ? 5 : nil)
    }

    /// Every reason code, produced from the state that causes it, with the check that fails.
    static let denials: [(String, LegitimacyFacts, LegitimacyReason, LegitimacyCheck)] = [
        ("organization gone", facts(workspaceExists: false), .workspaceMismatch, .workspaceScope),
        ("tenant moved", facts(tenant: .init(belongsToWorkspace: false, status: .active)), .workspaceMismatch, .workspaceScope),
        ("tenant gone", facts(tenant: nil), .tenantMissing, .tenantScope),
        ("initiator gone", facts(initiator: nil), .initiatorMissing, .tenantScope),
        ("initiator deactivated", facts(initiator: .init(isActive: false, siteRole: .user, organizationRole: .admin)), .initiatorNotEntitled, .tenantScope),
        ("initiator left", facts(initiator: .init(isActive: true, siteRole: .user, organizationRole: nil)), .tenantNotEntitled, .tenantScope),
        ("initiator demoted", facts(initiator: .init(isActive: true, siteRole: .admin, organizationRole: .member)), .missingCapability, .capability),
        ("tenant suspended", facts(tenant: .init(belongsToWorkspace: true, status: .suspended)), .tenantNotOperable, .tenantOperability),
        ("tenant archived", facts(tenant: .init(belongsToWorkspace: true, status: .archived)), .tenantNotOperable, .tenantOperability),
        ("no connection", facts(connection: nil), .providerConnectionInvalid, .executionPrerequisites),
        ("connection needs reauth", facts(connection: connection(.needsReauth)), .providerConnectionInvalid, .executionPrerequisites),
        ("connection deleted", facts(connection: connection(.deleted)), .providerConnectionInvalid, .executionPrerequisites),
        ("connection of another tenant", facts(connection: connection(tenant: .generate())), .providerConnectionInvalid, .executionPrerequisites),
        ("disabled connection, verify", facts(.providerConnectionVerify, connection: connection(.disabled)), .providerConnectionInvalid, .executionPrerequisites),
        ("writes paused", facts(.testConnectionWrite, connection: connection(writesPaused: true)), .writeGateBlocked, .executionPrerequisites),
        ("directory path missing", facts(connection: connection(metadata: [:])), .executionPrerequisiteInvalid, .executionPrerequisites),
    ]

    @Test(arguments: 0..<denials.count)
    func eachReasonStopsAtItsCheck(index: Int) {
        let (name, facts, reason, failedCheck) = Self.denials[index]
        let decision = Self.decide(facts)
        #expect(!decision.allowed, "\(name)")
        #expect(decision.reasonCode == reason, "\(name)")
        #expect(decision.denialClass == reason.denialClass, "\(name)")
        #expect(decision.retryable == reason.denialClass.isRetryable, "\(name)")
        let order = LegitimacyCheck.allCases
        let failedAt = order.firstIndex(of: failedCheck)!
        for (position, check) in order.enumerated() {
            let expected: LegitimacyCheckResult = position < failedAt ? .passed : position == failedAt ? .failed : .notApplicable
            #expect(decision.checks[check] == expected, "\(name): \(check.rawValue)")
        }
        #expect(decision.metadata?["detail"]?.isEmpty == false, "\(name) explains itself")
        #expect(Self.judge(facts).executionScope == nil, "a denied run gets no scope")
    }

    @Test func everyReasonCodeIsCovered() {
        #expect(Set(Self.denials.map(\.2)) == Set(LegitimacyReason.allCases))
    }

    @Test func denialClassesAndRetryableFollowTheContract() {
        let expected: [LegitimacyReason: (DenialClass, Bool)] = [
            .workspaceMismatch: (.scopeDenied, false), .tenantNotEntitled: (.scopeDenied, false), .tenantMissing: (.scopeDenied, false),
            .missingCapability: (.capabilityDenied, false),
            .initiatorMissing: (.initiatorInvalid, false), .initiatorNotEntitled: (.initiatorInvalid, false),
            .tenantNotOperable: (.tenantNotOperable, true),
            .providerConnectionInvalid: (.prerequisiteInvalid, true), .writeGateBlocked: (.prerequisiteInvalid, true),
            .executionPrerequisiteInvalid: (.prerequisiteInvalid, true),
        ]
        for reason in LegitimacyReason.allCases {
            #expect(reason.denialClass == expected[reason]?.0, "\(reason)")
            #expect(reason.denialClass.isRetryable == expected[reason]?.1, "\(reason)")
        }
    }

    @Test func allowedRunsGetTheirTenantScope() {
        let facts = Self.facts()
        let decision = Self.decide(facts)
        #expect(decision.allowed && decision.reasonCode == nil && decision.denialClass == nil)
        #expect(decision.checks.values.allSatisfy { $0 == .passed })
        #expect(decision.initiator == .init(identityType: .user, userID: 5))
        let scope = Self.judge(facts).executionScope
        #expect(scope?.tenantID == Self.tenantID && scope?.organizationID == Self.organizationID)
        #expect(Self.judge(facts).decision == decision, "the verdict carries the same decision document")
    }

    @Test func systemRunsHoldTheSystemsAuthority() {
        let decision = Self.decide(Self.facts(mode: .systemAuthority))
        #expect(decision.allowed)
        #expect(decision.authorityMode == .systemAuthority)
        #expect(decision.initiator == .init(identityType: .system, userID: nil))
        let suspended = Self.decide(Self.facts(mode: .systemAuthority, tenant: .init(belongsToWorkspace: true, status: .suspended)))
        #expect(suspended.reasonCode == .tenantNotOperable, "the system's authority does not make a tenant operable")
    }

    @Test func operationsWithoutConnectionsSkipConnectionChecks() {
        #expect(Self.decide(Self.facts(.testNoop, connection: nil)).allowed)
    }

    @Test func decisionsRoundTripThroughJSONWithTheSchemasKeys() throws {
        let decision = Self.decide(Self.denials[6].1)
        let data = try JSONEncoder().encode(decision)
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(Set(object.keys) == ["operation_type", "authority_mode", "allowed", "retryable", "reason_code", "denial_class", "initiator", "target_scope", "checks", "metadata"])
        #expect(try JSONDecoder().decode(LegitimacyDecision.self, from: data) == decision)
    }

    @Test func reasonsTranslateTheSameForEveryInitiator() {
        for reason in LegitimacyReason.allCases {
            let translated = RunReason.legitimacy(reason, detail: "Detail.")
            #expect(translated.code == reason.rawValue)
            #expect(translated.shortReason.hasSuffix("Detail."))
            #expect(!translated.nextSteps(connectionHref: "/v1/integrations/1").isEmpty)
        }
        #expect(RunReason.deadlineExceeded.code == "deadline_exceeded")
    }

    @Test func dedupeIdentityIsDeterministicUnlessTheTypeIsUniquePerRequest() {
        let tenant = TenantID.generate()
        let connection = ProviderConnectionID(rawValue: 4)
        let a = OperationRun.identity(.directoryGroupsSync, tenantID: tenant, connectionID: connection, targetContext: ["a": "1", "b": "2"], nonce: "x")
        let b = OperationRun.identity(.directoryGroupsSync, tenantID: tenant, connectionID: connection, targetContext: ["b": "2", "a": "1"], nonce: "y")
        #expect(a == b)
        #expect(a != OperationRun.identity(.directoryGroupsSync, tenantID: tenant, connectionID: ProviderConnectionID(rawValue: 5), targetContext: [:], nonce: "x"))
        #expect(OperationRun.identity(.testNoop, tenantID: tenant, connectionID: nil, targetContext: [:], nonce: "x")
            != OperationRun.identity(.testNoop, tenantID: tenant, connectionID: nil, targetContext: [:], nonce: "y"))
        #expect(OperationRun.scopeKey(.testNoop, tenantID: tenant, connectionID: nil) == nil)
        #expect(OperationRun.scopeKey(.directoryGroupsSync, tenantID: tenant, connectionID: connection)
            == OperationRun.scopeKey(.providerConnectionVerify, tenantID: tenant, connectionID: connection))
    }

    @Test func connectionInputIsValidated() {
        #expect(throws: DomainError.self) { try ProviderConnection.validateCredentialReference("hunter2") }
        #expect(throws: DomainError.self) { try ProviderConnection.validateCredentialReference("env:BAD-NAME") }
        #expect(throws: DomainError.self) { try ProviderConnection.validateToken("Azure AD", field: "provider") }
        #expect(throws: DomainError.self, "only GSTACKS_CREDENTIAL_ variables") { try ProviderConnection.validateCredentialReference("env:GSTACKS_DATABASE_URL") }
        #expect((try? ProviderConnection.validateCredentialReference("env:GSTACKS_CREDENTIAL_TOKEN_1")) == "env:GSTACKS_CREDENTIAL_TOKEN_1")
        #expect((try? ProviderConnection.validateCredentialReference("file:/etc/gstacks/token")) == "file:/etc/gstacks/token")
        #expect(!ProviderConnectionStatus.deleted.canTransition(to: .connected))
        #expect(!ProviderConnectionStatus.connected.canTransition(to: .deleted))
    }
}
