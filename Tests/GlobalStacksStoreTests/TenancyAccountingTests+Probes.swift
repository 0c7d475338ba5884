import Foundation
@testable import GlobalStacksDomain
import GlobalStacksStore
import Testing

/// One call of every request-store method (but the installation-wide ones) with another tenant's scope, on A's ids
/// where the method takes one. Named by its declaration ("Protocol.name(label:…)"), so the accounting can tell a
/// method nobody calls here.
extension TenancyAccountingTests {
    static func probe(_ store: any Store, _ world: World, _ probes: inout TenancyProbes) async throws {
        try await probeAccounts(store, world, &probes)
        try await probeClustersAndAgents(store, world, &probes)
        try await probeOperations(store, world, &probes)
        try await probeSandboxes(store, world, &probes)
        try await probeGroupsAndQuotas(store, world, &probes)
        try await probePublishing(store, world, &probes)
        try await probeInstalls(store, world, &probes)
        try await probeDataPlane(store, world, &probes)
        try await probeTemplates(store, world, &probes)
    }

    private static func probeAccounts(_ store: any Store, _ world: World, _ probes: inout TenancyProbes) async throws {
        let bo = world.boAccount, globex = world.globex, now = Date()
        // bo's account presenting ada's session: activating must not move ada's session (the snapshot reads it).
        let boWithAdasSession = AccountScope(userID: world.bo.id, email: world.bo.email, credentialID: world.session.id)
        await probes.reveals("AccountRepository.memberships(_:)") { try await store.memberships(bo) }
        await probes.reveals("AccountRepository.membership(organizationID:_:)") { try await store.membership(organizationID: world.organizationID, bo) }
        await probes.reveals("AccountRepository.createOrganization(name:_:at:)") { try await store.createOrganization(name: "Bo's", bo, at: now) }
        await probes.reveals("AccountRepository.apiKeys(_:)") { try await store.apiKeys(bo) }
        await probes.reveals("AccountRepository.revokeCredential(id:kind:_:at:)") {
            guard try await store.revokeCredential(id: world.session.id, kind: .session, bo, at: now) == false else {
                throw DomainError.conflict("bo revoked ada's session")
            }
        }
        await probes.reveals("AccountRepository.activateOrganization(_:_:)") { try await store.activateOrganization(globex, boWithAdasSession) }
        await probes.reveals("AccountRepository.activateTenant(_:_:)") { try await store.activateTenant(world.b, boWithAdasSession) }
        await probes.reveals("AccountRepository.clearTenant(_:_:)") { try await store.clearTenant(globex, boWithAdasSession) }
        await probes.reveals("AccountRepository.shellSession(_:)") { try await store.shellSession(boWithAdasSession) }
        await probes.reveals("AccountRepository.shellDirectory(_:)") { try await store.shellDirectory(bo) }
        // An invitation is found by its secret token, not by a scope; another address is refused (a conflict).
        await probes.refuses("AccountRepository.acceptInvitation(tokenHash:_:at:)", allowing: [.conflict]) { try await store.acceptInvitation(tokenHash: "a-invite", bo, at: now).invitation }

        await probes.reveals("OrganizationRepository.renameOrganization(name:_:at:)") { try await store.renameOrganization(name: "Globex 2", globex, at: now) }
        await probes.reveals("OrganizationRepository.members(_:)") { try await store.members(globex) }
        await probes.refuses("OrganizationRepository.changeMemberRole(member:to:_:at:)") { try await store.changeMemberRole(member: world.ada.id, to: .member, globex, at: now) }
        await probes.refuses("OrganizationRepository.removeMember(_:_:at:)") { try await store.removeMember(world.ada.id, globex, at: now) }
        await probes.reveals("OrganizationRepository.invitations(_:)") { try await store.invitations(globex) }
        await probes.reveals("OrganizationRepository.createInvitation(_:_:at:)") {
            try await store.createInvitation(NewInvitation(
                email: EmailAddress(canonical: "dan@example.com"), role: .member, tokenHash: "b-invite", tokenPrefix: "gsi_b", expiresAt: now.addingTimeInterval(600)
            ), globex, at: now)
        }
        await probes.refuses("OrganizationRepository.revokeInvitation(id:_:at:)") { try await store.revokeInvitation(id: world.invitation.id, globex, at: now) }

        await probes.reveals("TenantRepository.tenants(_:)") { try await store.tenants(globex) }
        await probes.reveals("TenantRepository.tenant(id:_:)") { try await store.tenant(id: world.a.tenantID, globex) }
        await probes.reveals("TenantRepository.createTenant(name:slug:description:_:at:)") {
            try await store.createTenant(name: "Globex prod", slug: Fixtures.slug("prod"), description: nil, globex, at: now)
        }
        await probes.reveals("TenantRepository.updateTenant(_:at:_:)") { try await store.updateTenant(world.b, at: now) { $0.description = "B's" } }
    }

    private static func probeClustersAndAgents(_ store: any Store, _ world: World, _ probes: inout TenancyProbes) async throws {
        let b = world.b, now = Date()
        await probes.reveals("ClusterRepository.clusters(visibleTo:)") { try await store.clusters(visibleTo: .tenant(b)) }
        await probes.reveals("ClusterRepository.cluster(id:visibleTo:)") { try await store.cluster(id: world.cluster.id, visibleTo: .tenant(b)) }
        await probes.reveals("ClusterRepository.createCluster(owner:name:slug:provider:metadata:at:)") {
            try await store.createCluster(owner: .tenant(b), name: "B rack", slug: nil, provider: "bare-metal", metadata: [:], at: now)
        }
        await probes.refuses("ClusterRepository.updateCluster(id:_:at:_:)") {
            try await store.updateCluster(id: world.cluster.id, .tenant(b), at: now) { $0 }
        }

        await probes.refuses("AgentRepository.createProvisioningToken(_:clusterID:_:at:)") {
            try await store.createProvisioningToken(NewProvisioningToken(
                name: "b", tokenHash: "b-token", tokenPrefix: "gsp_b", singleUse: true, expiresAt: now.addingTimeInterval(600), createdBy: world.ada.id
            ), clusterID: world.cluster.id, .tenant(b), at: now)
        }
        await probes.reveals("AgentRepository.provisioningTokens(clusterID:_:)") { try await store.provisioningTokens(clusterID: world.cluster.id, .tenant(b)) }
        await probes.refuses("AgentRepository.revokeProvisioningToken(id:clusterID:_:at:)") {
            try await store.revokeProvisioningToken(id: world.token.id, clusterID: world.cluster.id, .tenant(b), at: now)
        }
        await probes.reveals("AgentRepository.agents(visibleTo:clusterID:)") { try await store.agents(visibleTo: .tenant(b), clusterID: world.cluster.id) }
        await probes.reveals("AgentRepository.agent(id:visibleTo:)") { try await store.agent(id: world.agent.id, visibleTo: .tenant(b)) }
        await probes.refuses("AgentRepository.updateAgent(id:_:at:_:)") {
            try await store.updateAgent(id: world.agent.id, .tenant(b), at: now) { $0.approval = .rejected }
        }
    }

    private static func probeOperations(_ store: any Store, _ world: World, _ probes: inout TenancyProbes) async throws {
        let b = world.b, now = Date()
        await probes.reveals("ProviderConnectionRepository.providerConnections(_:)") { try await store.providerConnections(b) }
        await probes.reveals("ProviderConnectionRepository.providerConnection(id:_:)") { try await store.providerConnection(id: world.connection.id, b) }
        await probes.reveals("ProviderConnectionRepository.createProviderConnection(_:_:at:)") {
            try await store.createProviderConnection(NewProviderConnection(
                provider: "directory-file", kind: "directory", name: "B corp", externalAccountID: nil, credentialReference: "env:B", isDefault: true, metadata: [:]
            ), b, at: now)
        }
        await probes.refuses("ProviderConnectionRepository.updateProviderConnection(id:_:at:_:)") {
            try await store.updateProviderConnection(id: world.connection.id, b, at: now) { $0.name = "taken" }
        }
        await probes.refuses("ProviderConnectionRepository.deleteProviderConnection(id:_:at:)") { try await store.deleteProviderConnection(id: world.connection.id, b, at: now) }
        await probes.refuses("ProviderConnectionRepository.replaceDirectoryGroups(connectionID:_:groups:at:)") {
            try await store.replaceDirectoryGroups(connectionID: world.connection.id, b, groups: [], at: now)
        }
        await probes.reveals("ProviderConnectionRepository.directoryGroups(connectionID:_:)") { try await store.directoryGroups(connectionID: world.connection.id, b) }

        // B's runs naming A's connection.
        await probes.refuses("OperationRunRepository.admitRun(_:at:)") { try await store.admitRun(Self.newRun(b, connection: world.connection.id, by: world.ada), at: now) }
        await probes.refuses("OperationRunRepository.admitBootstrap(first:waiting:at:)") {
            try await store.admitBootstrap(first: Self.newRun(b, connection: world.connection.id, by: world.ada), waiting: [], at: now).admission
        }
        await probes.refuses("OperationRunRepository.recordBlockedRun(_:reason:decision:nextSteps:at:)") {
            try await store.recordBlockedRun(Self.newRun(b, connection: world.connection.id, by: world.ada), reason: .cancelled, decision: nil, nextSteps: [], at: now)
        }
        await probes.reveals("OperationRunRepository.operationRun(id:_:)") { try await store.operationRun(id: world.run.id, b) }
        await probes.reveals("OperationRunRepository.operationRuns(_:status:operationType:limit:)") {
            try await store.operationRuns(b, status: nil, operationType: nil, limit: 100)
        }
        await probes.reveals("OperationRunRepository.operationRunTenant(id:_:)") { try await store.operationRunTenant(id: world.run.id, world.globex) }
        await probes.refuses("OperationRunRepository.cancelRun(id:_:at:)") { try await store.cancelRun(id: world.run.id, b, at: now) }
    }

    private static func probeSandboxes(_ store: any Store, _ world: World, _ probes: inout TenancyProbes) async throws {
        let b = world.b, now = Date(), deadline = Self.deadline
        let onAsCluster = try SandboxSpec(
            name: nil, template: nil, command: ["sleep", "600"], cpu: CPUQuantity(millicores: 500), memory: ByteQuantity(bytes: 256 << 20), storage: nil,
            environment: [:], labels: [:], network: nil, idleTimeoutSeconds: nil, idleAction: nil, region: nil, clusterID: world.cluster.id, requiredCapabilities: []
        )
        // A's template in B's scope: not B's to start from.
        await probes.refuses("SandboxRepository.createSandbox(_:template:createdBy:scope:commandDeadline:at:)") {
            try await store.createSandbox(onAsCluster, template: world.template.id, createdBy: world.ada.id, scope: b, commandDeadline: deadline, at: now)
        }
        await probes.reveals("SandboxRepository.sandboxes(scope:filter:)") { try await store.sandboxes(scope: b, filter: SandboxFilter()) }
        await probes.reveals("SandboxRepository.sandbox(id:scope:)") { try await store.sandbox(id: world.sandbox.id, scope: b) }
        await probes.refuses("SandboxRepository.requestSandbox(_:id:scope:commandDeadline:at:)") {
            try await store.requestSandbox(.stop, id: world.sandbox.id, scope: b, commandDeadline: deadline, at: now)
        }
        await probes.refuses("SandboxRepository.deleteSandbox(id:scope:commandDeadline:at:)") {
            try await store.deleteSandbox(id: world.sandbox.id, scope: b, commandDeadline: deadline, at: now)
        }
        await probes.refuses("SandboxRepository.setSandboxExpiry(id:expiresAt:scope:at:)") {
            try await store.setSandboxExpiry(id: world.sandbox.id, expiresAt: now, scope: b, at: now)
        }
        await probes.refuses("SandboxRepository.expireSandbox(id:scope:commandDeadline:at:)") {
            try await store.expireSandbox(id: world.sandbox.id, scope: b, commandDeadline: deadline, at: now)
        }
        await probes.reveals("SandboxRepository.commands(sandboxID:scope:)") { try await store.commands(sandboxID: world.sandbox.id, scope: b) }

        await probes.refuses("ExecHistoryRepository.recordExecStart(_:scope:)") {
            try await store.recordExecStart(ExecRecord(
                id: .generate(), sandboxID: world.sandbox.id, userID: world.ada.id, command: ["id"], workingDirectory: nil, startedAt: now, outcome: nil
            ), scope: b)
        }
        // Ending a record the scope does not hold ends nothing (the snapshot reads A's records), as for a pruned one.
        await probes.reveals("ExecHistoryRepository.recordExecEnd(_:_:scope:)") {
            try await store.recordExecEnd(world.exec.id, ExecOutcome(
                endedAt: now, exitCode: 0, signal: nil, timedOut: false, durationMilliseconds: 1, error: nil
            ), scope: b)
        }
        await probes.reveals("ExecHistoryRepository.execHistory(sandboxID:scope:limit:)") { try await store.execHistory(sandboxID: world.sandbox.id, scope: b, limit: 100) }
    }

    private static func probeGroupsAndQuotas(_ store: any Store, _ world: World, _ probes: inout TenancyProbes) async throws {
        let globex = world.globex, group = world.group.id, now = Date()
        await probes.reveals("QuotaRepository.createGroup(_:_:at:)") {
            try await store.createGroup(NewGroup(name: Fixtures.slug("a-team"), displayName: "Globex team", description: nil, kind: .team, parentID: nil), globex, at: now)
        }
        await probes.refuses("QuotaRepository.createGroup(_:_:at:) under A's group") {
            try await store.createGroup(NewGroup(name: Fixtures.slug("sub"), displayName: "Sub", description: nil, kind: .team, parentID: group), globex, at: now)
        }
        await probes.reveals("QuotaRepository.groups(_:)") { try await store.groups(globex) }
        await probes.reveals("QuotaRepository.groupMemberCounts(_:)") { try await store.groupMemberCounts(globex) }
        await probes.reveals("QuotaRepository.group(id:_:)") { try await store.group(id: group, globex) }
        await probes.refuses("QuotaRepository.deleteGroup(id:_:)") { try await store.deleteGroup(id: group, globex) }
        await probes.refuses("QuotaRepository.addGroupMember(groupID:userID:role:_:at:)") {
            try await store.addGroupMember(groupID: group, userID: world.bo.id, role: .owner, globex, at: now)
        }
        await probes.reveals("QuotaRepository.groupMembers(groupID:_:)") { try await store.groupMembers(groupID: group, globex) }
        await probes.refuses("QuotaRepository.removeGroupMember(groupID:userID:_:)") { try await store.removeGroupMember(groupID: group, userID: world.ada.id, globex) }
        await probes.refuses("QuotaRepository.setQuota(_:_:change:at:)") { try await store.setQuota(.group(group), globex, change: QuotaLimits(maxSessions: 99), at: now) }
        await probes.refuses("QuotaRepository.removeQuota(_:_:)") { try await store.removeQuota(.group(group), globex) }
        await probes.reveals("QuotaRepository.quotaUsage(_:_:)") { try await store.quotaUsage(.group(group), globex) }
        await probes.reveals("QuotaRepository.applicableQuotas(_:)") { try await store.applicableQuotas(globex) }
    }

    private static func probePublishing(_ store: any Store, _ world: World, _ probes: inout TenancyProbes) async throws {
        let b = world.b, ada = world.ada.id, now = Date()
        let ownDigest = MarketplaceConformanceTests.uniqueDigest()
        await probes.reveals("PublishingRepository.recordContent(_:kind:byteCount:_:by:at:)") {
            try await store.recordContent(ownDigest, kind: .artifact, byteCount: 1, b, by: ada, at: now)
        }
        await probes.reveals("PublishingRepository.contentKind(_:_:)") { try await store.contentKind(world.artifactDigest, b) }
        await probes.reveals("PublishingRepository.uploadedBytes(kind:_:)") {
            let bytes = try await store.uploadedBytes(kind: .artifact, b)
            if bytes != 1 { Issue.record("B's uploaded bytes count A's: \(bytes)") }
            return bytes
        }
        await probes.reveals("PublishingRepository.createDeveloperApp(_:_:by:at:)") {
            try await store.createDeveloperApp(NewDeveloperApp(
                name: "B", publisherName: "B", publisherURL: nil, supportURL: "https://b.example/s", termsURL: "https://b.example/t", privacyURL: "https://b.example/p"
            ), b, by: ada, at: now)
        }
        await probes.reveals("PublishingRepository.developerApps(_:)") { try await store.developerApps(b) }
        await probes.reveals("PublishingRepository.developerApp(id:_:)") { try await store.developerApp(id: world.app.id, b) }
        await probes.refuses("PublishingRepository.registerPublisherKey(appID:name:publicKey:_:by:at:)") {
            try await store.registerPublisherKey(appID: world.app.id, name: "b", publicKey: Data(repeating: 9, count: 32), b, by: ada, at: now)
        }
        await probes.reveals("PublishingRepository.publisherKeys(appID:_:)") { try await store.publisherKeys(appID: world.app.id, b) }
        await probes.refuses("PublishingRepository.revokePublisherKey(appID:keyID:reason:_:by:at:)") {
            try await store.revokePublisherKey(appID: world.app.id, keyID: world.key.id, reason: "b", b, by: ada, at: now)
        }
        await probes.refuses("PublishingRepository.createExtensionPackage(appID:_:_:by:at:)") {
            try await store.createExtensionPackage(appID: world.app.id, NewExtensionPackage(
                extensionKey: ExtensionKey(rawValue: "acme.other")!, name: "Other", description: nil, category: nil, tags: []
            ), b, by: ada, at: now)
        }
        await probes.reveals("PublishingRepository.extensionPackages(appID:_:)") { try await store.extensionPackages(appID: world.app.id, b) }
        await probes.reveals("PublishingRepository.extensionPackage(id:_:)") { try await store.extensionPackage(id: world.package.id, b) }
        await probes.refuses("PublishingRepository.registerReleaseSignature(packageID:manifest:artifact:keyID:signature:_:at:)") {
            try await store.registerReleaseSignature(
                packageID: world.package.id, manifest: ownDigest, artifact: ownDigest, keyID: world.key.id, signature: Data(repeating: 2, count: 64), b, at: now
            )
        }
        await probes.reveals("PublishingRepository.releaseSignature(packageID:manifest:artifact:_:)") {
            try await store.releaseSignature(packageID: world.package.id, manifest: world.manifestDigest, artifact: world.artifactDigest, b)
        }
        await probes.refuses("PublishingRepository.createExtensionRelease(_:_:by:at:)") {
            try await store.createExtensionRelease(NewExtensionRelease(
                packageID: world.package.id, manifestDigest: world.release.manifestDigest, artifactDigest: world.release.artifactDigest,
                manifest: world.release.manifest, manifestText: "{}", signingKeyID: world.key.id, signature: Data(repeating: 1, count: 64)
            ), b, by: ada, at: now)
        }
        await probes.reveals("PublishingRepository.extensionReleases(packageID:_:)") { try await store.extensionReleases(packageID: world.package.id, b) }
        await probes.reveals("PublishingRepository.publishedRelease(id:_:)") { try await store.publishedRelease(id: world.release.id, b) }
        await probes.refuses("PublishingRepository.movePublishedRelease(id:_:_:by:at:)") {
            try await store.movePublishedRelease(id: world.release.id, ReleaseMove(to: .revoked, reason: "b"), b, by: ada, at: now)
        }
        await probes.refuses("PublishingRepository.setReleaseAllowlist(id:tenants:_:by:at:)") {
            try await store.setReleaseAllowlist(id: world.release.id, tenants: [b.tenantID], b, by: ada, at: now)
        }
        await probes.reveals("PublishingRepository.releaseAllowlist(id:_:)") { try await store.releaseAllowlist(id: world.release.id, b) }
        await probes.reveals("PublishingRepository.packageAudit(packageID:_:)") { try await store.packageAudit(packageID: world.package.id, b) }
    }

    private static func probeInstalls(_ store: any Store, _ world: World, _ probes: inout TenancyProbes) async throws {
        let b = world.b, ada = world.ada.id, key = world.package.extensionKey, now = Date()
        await probes.reveals("InstallRepository.catalog(_:)") { try await store.catalog(b) }
        await probes.reveals("InstallRepository.catalogEntry(key:_:)") { try await store.catalogEntry(key: key, b) }
        await probes.reveals("InstallRepository.agentCapabilities(_:)") { try await store.agentCapabilities(b) }
        await probes.reveals("InstallRepository.extensionPolicy(key:_:)") { try await store.extensionPolicy(key: key, b) }
        await probes.refuses("InstallRepository.install(_:_:by:at:)") {
            try await store.install(NewInstall(releaseID: world.release.id, settings: [:], sealedSecrets: nil, secretKeys: []), b, by: ada, at: now)
        }
        await probes.reveals("InstallRepository.installs(_:)") { try await store.installs(b) }
        await probes.reveals("InstallRepository.install(key:_:)") { try await store.install(key: key, b) }
        await probes.reveals("InstallRepository.sealedSecrets(key:_:)") { try await store.sealedSecrets(key: key, b) }
        await probes.reveals("InstallRepository.installSigningKey(key:_:)") { try await store.installSigningKey(key: key, b) }
        await probes.refuses("InstallRepository.updateInstallSettings(key:_:_:by:at:)") {
            try await store.updateInstallSettings(key: key, InstallSettingsUpdate(
                settings: [:], sealedSecrets: "b", secretKeys: [], change: SettingsChange(changedKeys: [], reconcileKeys: [])
            ), b, by: ada, at: now)
        }
        await probes.refuses("InstallRepository.uninstall(key:_:by:at:)") { try await store.uninstall(key: key, b, by: ada, at: now) }
        await probes.reveals("InstallRepository.installAudit(key:_:)") { try await store.installAudit(key: key, b) }
        // A tenant's own preference, by extension key: it opts B in (to nothing B can see) and leaves A alone.
        await probes.reveals("InstallRepository.setBetaOptIn(key:enabled:_:at:)") { try await store.setBetaOptIn(key: key, enabled: true, b, at: now) }
    }

    private static func probeDataPlane(_ store: any Store, _ world: World, _ probes: inout TenancyProbes) async throws {
        let b = world.b, now = Date(), key = world.package.extensionKey
        await probes.reveals("DataPlaneRepository.dataPlaneInstances(_:)") { try await store.dataPlaneInstances(b) }
        await probes.reveals("DataPlaneRepository.dataPlaneInstance(id:_:)") { try await store.dataPlaneInstance(id: world.instance.id, b) }
        await probes.reveals("DataPlaneRepository.dataPlaneInstance(provisionRun:_:)") {
            try await store.dataPlaneInstance(provisionRun: try #require(world.instance.provisionRunID), b)
        }
        // A's host is in A's own cluster: B cannot place an instance there.
        await probes.refuses("DataPlaneRepository.createDataPlaneInstance(_:_:at:)") {
            try await store.createDataPlaneInstance(NewDataPlaneInstance(
                id: .generate(), provider: "postgresql", extensionKey: key, installID: nil, agentID: world.agent.id, settings: [:], effectiveSettings: [:],
                metadata: [:], provisionRunID: OperationRunID(rawValue: Int64.random(in: 10_000_000...90_000_000)), createdBy: world.ada.id
            ), b, at: now)
        }
        await probes.refuses("DataPlaneRepository.updateDataPlaneInstance(id:_:at:_:)") {
            try await store.updateDataPlaneInstance(id: world.instance.id, b, at: now) { $0.state = .draining }
        }
        await probes.reveals("DataPlaneRepository.objectStores(_:)") { try await store.objectStores(b) }
        await probes.reveals("DataPlaneRepository.objectStore(id:_:)") { try await store.objectStore(id: world.objectStore.id, b) }
        await probes.reveals("DataPlaneRepository.objectStore(provisionRun:_:)") {
            try await store.objectStore(provisionRun: try #require(world.objectStore.provisionRunID), b)
        }
        // Backed by A's instance: not B's to name.
        await probes.refuses("DataPlaneRepository.createObjectStore(_:_:at:)") {
            try await store.createObjectStore(NewObjectStore(
                id: .generate(), providerKey: key, hostedMode: .globalstacksManaged, purpose: .logs, bucket: "b-bucket", prefix: nil, credentialRef: nil,
                dataPlaneInstanceID: world.instance.id, metadata: [:], provisionRunID: OperationRunID(rawValue: Int64.random(in: 10_000_000...90_000_000)),
                createdBy: world.ada.id
            ), b, at: now)
        }
        await probes.refuses("DataPlaneRepository.updateObjectStore(id:_:at:_:)") {
            try await store.updateObjectStore(id: world.objectStore.id, b, at: now) { $0.status = .deleted }
        }
    }

    private static func probeTemplates(_ store: any Store, _ world: World, _ probes: inout TenancyProbes) async throws {
        let b = world.b, now = Date(), template = world.template
        // A build of B's own (its name says nothing of A's).
        await probes.reveals("TemplateRepository.createTemplateBuild(_:_:)") {
            try await store.createTemplateBuild(TemplateConformanceTests.newBuild(b, by: world.ada.id, name: "b-build"), b)
        }
        await probes.reveals("TemplateRepository.templateBuild(id:_:)") { try await store.templateBuild(id: world.templateBuild.id, b) }
        await probes.reveals("TemplateRepository.templateBuilds(_:)") { try await store.templateBuilds(b) }
        await probes.reveals("TemplateRepository.templateBuildLog(id:from:_:)") { try await store.templateBuildLog(id: world.templateBuild.id, from: 0, b) }
        await probes.refuses("TemplateRepository.updateTemplateBuild(id:log:_:_:)") {
            try await store.updateTemplateBuild(id: world.templateBuild.id, log: "b was here", b) { $0.error = "b" }
        }
        await probes.refuses("TemplateRepository.recordBuiltTemplate(build:digest:sizeBytes:config:steps:cachedSteps:log:_:at:)") {
            try await store.recordBuiltTemplate(
                build: world.templateBuild.id, digest: MarketplaceConformanceTests.uniqueDigest(), sizeBytes: 1, config: TemplateConfig(), steps: 0, cachedSteps: 0,
                log: "", b, at: now
            )
        }
        await probes.reveals("TemplateRepository.templates(_:)") { try await store.templates(b) }
        await probes.reveals("TemplateRepository.template(_:_:)") { try await store.template(.digest(template.digest), b) }
        await probes.reveals("TemplateRepository.template(_:_:) by name") { try await store.template(.name(template.name, version: nil), b) }
        await probes.reveals("TemplateRepository.template(id:_:)") { try await store.template(id: template.id, b) }
        await probes.reveals("TemplateRepository.templateStorageBytes(_:)") { try await store.templateStorageBytes(b) }
        await probes.refuses("TemplateRepository.deleteTemplates(name:version:platform:_:commandDeadline:at:)") {
            try await store.deleteTemplates(name: template.name, version: nil, platform: false, b, commandDeadline: now.addingTimeInterval(60), at: now)
        }
        await probes.refuses("TemplateRepository.setWarmPool(templateID:size:by:_:at:)") {
            try await store.setWarmPool(templateID: template.id, size: 2, by: world.ada.id, b, at: now)
        }
        await probes.reveals("TemplateRepository.warmPools(_:)") { try await store.warmPools(b) }
        await probes.reveals("TemplateRepository.claimPooledSandbox(templateID:_:createdBy:_:at:)") {
            try await store.claimPooledSandbox(
                templateID: template.id, try SandboxSpec(
                    name: nil, template: nil, command: TemplateConfig.waitingCommand, cpu: nil, memory: nil, storage: nil, environment: nil, labels: nil,
                    network: nil, idleTimeoutSeconds: nil, idleAction: nil, region: nil, clusterID: nil, requiredCapabilities: nil
                ), createdBy: world.ada.id, b, at: now
            )
        }
    }
}
