import Foundation
import GlobalStacksAgentProtocol
import GlobalStacksDomain
import GlobalStacksStore
import GlobalStacksUseCases
import Logging

/// What an extension's operation answered on an agent.
struct DispatchedAnswer: Sendable {
    let answer: BrokerInvocation.Answer
    let agentID: AgentID
    let cached: Bool
    let durationMilliseconds: Int
}

/// Runs one operation of an installed extension on an agent (docs/broker.md), for every run that needs one: an
/// invocation, a data-plane instance's provisioning, an object store's calls. The admission is applied again from the
/// current state (`InvocationAdmission`: install, consent, input, agents) and the signing key is checked; the agent
/// gets the release's digests and signature, a credential for that artifact, the request, and an environment of the
/// install's effective settings and granted secrets only. While it runs, the release and its key are watched: a
/// revocation stops the invocation on the agent and fails the run with the reason. The artifact never runs here.
struct ExtensionDispatch: Sendable {
    let store: any InstallRepository
    let admission: InvocationAdmission
    let live: LiveCommands
    let connections: AgentConnections
    let sealer: SecretSealer
    let grants: ArtifactGrants
    let issuer: CredentialIssuer
    /// How often a running invocation looks whether its release or signing key was revoked (on any replica).
    var revocationCheckInterval: Duration = .seconds(1)

    /// The agents connected to this process now.
    var connectedAgents: Set<AgentID> { Set(connections.connectedAgents) }

    private struct Revoked: Error {
        let reason: String
    }

    /// Runs `invocation` for `context`'s run on an able agent connected here (`preferring` one when it is able).
    func dispatch(_ invocation: ExtensionInvocation, _ context: ExecutionContext, preferring preferred: AgentID? = nil) async throws -> DispatchedAnswer {
        let scope = context.scope
        let run = context.run
        let key = invocation.key
        let operationName = invocation.operation
        // The same admission the request passed, from the state as it is now.
        let admitted = try await permanent { try await admission.admit(invocation, in: scope) }
        let installed = admitted.installed
        let release = installed.release.release
        let manifest = release.manifest
        let signer = try await signingKey(key, version: manifest.version, scope)
        let connected = Set(connections.connectedAgents)
        let able = admitted.agents.filter { connected.contains($0.id) }
        guard let agent = able.first(where: { $0.id == preferred }) ?? able.randomElement() else {
            throw ExecutionError.permanent("No agent able to run '\(key)' in the target is connected to this server now (\(admitted.agents.count) are connected elsewhere or reconnecting); invoke again in a moment.")
        }

        let policy = try await store.extensionPolicy(key: key, scope)
        let secrets = try sealer.open(try await store.sealedSecrets(key: key, scope))
        let settings = manifest.settings.effective(tenant: installed.install.settings, policy: policy).filter { !manifest.settings.secretKeys.contains($0.key) }
        let invocationID = "run-\(run.id.rawValue)"
        let request = BrokerInvocation.request(
            invocationID: invocationID, extensionKey: key, version: release.version, operation: operationName, targetKind: invocation.targetKind,
            targetID: invocation.targetID, input: invocation.input, tenantID: scope.tenantID.rawValue
        )
        let timeLimit = BrokerInvocation.timeLimitSeconds
        var payload = InvokeExtensionPayload(
            invocationId: invocationID, extensionKey: key.rawValue, manifestDigest: release.manifestDigest.rawValue,
            artifactDigest: release.artifactDigest.rawValue, signature: release.signature.base64EncodedString(),
            publicKey: signer.publicKey.base64EncodedString(), artifactPath: "v1/broker/artifacts/\(release.artifactDigest.rawValue)",
            artifactToken: grants.issue(run: run.id, digest: release.artifactDigest, expiresAt: Date().addingTimeInterval(timeLimit + 120)),
            entrypoint: manifest.entrypoint, request: try request.encodedText(),
            environment: [
                "GLOBALSTACKS_BROKER_PROTOCOL": BrokerInvocation.protocolVersion,
                "GLOBALSTACKS_INVOCATION_ID": invocationID,
                "GLOBALSTACKS_EXTENSION_KEY": key.rawValue,
                "GLOBALSTACKS_SETTINGS": try JSONValue.object(settings).encodedText(),
                "GLOBALSTACKS_SECRETS": try JSONValue.object(secrets).encodedText(),
            ],
            egress: manifest.egress.map { "\($0.host):\($0.port)" }, timeoutSeconds: timeLimit, outputLimitBytes: BrokerInvocation.outputLimitBytes,
            cpu: "1", memory: "512Mi"
        )
        // Settings and secrets reach the entrypoint JSON-encoded (control characters escaped), under names of ours;
        // the environment still obeys the rule every process start does.
        do { try Validation.processEnvironment(payload.environment) } catch { throw ExecutionError.permanent("\(error)") }
        // The API credential, when the release was granted permissions: the invoking person's rights, narrowed to
        // those permissions in this tenant, ending with the invocation.
        let granted = Set(manifest.permissions.map(\.permission)).filter { installed.install.consentedPermissions.contains($0.rawValue) }
        var credential: Credential?
        if !granted.isEmpty, let user = run.authority.userID {
            let issued = try await issuer.issueInvocationCredential(
                user: user, organization: scope.organizationID, tenant: scope.tenantID, permissions: granted,
                expiresAt: Date().addingTimeInterval(timeLimit + 30), at: Date()
            )
            credential = issued.credential
            payload.apiToken = issued.token
        }
        defer {
            if let credential { Task { [issuer] in try? await issuer.revoke(credential, at: Date()) } }
        }
        guard let command = try await live.start(.invokeExtension(payload), agent: agent.id) else {
            throw ExecutionError.permanent("Agent \(agent.name) disconnected before the invocation could be sent; invoke again.")
        }
        context.logger.info("Invocation sent", metadata: ["agent_id": "\(agent.id)", "extension": "\(key)", "operation": "\(operationName)"])
        let result: InvokeExtensionResult
        do {
            result = try await watched(command, key: key, scope)
        } catch let revoked as Revoked {
            await command.cancel()
            context.logger.notice("Invocation stopped: its extension was revoked", metadata: ["reason": "\(revoked.reason)"])
            throw ExecutionError.permanent(revoked.reason)
        } catch {
            await command.cancel()
            throw error
        }
        switch BrokerInvocation.answer(
            stdout: result.stdout, stdoutTruncated: result.stdoutTruncated, stderrTail: result.stderrTail, exitCode: result.exitCode, signal: result.signal,
            timedOut: result.timedOut, timeLimit: timeLimit, operation: admitted.operation
        ) {
        case .success(let answer):
            return DispatchedAnswer(answer: answer, agentID: agent.id, cached: result.cached, durationMilliseconds: result.durationMilliseconds)
        case .failure(.failed(let reason, let diagnostics)):
            throw ExecutionError.permanent(BrokerInvocation.message(reason, diagnostics: diagnostics))
        }
    }

    /// The key that signed the installed release, unless it is gone or revoked.
    private func signingKey(_ key: ExtensionKey, version: SemanticVersion, _ scope: TenantScope) async throws -> PublisherKey {
        guard let signer = try await store.installSigningKey(key: key, scope) else {
            throw ExecutionError.permanent("The key that signed '\(key)' \(version) is gone.")
        }
        if signer.revokedAt != nil {
            throw ExecutionError.permanent("The publisher key that signed '\(key)' \(version) was revoked (\(signer.revokedReason ?? "no reason given")).")
        }
        return signer
    }

    /// The agent's result, unless the release or its key is revoked first.
    private func watched(_ command: LiveCommand, key: ExtensionKey, _ scope: TenantScope) async throws -> InvokeExtensionResult {
        try await withThrowingTaskGroup(of: InvokeExtensionResult?.self) { group in
            group.addTask {
                for await event in command.events {
                    switch event {
                    case .finished(let outcome):
                        do {
                            return try WorkspaceChannel.result(outcome, as: InvokeExtensionResult.self)
                        } catch let error as DomainError {
                            throw ExecutionError.permanent("The agent could not run the extension: \(error.message)")
                        }
                    case .disconnected: throw ExecutionError.permanent("The agent disconnected while the extension ran; its outcome is unknown.")
                    case .frame, .credit: continue
                    }
                }
                throw ExecutionError.permanent("The agent disconnected while the extension ran; its outcome is unknown.")
            }
            group.addTask {
                while true {
                    try await Task.sleep(for: revocationCheckInterval)
                    if let reason = try await revocation(key, scope) { throw Revoked(reason: reason) }
                }
            }
            defer { group.cancelAll() }
            while let next = try await group.next() {
                if let next { return next }
            }
            throw ExecutionError.permanent("The invocation ended without an answer.")
        }
    }

    /// Why the invocation must stop now: its release was revoked, its install disabled, or its key revoked.
    private func revocation(_ key: ExtensionKey, _ scope: TenantScope) async throws -> String? {
        guard let installed = try await store.install(key: key, scope) else { return "'\(key)' was uninstalled; the invocation was stopped." }
        switch installed.install.status {
        case .disabled, .unsupported:
            return "'\(key)' \(installed.release.release.version) was revoked (\(installed.install.statusReason ?? "no reason given")); the invocation was stopped."
        default:
            if let keyReason = installed.release.keyRevokedReason {
                return "The publisher key that signed '\(key)' was revoked (\(keyReason)); the invocation was stopped."
            }
            return nil
        }
    }

    private func permanent<Value>(_ work: () async throws -> Value) async throws -> Value {
        do {
            return try await work()
        } catch let error as DomainError {
            throw ExecutionError.permanent(error.message)
        }
    }
}
