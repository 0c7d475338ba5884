import Foundation
@testable import GlobalStacksDomain
import GlobalStacksStore
import GlobalStacksTestSupport
import Testing

/// Coder's dbauthz accounting, behaviourally: tenant A holds one of everything, and every `RequestStore` method is
/// called with another tenant's scope on A's ids. A read must find nothing (nil, empty, or nothing of A's), a write
/// must fail with not-found, and A's data must read the same afterwards. So a method whose SQL forgets its scope fails
/// here, and so does a request-store method added without a call in `probe` (the declarations are read).
///
/// "Another tenant" is the nearest one: tenant B of A's own organization (a query scoped to the organization only
/// still leaks); organization and account methods use another organization (globex) and its owner, bo.
@Suite("Store accounting: another tenant's scope reaches nothing of A")
struct TenancyAccountingTests {
    /// Tenant A's data, and the scopes of the others.
    struct World: Sendable {
        let ada: User
        let organizationID: OrganizationID
        let a: TenantScope
        let session: Credential
        let sessionHash: String
        let invitation: Invitation
        let cluster: Cluster
        let token: ProvisioningToken
        let agent: Agent
        let sandbox: Sandbox
        let exec: ExecRecord
        let connection: ProviderConnection
        let run: OperationRun
        let app: DeveloperApp
        let key: PublisherKey
        let package: ExtensionPackage
        let release: ExtensionRelease
        let manifestDigest: ContentDigest
        let artifactDigest: ContentDigest
        let group: Group
        let instance: DataPlaneInstance
        let objectStore: ObjectStore
        let templateBuild: TemplateBuild
        let template: Template
        /// Tenant B of acme (ada's scope there).
        let b: TenantScope
        /// bo, owner of globex, and his scopes.
        let bo: User
        let globex: OrganizationScope
        let boAccount: AccountScope

        var acmeScope: OrganizationScope { Fixtures.scope(organizationID, as: ada.id) }

        /// What only A's data contains: its entities' ids and a few of its values (runs carry A's tenant id; connections
    /// and runs are numbered, so their ids are no marker). A result for B naming one leaks.
        var markers: [String] {
            [a.tenantID.rawValue, session.id.rawValue, invitation.id.rawValue, cluster.id.rawValue, token.id.rawValue, agent.id.rawValue,
             sandbox.id.rawValue, exec.id.rawValue, "a-corp-account", app.id.rawValue, key.id.rawValue,
             package.id.rawValue, release.id.rawValue, group.id.rawValue, "a-only-capability", "bwrap", "a-directory-group", "sealed-for-a",
             package.extensionKey.rawValue, instance.id.rawValue, objectStore.id.rawValue, "a-bucket", templateBuild.id.rawValue, template.id.rawValue,
             template.digest.hex, "a-build-log"]
        }
    }

    static let deadline = Date().addingTimeInterval(300)

    static func world(_ store: any Store) async throws -> World {
        let world = try await SandboxConformanceTests.world(store)
        let ada = world.ada
        let acme = Fixtures.scope(world.organizationID, as: ada.id)
        let a = world.scope
        var agent = try #require(try await store.agent(id: world.agent.id, visibleTo: .tenant(a)))
        agent = try await store.updateAgent(id: agent.id, .tenant(a), at: Date()) { $0.capabilities.insert("a-only-capability") }
        let cluster = try #require(try await store.cluster(id: agent.clusterID, visibleTo: .tenant(a)))
        let token = try #require(try await store.provisioningTokens(clusterID: cluster.id, .tenant(a)).first)
        let created = try await store.createSandbox(try SandboxConformanceTests.spec(), createdBy: ada.id, scope: a, commandDeadline: Self.deadline, at: Date())
        let exec = ExecRecord(id: .generate(), sandboxID: created.sandbox.id, userID: ada.id, command: ["ls"], workingDirectory: nil, startedAt: Date(), outcome: nil)
        try await store.recordExecStart(exec, scope: a)

        let connection = try await store.createProviderConnection(NewProviderConnection(
            provider: "directory-file", kind: "directory", name: "Corp", externalAccountID: "a-corp-account", credentialReference: "env:TOKEN",
            isDefault: true, metadata: ["directoryPath": "/srv/dir.json"]
        ), a, at: Date())
        _ = try await store.replaceDirectoryGroups(connectionID: connection.id, a, groups: [DirectoryGroup(externalID: "a-directory-group", displayName: "A")], at: Date())
        guard case .accepted(let run) = try await store.admitRun(Self.newRun(a, connection: connection.id, by: ada), at: Date()) else {
            throw DomainError.conflict("tenant A's run was not admitted")
        }

        let (session, sessionHash) = try await Fixtures.session(for: ada, store: store)
        _ = try await store.createCredential(NewCredential(
            kind: .apiKey, userID: ada.id, tokenHash: "a-api-key", tokenPrefix: "gsk_a", name: "A's key", expiresAt: nil, activeOrganizationID: acme.organizationID
        ), at: Date())
        let invitation = try await store.createInvitation(NewInvitation(
            email: EmailAddress(canonical: "carol@example.com"), role: .member, tokenHash: "a-invite", tokenPrefix: "gsi_a", expiresAt: Date().addingTimeInterval(600)
        ), acme, at: Date())
        let group = try await store.createGroup(NewGroup(name: Fixtures.slug("a-team"), displayName: "A team", description: nil, kind: .team, parentID: nil), acme, at: Date())
        _ = try await store.addGroupMember(groupID: group.id, userID: ada.id, role: .member, acme, at: Date())
        _ = try await store.setQuota(.group(group.id), acme, change: QuotaLimits(maxSessions: 3), at: Date())

        let reviewer = MarketplaceReviewScope(reviewerID: ada.id)
        let app = try await store.createDeveloperApp(NewDeveloperApp(
            name: "Acme", publisherName: "Acme", publisherURL: nil, supportURL: "https://a.example/s", termsURL: "https://a.example/t", privacyURL: "https://a.example/p"
        ), a, by: ada.id, at: Date())
        let key = try await store.registerPublisherKey(appID: app.id, name: "k", publicKey: Data(repeating: 7, count: 32), a, by: ada.id, at: Date())
        let package = try await store.createExtensionPackage(appID: app.id, NewExtensionPackage(
            extensionKey: ExtensionKey(rawValue: "acme.secret")!, name: "Secret", description: nil, category: nil, tags: []
        ), a, by: ada.id, at: Date())
        let text = """
            {"key":"acme.secret","name":"Secret","version":"1.0.0","publisher":"Acme","description":"d","brokerProtocol":"globalstacks.broker.v1",
             "entrypoint":"main.py","permissions":[]}
            """
        let manifest = try ExtensionManifest(parsing: try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)))
        let manifestDigest = MarketplaceConformanceTests.uniqueDigest(), artifactDigest = MarketplaceConformanceTests.uniqueDigest()
        try await store.recordContent(manifestDigest, kind: .manifest, byteCount: text.utf8.count, a, by: ada.id, at: Date())
        try await store.recordContent(artifactDigest, kind: .artifact, byteCount: 1, a, by: ada.id, at: Date())
        try await store.registerReleaseSignature(
            packageID: package.id, manifest: manifestDigest, artifact: artifactDigest, keyID: key.id, signature: Data(repeating: 1, count: 64), a, at: Date()
        )
        var release = try await store.createExtensionRelease(NewExtensionRelease(
            packageID: package.id, manifestDigest: manifestDigest, artifactDigest: artifactDigest, manifest: manifest, manifestText: text,
            signingKeyID: key.id, signature: Data(repeating: 1, count: 64)
        ), a, by: ada.id, at: Date())
        _ = try await store.movePublishedRelease(id: release.id, ReleaseMove(to: .submitted, reason: nil), a, by: ada.id, at: Date())
        _ = try await store.moveReviewedRelease(id: release.id, ReleaseMove(to: .approved, reason: nil), reviewer, by: ada.id, at: Date())
        // Allowlisted (to nobody else): only A may see or install it.
        release = try await store.moveReviewedRelease(id: release.id, ReleaseMove(to: .published, reason: nil, visibility: .allowlisted), reviewer, by: ada.id, at: Date())
        _ = try await store.install(NewInstall(releaseID: release.id, settings: [:], sealedSecrets: "sealed-for-a", secretKeys: []), a, by: ada.id, at: Date())
        let instance = try await store.createDataPlaneInstance(NewDataPlaneInstance(
            id: .generate(), provider: "postgresql", extensionKey: package.extensionKey, installID: nil, agentID: agent.id, settings: [:], effectiveSettings: [:],
            metadata: [:], provisionRunID: OperationRunID(rawValue: Int64.random(in: 1_000_000...9_000_000)), createdBy: ada.id
        ), a, at: Date())
        let objectStore = try await store.createObjectStore(NewObjectStore(
            id: .generate(), providerKey: package.extensionKey, hostedMode: .globalstacksManaged, purpose: .artifactCache, bucket: "a-bucket", prefix: "a",
            credentialRef: nil, dataPlaneInstanceID: instance.id, metadata: [:], provisionRunID: OperationRunID(rawValue: Int64.random(in: 1_000_000...9_000_000)),
            createdBy: ada.id
        ), a, at: Date())

        let templateBuild = try await store.createTemplateBuild(TemplateConformanceTests.newBuild(a, by: ada.id, name: "a-tools"), a)
        _ = try await store.updateTemplateBuild(id: templateBuild.id, log: "a-build-log", a) { $0.status = .running }
        let templateDigest = MarketplaceConformanceTests.uniqueDigest()
        try await store.recordTemplateUpload(build: templateBuild.id, digest: templateDigest, sizeBytes: 1_000)
        let (builtA, template) = try await store.recordBuiltTemplate(
            build: templateBuild.id, digest: templateDigest, sizeBytes: 1_000, config: TemplateConfig(environment: ["A": "1"]),
            steps: 1, cachedSteps: 0, log: "a-build-log", a, at: Date()
        )
        _ = try await store.setWarmPool(templateID: template.id, size: 1, by: ada.id, a, at: Date())

        let tenantB = try await store.createTenant(name: "B", slug: Fixtures.slug("b"), description: nil, acme, at: Date())
        try await store.activateOrganization(acme, Fixtures.account(of: session))
        let principal = try #require(try await store.principal(tokenHash: sessionHash, kind: .session))
        let bo = try await store.createUser(Fixtures.newUser("bo@example.com"), at: Date())
        let globex = try await store.createOrganization(name: "Globex", Fixtures.account(bo.id), at: Date())
        return World(
            ada: ada, organizationID: acme.organizationID,
            a: a, session: session, sessionHash: sessionHash, invitation: invitation, cluster: cluster, token: token, agent: agent, sandbox: created.sandbox,
            exec: exec, connection: connection, run: run, app: app, key: key, package: package, release: release, manifestDigest: manifestDigest,
            artifactDigest: artifactDigest, group: group, instance: instance, objectStore: objectStore, templateBuild: builtA, template: template, b: try AccessPolicy.tenantScope(for: tenantB, principal), bo: bo,
            globex: Fixtures.scope(globex.id, as: bo.id), boAccount: Fixtures.account(bo)
        )
    }

    static func newRun(_ scope: TenantScope, connection: ProviderConnectionID, by user: User) -> NewOperationRun {
        NewOperationRun(
            definition: .directoryGroupsSync, scope: scope, authority: .actor(user.id), providerConnectionID: connection,
            identityHash: OperationRun.identity(.directoryGroupsSync, tenantID: scope.tenantID, connectionID: connection, targetContext: [:], nonce: UUID().uuidString),
            targetContext: [:], sourceSurface: "test"
        )
    }

    /// Everything A can see of its own data, by what was read: equal before and after the probes, or a probe changed it.
    static func snapshot(_ store: any Store, _ world: World) async throws -> [(String, any Equatable)] {
        let a = world.a, acme = world.acmeScope, key = world.package.extensionKey, ada = Fixtures.account(world.ada)
        var parts: [(String, any Equatable)] = []
        parts.append(("tenant", try await store.tenant(id: a.tenantID, acme)))
        parts.append(("clusters", try await store.clusters(visibleTo: .tenant(a))))
        parts.append(("agents", try await store.agents(visibleTo: .tenant(a), clusterID: nil)))
        parts.append(("tokens", try await store.provisioningTokens(clusterID: world.cluster.id, .tenant(a))))
        parts.append(("connections", try await store.providerConnections(a)))
        parts.append(("directory groups", try await store.directoryGroups(connectionID: world.connection.id, a)))
        parts.append(("runs", try await store.operationRuns(a, status: nil, operationType: nil, limit: 100)))
        parts.append(("sandboxes", try await store.sandboxes(scope: a, filter: SandboxFilter())))
        parts.append(("commands", try await store.commands(sandboxID: world.sandbox.id, scope: a)))
        parts.append(("execs", try await store.execHistory(sandboxID: world.sandbox.id, scope: a, limit: 100)))
        parts.append(("apps", try await store.developerApps(a)))
        parts.append(("keys", try await store.publisherKeys(appID: world.app.id, a)))
        parts.append(("packages", try await store.extensionPackages(appID: world.app.id, a)))
        parts.append(("releases", try await store.extensionReleases(packageID: world.package.id, a)))
        parts.append(("signature", try await store.releaseSignature(packageID: world.package.id, manifest: world.manifestDigest, artifact: world.artifactDigest, a)))
        parts.append(("allowlist", try await store.releaseAllowlist(id: world.release.id, a)))
        parts.append(("package audit", try await store.packageAudit(packageID: world.package.id, a)))
        parts.append(("installs", try await store.installs(a)))
        parts.append(("install audit", try await store.installAudit(key: key, a)))
        parts.append(("secrets", try await store.sealedSecrets(key: key, a)))
        parts.append(("data-plane instances", try await store.dataPlaneInstances(a)))
        parts.append(("object stores", try await store.objectStores(a)))
        parts.append(("template builds", try await store.templateBuilds(a)))
        parts.append(("build log", try await store.templateBuildLog(id: world.templateBuild.id, from: 0, a)))
        parts.append(("templates", try await store.templates(a)))
        parts.append(("warm pools", try await store.warmPools(a)))
        parts.append(("groups", try await store.groups(acme)))
        parts.append(("group members", try await store.groupMembers(groupID: world.group.id, acme)))
        parts.append(("quotas", try await store.applicableQuotas(acme)))
        parts.append(("members", try await store.members(acme)))
        parts.append(("invitations", try await store.invitations(acme)))
        parts.append(("API keys", try await store.apiKeys(ada)))
        parts.append(("memberships", try await store.memberships(ada)))
        parts.append(("session", try await store.principal(tokenHash: world.sessionHash, kind: .session)))
        return parts
    }

    /// Request methods that take no tenant's or organization's scope by design: site administration and marketplace
    /// review act on the whole installation (`AccessPolicy` makes their scopes for site administrators and reviewers only);
    /// a sandbox whose creator made its ports public is found by its id alone, and only then.
    static let installationWide: Set<String> = [
        "SandboxRepository.publicSandbox(_:)",
        "SiteAdministrationRepository.createUser(_:_:at:)", "SiteAdministrationRepository.listUsers(limit:_:)",
        "SiteAdministrationRepository.deactivateUser(id:_:at:)", "MarketplaceReviewRepository.reviewQueue(_:)",
        "MarketplaceReviewRepository.reviewedRelease(id:_:)", "MarketplaceReviewRepository.moveReviewedRelease(id:_:_:by:at:)",
        "MarketplaceReviewRepository.setExtensionPolicy(key:settings:_:at:)", "MarketplaceReviewRepository.extensionPolicy(key:_:)",
    ]

    @Test(arguments: TestEngine.available)
    func anotherTenantsScopeReachesNothingOfA(engine: TestEngine) async throws {
        try await TestDatabase.make(engine).withStore { store in
            let world = try await Self.world(store)
            let before = try await Self.snapshot(store, world)
            var probes = TenancyProbes(markers: world.markers)
            try await Self.probe(store, world, &probes)
            let after = try await Self.snapshot(store, world)
            for ((what, old), (_, new)) in zip(before, after) where !old.isEqual(to: new) {
                Issue.record("a call with another tenant's scope changed A's \(what):\n  before: \(Self.around(old, new))\n  after:  \(Self.around(new, old))")
            }
            let declared = try Self.declaredRequestMethods()
            let called = Set(probes.called).union(Self.installationWide)
            #expect(declared.subtracting(called).sorted() == [], "request-store methods without a call in `probe`")
            #expect(called.subtracting(declared).sorted() == [], "calls naming no request-store method")
        }
    }

    /// `value` as text from a little before where it first differs from `other`.
    static func around(_ value: Any, _ other: Any) -> String {
        let text = String(reflecting: value), otherText = String(reflecting: other)
        let common = zip(text, otherText).prefix { $0 == $1 }.count
        return "…" + text.dropFirst(max(0, common - 200)).prefix(400)
    }

    /// The request-store methods, read from the protocol declarations: "Protocol.name(label:…)".
    static func declaredRequestMethods() throws -> Set<String> {
        let repositories = StoreAccountingTests.repositories
        let files = try FileManager.default.contentsOfDirectory(atPath: repositories.path).filter { $0.hasSuffix(".swift") }
        let sources = try files.map { try String(contentsOf: repositories.appendingPathComponent($0), encoding: .utf8) }.joined(separator: "\n")
        let request = StoreAccountingTests.composition("RequestStore", in: try String(contentsOf: repositories.appendingPathComponent("Store.swift"), encoding: .utf8))
        return Set(StoreAccountingTests.methods(in: sources).filter { request.contains($0.protocolName) }.map(\.signature))
    }
}

extension Equatable {
    /// Whether `other` is the same value (of the same type).
    func isEqual(to other: any Equatable) -> Bool {
        (other as? Self) == self
    }
}

/// The calls made and what they may reveal.
struct TenancyProbes {
    let markers: [String]
    var called: [String] = []

    init(markers: [String]) {
        self.markers = markers
    }

    /// Counts the call as one of the method `signature` names ("Protocol.name(label:…)", then any note).
    private mutating func record(_ signature: String) {
        called.append(signature.firstIndex(of: ")").map { String(signature[...$0]) } ?? signature)
    }

    /// A read (or a write in B's own space): it returns nothing of A's, or fails with not-found (or one of `allowing`,
    /// B's own refusals that say nothing of A).
    mutating func reveals<T>(_ signature: String, allowing: [DomainError.Kind] = [], _ body: () async throws -> T) async {
        record(signature)
        do {
            let text = String(reflecting: try await body())
            let leaked = markers.filter { text.contains($0) }
            if !leaked.isEmpty { Issue.record("\(signature) with another tenant's scope returned A's \(leaked): \(text.prefix(600))") }
        } catch let error as DomainError where error.kind == .notFound || allowing.contains(error.kind) {
        } catch {
            Issue.record("\(signature) with another tenant's scope failed with \(String(reflecting: error)), not not-found")
        }
    }

    /// A write on A's ids: it must fail with not-found (or one of `allowing`, refusals that say nothing of A).
    mutating func refuses<T>(_ signature: String, allowing: [DomainError.Kind] = [], _ body: () async throws -> T) async {
        record(signature)
        do {
            let result = try await body()
            Issue.record("\(signature) with another tenant's scope succeeded on A's ids: \(String(reflecting: result).prefix(600))")
        } catch let error as DomainError where error.kind == .notFound || allowing.contains(error.kind) {
        } catch {
            Issue.record("\(signature) with another tenant's scope failed with \(String(reflecting: error)), not not-found")
        }
    }
}
