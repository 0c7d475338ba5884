import Foundation
import GlobalStacksDomain
import GlobalStacksStore
import GlobalStacksTestSupport
import Testing

/// Templates, their builds and logs, deletion while in use, and warm pools, on both engines.
@Suite("Store conformance: templates, builds and warm pools")
struct TemplateConformanceTests {
    static func newBuild(_ scope: TenantScope, by user: UserID, name: String, platform: Bool = false) throws -> TemplateBuild {
        TemplateBuild(
            id: .generate(), tenantID: scope.tenantID, name: try Slug(validating: name), platform: platform, kind: .build, status: .queued,
            definition: "FROM debian:bookworm\nRUN true", contextDigest: nil, sandboxID: nil, runID: nil, templateID: nil, steps: 1, cachedSteps: 0,
            error: nil, createdBy: user, createdAt: Date(), finishedAt: nil
        )
    }

    /// A build of `name` that succeeded, and its template.
    static func built(_ store: any Store, _ scope: TenantScope, by user: UserID, name: String, size: Int64 = 1_000) async throws -> Template {
        let build = try await store.createTemplateBuild(try newBuild(scope, by: user, name: name), scope)
        _ = try await store.updateTemplateBuild(id: build.id, log: nil, scope) { $0.status = .running }
        let digest = MarketplaceConformanceTests.uniqueDigest()
        try await store.recordTemplateUpload(build: build.id, digest: digest, sizeBytes: size)
        return try await store.recordBuiltTemplate(
            build: build.id, digest: digest, sizeBytes: size, config: TemplateConfig(command: ["serve"]), steps: 1,
            cachedSteps: 0, log: "", scope, at: Date()
        ).1
    }

    static var waitingSpec: SandboxSpec {
        get throws {
            try SandboxSpec(
                name: "claimed", template: "tools", command: TemplateConfig.waitingCommand, cpu: nil, memory: nil, storage: nil, environment: ["K": "v"],
                labels: ["who": "ada"], network: nil, idleTimeoutSeconds: nil, idleAction: nil, region: nil, clusterID: nil, requiredCapabilities: nil
            )
        }
    }

    @Test(arguments: TestEngine.available)
    func buildsMakeNumberedVersionsAndKeepTheirLogs(engine: TestEngine) async throws {
        try await TestDatabase.make(engine).withStore { store in
            let world = try await SandboxConformanceTests.world(store)
            let scope = world.scope
            let build = try await store.createTemplateBuild(try Self.newBuild(scope, by: world.ada.id, name: "tools"), scope)
            #expect(build.status == .queued)
            _ = try await store.updateTemplateBuild(id: build.id, log: "Step 1/1 : RUN true\néa", scope) { $0.status = .running }
            #expect(try await store.templateBuildLog(id: build.id, from: 0, scope) == "Step 1/1 : RUN true\néa")
            #expect(try await store.templateBuildLog(id: build.id, from: 20, scope) == "éa", "an offset counts bytes")
            #expect(try await store.templateBuildLog(id: build.id, from: 21, scope) == "a", "an offset inside a character starts at the next one")
            #expect(try await store.templateBuildLog(id: build.id, from: 999, scope) == "")

            let digest = MarketplaceConformanceTests.uniqueDigest()
            await #expect(throws: DomainError.self, "an archive the server did not receive for the build is refused") {
                try await store.recordBuiltTemplate(
                    build: build.id, digest: digest, sizeBytes: 5_000, config: TemplateConfig(), steps: 3, cachedSteps: 1, log: "", scope, at: Date()
                )
            }
            #expect(try await store.templateUploadAllowance(build: build.id) == TemplateLimits.archiveBytes)
            try await store.recordTemplateUpload(build: build.id, digest: digest, sizeBytes: 5_000)
            await #expect(throws: DomainError.self, "one upload per build") {
                try await store.recordTemplateUpload(build: build.id, digest: MarketplaceConformanceTests.uniqueDigest(), sizeBytes: 5)
            }
            await #expect(throws: DomainError.self) { try await store.templateUploadAllowance(build: build.id) }
            let (succeeded, first) = try await store.recordBuiltTemplate(
                build: build.id, digest: digest, sizeBytes: 5_000, config: TemplateConfig(environment: ["A": "1"], command: ["serve"]), steps: 3, cachedSteps: 1,
                log: "done", scope, at: Date()
            )
            #expect(first.version == 1 && first.digest == digest && first.config.command == ["serve"] && first.tenantID == scope.tenantID)
            #expect(succeeded.status == .succeeded && succeeded.templateID == first.id && succeeded.cachedSteps == 1 && succeeded.finishedAt != nil)
            let again = try await store.recordBuiltTemplate(
                build: build.id, digest: digest, sizeBytes: 5_000, config: TemplateConfig(), steps: 3, cachedSteps: 1, log: "done", scope, at: Date()
            )
            #expect(again.1.id == first.id, "recording a finished build again answers what it made")
            await #expect(throws: DomainError.self, "a finished build does not run again") {
                try await store.updateTemplateBuild(id: build.id, log: nil, scope) { $0.status = .running }
            }

            let second = try await Self.built(store, scope, by: world.ada.id, name: "tools")
            #expect(second.version == 2)
            #expect(try await store.template(.name(first.name, version: nil), scope)?.id == second.id, "a name is its newest version")
            #expect(try await store.template(.name(first.name, version: 1), scope)?.id == first.id)
            #expect(try await store.template(.digest(digest), scope)?.id == first.id)
            #expect(try await store.templates(scope).map(\.version) == [2, 1])
            #expect(try await store.templateStorageBytes(scope) == 6_000)
            #expect(try await store.templateBuilds(scope).count == 2)
        }
    }

    @Test(arguments: TestEngine.available)
    func buildsUnderWayAndTemplateStorageAreLimited(engine: TestEngine) async throws {
        try await TestDatabase.make(engine).withStore { store in
            let world = try await SandboxConformanceTests.world(store)
            let scope = world.scope
            var queued: [TemplateBuild] = []
            for index in 0..<TemplateLimits.concurrentBuildsPerTenant {
                queued.append(try await store.createTemplateBuild(try Self.newBuild(scope, by: world.ada.id, name: "t\(index)"), scope))
            }
            let tooMany = await #expect(throws: DomainError.self) {
                try await store.createTemplateBuild(try Self.newBuild(scope, by: world.ada.id, name: "one-too-many"), scope)
            }
            #expect(tooMany?.kind == .forbidden)
            _ = try await store.updateTemplateBuild(id: queued[0].id, log: "no agent", scope) {
                $0.status = .failed
                $0.error = "no agent"
            }
            _ = try await store.createTemplateBuild(try Self.newBuild(scope, by: world.ada.id, name: "after-one-failed"), scope)

            _ = try await store.updateTemplateBuild(id: queued[1].id, log: nil, scope) { $0.status = .running }
            let huge = MarketplaceConformanceTests.uniqueDigest()
            try await store.recordTemplateUpload(build: queued[1].id, digest: huge, sizeBytes: TemplateLimits.storageBytesPerTenant + 1)
            let tooLarge = await #expect(throws: DomainError.self) {
                try await store.recordBuiltTemplate(
                    build: queued[1].id, digest: huge, sizeBytes: TemplateLimits.storageBytesPerTenant + 1,
                    config: TemplateConfig(), steps: 1, cachedSteps: 0, log: "", scope, at: Date()
                )
            }
            #expect(tooLarge?.kind == .forbidden)
            #expect(try await store.templateBuild(id: queued[1].id, scope)?.status == .running, "a refused template leaves the build as it was")
        }
    }

    @Test(arguments: TestEngine.available)
    func aTemplateInUseIsNotDeleted(engine: TestEngine) async throws {
        try await TestDatabase.make(engine).withStore { store in
            let world = try await SandboxConformanceTests.world(store)
            let scope = world.scope, now = Date(), deadline = now.addingTimeInterval(300)
            let template = try await Self.built(store, scope, by: world.ada.id, name: "tools")
            let created = try await store.createSandbox(
                try SandboxConformanceTests.spec(), template: template.id, createdBy: world.ada.id, scope: scope, commandDeadline: deadline, at: now
            )
            #expect(created.sandbox.templateID == template.id)
            #expect(try await store.pendingCommands(agentIDs: [world.agent.id], limit: 10).first?.template?.id == template.id, "the start carries the template")
            do {
                _ = try await store.deleteTemplates(name: template.name, version: nil, platform: false, scope, commandDeadline: deadline, at: now)
                Issue.record("a template in use was deleted")
            } catch let error as DomainError {
                #expect(error.kind == .conflict && error.message.contains(created.sandbox.id.rawValue), "the refusal names the sandbox: \(error.message)")
            }
            _ = try await store.recordCommandReport(.completed(created.command.id), agentID: world.agent.id, at: now)
            let stop = try await store.requestSandbox(.stop, id: created.sandbox.id, scope: scope, commandDeadline: deadline, at: now)
            _ = try await store.recordCommandReport(.completed(stop.command.id), agentID: world.agent.id, at: now)
            _ = try await store.deleteSandbox(id: created.sandbox.id, scope: scope, commandDeadline: deadline, at: now)

            let deleted = try await store.deleteTemplates(name: template.name, version: nil, platform: false, scope, commandDeadline: deadline, at: now)
            #expect(deleted.deleted.map(\.id) == [template.id])
            #expect(try await store.template(.name(template.name, version: nil), scope) == nil)
            #expect(try await store.templateStorageBytes(scope) == 0, "deleted versions no longer count")
            let next = try await Self.built(store, scope, by: world.ada.id, name: "tools")
            #expect(next.version == 2, "a version number is never given twice")
        }
    }

    @Test(arguments: TestEngine.available)
    func aWarmPoolStartsWaitingSandboxesThatACreateClaimsAndThePoolRefills(engine: TestEngine) async throws {
        try await TestDatabase.make(engine).withStore { store in
            let world = try await SandboxConformanceTests.world(store)
            let scope = world.scope, now = Date(), deadline = now.addingTimeInterval(300)
            let template = try await Self.built(store, scope, by: world.ada.id, name: "tools")
            #expect(try await store.setWarmPool(templateID: template.id, size: 2, by: world.ada.id, scope, at: now)?.size == 2)
            #expect(try await store.claimPooledSandbox(templateID: template.id, try Self.waitingSpec, createdBy: world.ada.id, scope, at: now) == nil, "none waits yet")

            let first = try await store.refillWarmPools(connectedAgents: [world.agent.id], commandDeadline: deadline, at: now)
            #expect(first.started.count == 2 && first.started.allSatisfy { $0.sandbox.templateID == template.id && $0.sandbox.spec.command == ["serve"] })
            #expect(try await store.refillWarmPools(connectedAgents: [world.agent.id], commandDeadline: deadline, at: now).started.isEmpty, "starting ones count")
            #expect(try await store.sandboxes(scope: scope, filter: SandboxFilter()).isEmpty, "waiting sandboxes are hidden from the tenant")
            #expect(try await store.sandbox(id: first.started[0].sandbox.id, scope: scope) == nil)
            for change in first.started {
                _ = try await store.recordCommandReport(.completed(change.command.id), agentID: world.agent.id, at: now)
            }
            #expect(try await store.quotaUsage(.user(world.ada.id), Fixtures.scope(world.organizationID, as: world.ada.id)).used.sessions == 0,
                    "waiting sandboxes count against nobody's quota")

            // The template's command: a pool sandbox runs it, so a create asking for it claims one.
            let spec = try SandboxSpec(
                name: "claimed", template: "tools", command: ["serve"], cpu: nil, memory: nil, storage: nil, environment: ["K": "v"], labels: ["who": "ada"],
                network: nil, idleTimeoutSeconds: nil, idleAction: nil, region: nil, clusterID: nil, requiredCapabilities: nil, lifetimeSeconds: 600
            )
            let claimed = try #require(try await store.claimPooledSandbox(templateID: template.id, spec, createdBy: world.ada.id, scope, at: now))
            #expect(claimed.state == .running && claimed.spec.name == "claimed" && claimed.spec.environment == ["K": "v"] && claimed.expiresAt != nil)
            #expect(try await store.sandboxes(scope: scope, filter: SandboxFilter()).map(\.id) == [claimed.id], "claimed: the tenant's now")
            #expect(try await store.quotaUsage(.user(world.ada.id), Fixtures.scope(world.organizationID, as: world.ada.id)).used.sessions == 1)
            #expect(try await store.claimPooledSandbox(templateID: template.id, try Self.waitingSpec, createdBy: world.ada.id, scope, at: now) == nil,
                    "a spec the waiting sandboxes do not run claims none")

            let refill = try await store.refillWarmPools(connectedAgents: [world.agent.id], commandDeadline: deadline, at: now)
            #expect(refill.started.count == 1, "the pool refills what was claimed")
            _ = try await store.recordCommandReport(.completed(refill.started[0].command.id), agentID: world.agent.id, at: now)
            #expect(try await store.refillWarmPools(connectedAgents: [], commandDeadline: deadline, at: now).started.isEmpty, "no connected agent, no start")

            _ = try await store.setWarmPool(templateID: template.id, size: 0, by: world.ada.id, scope, at: now)
            let retired = try await store.refillWarmPools(connectedAgents: [world.agent.id], commandDeadline: deadline, at: now).retired
            #expect(retired.count == 2 && retired.allSatisfy { $0.command.action == .stopSession || $0.command.action == .deleteSession })
            #expect(!retired.contains { $0.sandbox.id == claimed.id }, "a claimed sandbox is no pool's")
        }
    }

    @Test(arguments: TestEngine.available)
    func aBuildWhoseRunEndedWithoutItFails(engine: TestEngine) async throws {
        try await TestDatabase.make(engine).withStore { store in
            let world = try await SandboxConformanceTests.world(store)
            let scope = world.scope, now = Date()
            let build = try await store.createTemplateBuild(try Self.newBuild(scope, by: world.ada.id, name: "abandoned"), scope)
            let context = ["buildId": build.id.rawValue]
            guard case .accepted(let run) = try await store.admitRun(NewOperationRun(
                definition: .templateBuild, scope: scope, authority: .actor(world.ada.id), providerConnectionID: nil,
                identityHash: OperationRun.identity(.templateBuild, tenantID: scope.tenantID, connectionID: nil, targetContext: context, nonce: ""),
                targetContext: context, sourceSurface: "test"
            ), at: now) else { throw DomainError.conflict("the run was not admitted") }
            _ = try await store.updateTemplateBuild(id: build.id, log: nil, scope) { $0.runID = run.id }
            #expect(try await store.failAbandonedTemplateBuilds(at: now) == 0, "its run is under way")
            #expect(try await store.cancelRun(id: run.id, scope, at: now).executionStatus != .queued)
            #expect(try await store.failAbandonedTemplateBuilds(at: now) == 1)
            let failed = try #require(try await store.templateBuild(id: build.id, scope))
            #expect(failed.status == .failed && failed.error?.contains("Build again") == true && failed.finishedAt != nil)
            _ = try await store.createTemplateBuild(try Self.newBuild(scope, by: world.ada.id, name: "next"), scope)
        }
    }

    @Test(arguments: TestEngine.available)
    func aTenantsPoolsAreCappedTogether(engine: TestEngine) async throws {
        try await TestDatabase.make(engine).withStore { store in
            let world = try await SandboxConformanceTests.world(store)
            let scope = world.scope, now = Date()
            let first = try await Self.built(store, scope, by: world.ada.id, name: "first")
            let second = try await Self.built(store, scope, by: world.ada.id, name: "second")
            _ = try await store.setWarmPool(templateID: first.id, size: WarmPool.maximumWaitingPerTenant, by: world.ada.id, scope, at: now)
            let refused = await #expect(throws: DomainError.self) {
                try await store.setWarmPool(templateID: second.id, size: 1, by: world.ada.id, scope, at: now)
            }
            #expect(refused?.kind == .forbidden)
            #expect(try await store.setWarmPool(templateID: first.id, size: 10, by: world.ada.id, scope, at: now)?.size == 10, "a pool's own size is replaced")
            #expect(try await store.setWarmPool(templateID: second.id, size: 6, by: world.ada.id, scope, at: now)?.size == 6)
            #expect(try await store.warmPools(scope).map(\.size).sorted() == [6, 10])
        }
    }
}
