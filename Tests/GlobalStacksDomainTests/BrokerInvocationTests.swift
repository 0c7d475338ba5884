import Foundation
@testable import GlobalStacksDomain
import Testing

/// The broker's rules without an agent: what is refused before a run, how the entrypoint's answer is read, and
/// what an invocation credential may call.
@Suite("Broker rules")
struct BrokerInvocationTests {
    static let operations = """
        ,"operations":[{"name":"list","targetKind":"cluster","permissions":["sandboxes.read"],
          "inputSchema":{"type":"object","properties":{"prefix":{"type":"string"}},"required":["prefix"],"additionalProperties":false},
          "outputSchema":{"type":"object","properties":{"count":{"type":"integer"}},"required":["count"]}}]
        """

    static func install(_ manifest: ExtensionManifest, status: ExtensionInstall.Status = .installed, permissions: [String]? = nil) -> ExtensionInstall {
        let digest = ContentDigest("sha256:" + String(repeating: "a", count: 64))!
        return ExtensionInstall(
            id: .generate(), tenantID: .generate(), packageID: .generate(), extensionKey: manifest.key, releaseID: .generate(), version: manifest.version,
            status: status, statusReason: status == .installed ? nil : "why", consentedManifestDigest: digest, consentedArtifactDigest: digest,
            consentedPermissions: permissions ?? manifest.permissionNames, consentedEgress: manifest.egressNames, settings: [:], secretKeysSet: [],
            installedBy: .generate(), createdAt: Date(), updatedAt: Date()
        )
    }

    static func refusal(_ body: () throws -> Void) -> DomainError? {
        do {
            try body()
            return nil
        } catch {
            return error as? DomainError
        }
    }

    @Test func refusalsBeforeARunNameWhatIsMissing() throws {
        let manifest = try MarketplaceDomainTests.manifest(Self.operations)
        let ok = try BrokerInvocation.admit(install: Self.install(manifest), status: .installed, statusReason: nil, manifest: manifest, operation: "list", targetKind: "cluster")
        #expect(ok.name == "list")
        func admit(_ install: ExtensionInstall, _ status: ExtensionInstall.Status, operation: String = "list", kind: String = "cluster") -> DomainError? {
            Self.refusal { _ = try BrokerInvocation.admit(install: install, status: status, statusReason: install.statusReason, manifest: manifest, operation: operation, targetKind: kind) }
        }
        let reconsent = admit(Self.install(manifest, status: .needsReconsent), .needsReconsent)
        #expect(reconsent?.kind == .forbidden && reconsent?.message.contains("consent") == true)
        #expect(admit(Self.install(manifest, status: .disabled), .disabled)?.message.contains("disabled (why)") == true)
        let undeclared = admit(Self.install(manifest), .installed, operation: "drop")
        #expect(undeclared?.kind == .forbidden && undeclared?.message.contains("declares no operation 'drop' (it declares: list)") == true)
        let permission = admit(Self.install(manifest, permissions: []), .installed)
        #expect(permission?.kind == .forbidden && permission?.message.contains("'sandboxes.read'") == true, "\(String(describing: permission))")
        #expect(admit(Self.install(manifest), .installed, kind: "tenant")?.kind == .invalidInput)

        let operation = try #require(manifest.operations.first)
        #expect(Self.refusal { try BrokerInvocation.validate(input: ["prefix": .string("a/")], against: operation) } == nil)
        let bad = Self.refusal { try BrokerInvocation.validate(input: ["prefix": .number(3)], against: operation) }
        #expect(bad?.kind == .invalidInput && bad?.message.contains("input.prefix") == true, "\(String(describing: bad))")
        #expect(Self.refusal { try BrokerInvocation.validate(input: [:], against: operation) }?.message.contains("prefix") == true)
    }

    @Test func theAnswerIsReadFromStdoutAndCheckedAgainstTheOutputSchema() throws {
        let operation = try #require(try MarketplaceDomainTests.manifest(Self.operations).operations.first)
        func answer(_ stdout: String, exit: Int? = 0, signal: String? = nil, timedOut: Bool = false, truncated: Bool = false, stderr: String = "") -> Result<BrokerInvocation.Answer, BrokerInvocation.Failure> {
            BrokerInvocation.answer(stdout: Data(stdout.utf8), stdoutTruncated: truncated, stderrTail: Data(stderr.utf8), exitCode: exit, signal: signal,
                                    timedOut: timedOut, timeLimit: 50, operation: operation)
        }
        #expect(try answer(#"{"outputs":{"count":3},"diagnostics":["listed"]}"#).get() == BrokerInvocation.Answer(outputs: ["count": .number(3)], diagnostics: ["listed"]))
        func reason(_ result: Result<BrokerInvocation.Answer, BrokerInvocation.Failure>) -> (String, [String])? {
            guard case .failure(.failed(let reason, let diagnostics)) = result else { return nil }
            return (reason, diagnostics)
        }
        #expect(reason(answer(#"{"outputs":{"count":"three"}}"#))?.0.contains("outputs.count") == true)
        #expect(reason(answer(#"{"outputs":{"count":1}}"#, timedOut: true))?.0.contains("time limit of 50 s") == true)
        #expect(reason(answer("x", truncated: true))?.0.contains("more than") == true)
        let failed = reason(answer(#"{"error":"bucket exists","diagnostics":["tried"]}"#, exit: 3, stderr: "trace 1\ntrace 2\n"))
        #expect(failed?.0 == "The extension exited with status 3: bucket exists." && failed?.1 == ["tried", "stderr: trace 1", "stderr: trace 2"], "\(String(describing: failed))")
        #expect(reason(answer("", exit: nil, signal: "SIGKILL"))?.0.contains("ended by SIGKILL") == true)
        #expect(reason(answer("not json"))?.0.contains("not a JSON object") == true)
        #expect(reason(answer(#"{"result":{}}"#))?.0.contains("no \"outputs\"") == true)
        let many = (0..<80).map { "\"" + String(repeating: "d", count: 5_000) + "\($0)\"" }.joined(separator: ",")
        let bounded = try answer(#"{"outputs":{"count":1},"diagnostics":[\#(many)]}"#).get().diagnostics
        #expect(bounded.count == BrokerInvocation.maximumDiagnostics && bounded.allSatisfy { $0.count == BrokerInvocation.maximumDiagnosticCharacters })
        #expect(BrokerInvocation.message("Failed.", diagnostics: bounded).count <= BrokerInvocation.maximumMessageDiagnostics + 10)
    }

    @Test func anInvocationCredentialCallsOnlyWhatItsPermissionsOpen() throws {
        var principal = AccessPolicyTests.principal(role: .owner)
        #expect(throws: Never.self) { try AccessPolicy.requireInvocationAllows("createApiKey", principal) }  // a person's credential
        let now = Date()
        principal = Principal(
            user: principal.user,
            credential: Credential(id: .generate(), kind: .invocation, userID: principal.user.id, name: nil, tokenPrefix: "gse_x", createdAt: now,
                                   lastUsedAt: now, expiresAt: now.addingTimeInterval(60), revokedAt: nil, permissions: [.clustersRead]),
            organization: principal.organization, tenant: principal.tenant
        )
        #expect(throws: Never.self) { try AccessPolicy.requireInvocationAllows("listClusters", principal) }
        for operation in ["listSandboxes", "createApiKey", "activateTenant", "invokeIntegrationExtension", "installIntegration", "getSession"] {
            #expect(Self.refusal { try AccessPolicy.requireInvocationAllows(operation, principal) }?.kind == .forbidden, "\(operation)")
        }
        // Every operation named in the table exists once, under one permission.
        let named = ExtensionPermission.allCases.flatMap { ExtensionPermission.operations[$0] ?? [] }
        #expect(named.count == Set(named).count)
    }
}
