import Foundation
@testable import GlobalStacksDomain
import GlobalStacksStore
import GlobalStacksTestSupport
import Testing

/// The marketplace's store rules on both engines: visibility, automatic upgrades and re-consent, revocations
/// written to installs, and installs racing a revocation.
@Suite("Store conformance: marketplace")
struct MarketplaceConformanceTests {
    struct World: Sendable {
        let ada: User
        let publisher: TenantScope
        let consumers: [TenantScope]
        let reviewer: MarketplaceReviewScope
        let package: ExtensionPackage
        let key: PublisherKey
    }

    /// ada owns acme with a publisher tenant and `consumers` other tenants; the publisher has an app, a key and the
    /// package `acme.store`.
    static func world(_ store: any Store, consumers: Int = 1) async throws -> World {
        let ada = try await store.createUser(Fixtures.newUser("ada@example.com"), at: Date())
        let acme = try await store.createOrganization(name: "Acme", Fixtures.account(ada.id), at: Date())
        let (session, hash) = try await Fixtures.session(for: ada, store: store)
        try await store.activateOrganization(Fixtures.scope(acme.id), Fixtures.account(of: session))
        let principal = try #require(try await store.principal(tokenHash: hash, kind: .session))
        var scopes: [TenantScope] = []
        for index in 0...consumers {
            let tenant = try await store.createTenant(name: "T\(index)", slug: Fixtures.slug("t\(index)"), description: nil, Fixtures.scope(acme.id), at: Date())
            scopes.append(try AccessPolicy.tenantScope(for: tenant, principal))
        }
        let publisher = scopes[0]
        let app = try await store.createDeveloperApp(NewDeveloperApp(
            name: "Acme", publisherName: "Acme", publisherURL: nil, supportURL: "https://a.example/s", termsURL: "https://a.example/t",
            privacyURL: "https://a.example/p"
        ), publisher, by: ada.id, at: Date())
        let key = try await store.registerPublisherKey(appID: app.id, name: "k", publicKey: Data(repeating: 7, count: 32), publisher, by: ada.id, at: Date())
        let package = try await store.createExtensionPackage(appID: app.id, NewExtensionPackage(
            extensionKey: ExtensionKey(rawValue: "acme.store")!, name: "Store", description: nil, category: nil, tags: []
        ), publisher, by: ada.id, at: Date())
        return World(ada: ada, publisher: publisher, consumers: Array(scopes.dropFirst()), reviewer: MarketplaceReviewScope(reviewerID: ada.id),
                     package: package, key: key)
    }

    /// Creates a release of `acme.store` and moves it to `published` (or leaves it a draft).
    static func release(_ store: any Store, _ world: World, version: String, permissions: [String], settings: String? = nil,
                        publish: Bool = true) async throws -> ExtensionRelease {
        let text = """
            {"key":"acme.store","name":"Store","version":"\(version)","publisher":"Acme","description":"d","brokerProtocol":"globalstacks.broker.v1",
             "entrypoint":"main.py","permissions":[\(permissions.map { #"{"name":"\#($0)","purpose":"p"}"# }.joined(separator: ","))]\(settings.map { #","settings":\#($0)"# } ?? "")}
            """
        let manifest = try ExtensionManifest(parsing: try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)))
        let manifestDigest = uniqueDigest(), artifactDigest = uniqueDigest()
        try await store.recordContent(manifestDigest, kind: .manifest, byteCount: text.utf8.count, world.publisher, by: world.ada.id, at: Date())
        try await store.recordContent(artifactDigest, kind: .artifact, byteCount: 1, world.publisher, by: world.ada.id, at: Date())
        let release = try await store.createExtensionRelease(NewExtensionRelease(
            packageID: world.package.id, manifestDigest: manifestDigest, artifactDigest: artifactDigest, manifest: manifest, manifestText: text,
            signingKeyID: world.key.id, signature: Data(repeating: 1, count: 64)
        ), world.publisher, by: world.ada.id, at: Date())
        guard publish else { return release }
        _ = try await store.movePublishedRelease(id: release.id, ReleaseMove(to: .submitted, reason: nil), world.publisher, by: world.ada.id, at: Date())
        _ = try await store.moveReviewedRelease(id: release.id, ReleaseMove(to: .approved, reason: nil), world.reviewer, by: world.ada.id, at: Date())
        return try await store.moveReviewedRelease(id: release.id, ReleaseMove(to: .published, reason: nil), world.reviewer, by: world.ada.id, at: Date())
    }

    /// Unique per call, as real digests of distinct bytes are (parsed manifests are cached by digest).
    static func uniqueDigest() -> ContentDigest {
        ContentDigest("sha256:" + (UUID().uuidString + UUID().uuidString).replacingOccurrences(of: "-", with: "").lowercased())!
    }

    static func install(_ store: any Store, _ world: World, _ release: ExtensionRelease, _ scope: TenantScope,
                        settings: [String: JSONValue] = [:], secretKeys: [String] = []) async throws -> InstalledExtension {
        try await store.install(NewInstall(releaseID: release.id, settings: settings, sealedSecrets: secretKeys.isEmpty ? nil : "sealed", secretKeys: secretKeys),
                                scope, by: world.ada.id, at: Date())
    }

    /// An upgrade whose settings schema no longer accepts the install's settings waits for the person, who changes
    /// them; secrets (unknown to the store) count as set.
    @Test(arguments: TestEngine.available)
    func anUpgradeThatRejectsTheSettingsWaitsForConsent(engine: TestEngine) async throws {
        try await TestDatabase.make(engine).withStore { store in
            let world = try await Self.world(store)
            let consumer = world.consumers[0]
            let loose = #"{"schema":{"type":"object","properties":{"prefix":{"type":"string"},"token":{"type":"string","minLength":8}},"required":["token"]},"secrets":["token"]}"#
            let strict = #"{"schema":{"type":"object","properties":{"prefix":{"type":"string","pattern":"^gs-"},"token":{"type":"string","minLength":8}},"required":["token"]},"secrets":["token"]}"#
            let first = try await Self.release(store, world, version: "1.0.0", permissions: [], settings: loose)
            _ = try await Self.install(store, world, first, consumer, settings: ["prefix": .string("team-")], secretKeys: ["token"])
            _ = try await Self.release(store, world, version: "1.1.0", permissions: [], settings: loose)
            #expect(try await store.install(key: world.package.extensionKey, consumer)?.install.version.description == "1.1.0", "the secret counts as set")
            _ = try await Self.release(store, world, version: "1.2.0", permissions: [], settings: strict)
            let waiting = try #require(try await store.install(key: world.package.extensionKey, consumer))
            #expect(waiting.install.status == .needsReconsent && waiting.install.version.description == "1.1.0", "\(waiting.install)")
            #expect(waiting.install.statusReason?.contains("settings.prefix") == true, "\(String(describing: waiting.install.statusReason))")
        }
    }

    @Test(arguments: TestEngine.available)
    func draftsAreInvisibleAndTheNewestPublishedReleaseIsListed(engine: TestEngine) async throws {
        try await TestDatabase.make(engine).withStore { store in
            let world = try await Self.world(store)
            let consumer = world.consumers[0]
            let draft = try await Self.release(store, world, version: "0.1.0", permissions: [], publish: false)
            #expect(try await store.catalog(consumer).isEmpty)
            let refused = await DomainError.caught { _ = try await Self.install(store, world, draft, consumer) }
            #expect(refused?.kind == .notFound, "a draft cannot be installed by another tenant")
            _ = try await Self.release(store, world, version: "1.0.0", permissions: [])
            _ = try await Self.release(store, world, version: "1.10.0", permissions: [])
            _ = try await Self.release(store, world, version: "1.9.0", permissions: [])
            #expect(try await store.catalog(consumer).map(\.listed.release.version.description) == ["1.10.0"], "semantic, not text, order")
        }
    }

    @Test(arguments: TestEngine.available)
    func publishingMovesInstallsUpOrAsksForConsentAndRevocationsAreWrittenToInstalls(engine: TestEngine) async throws {
        try await TestDatabase.make(engine).withStore { store in
            let world = try await Self.world(store)
            let consumer = world.consumers[0]
            let first = try await Self.release(store, world, version: "1.0.0", permissions: ["sandboxes.read"])
            _ = try await Self.install(store, world, first, consumer)
            _ = try await Self.release(store, world, version: "1.1.0", permissions: ["sandboxes.read"])
            let same = try #require(try await store.install(key: world.package.extensionKey, consumer))
            #expect(same.install.version.description == "1.1.0" && same.install.status == .installed, "nothing new asked: moved up")
            let wider = try await Self.release(store, world, version: "1.2.0", permissions: ["sandboxes.read", "sandboxes.exec"])
            let waiting = try #require(try await store.install(key: world.package.extensionKey, consumer))
            #expect(waiting.install.version.description == "1.1.0" && waiting.install.status == .needsReconsent, "\(waiting.install)")
            #expect(waiting.install.statusReason?.contains("permission sandboxes.exec") == true)
            let consented = try await Self.install(store, world, wider, consumer)
            #expect(consented.install.version.description == "1.2.0" && consented.install.status == .installed)

            _ = try await store.revokePublisherKey(appID: world.package.developerAppID, keyID: world.key.id, reason: "leaked", world.publisher, by: world.ada.id, at: Date())
            let unsupported = try #require(try await store.install(key: world.package.extensionKey, consumer))
            #expect(unsupported.install.status == .unsupported && unsupported.install.statusReason?.contains("leaked") == true)
            let refused = await DomainError.caught { _ = try await Self.install(store, world, wider, consumer) }
            #expect(refused?.kind == .forbidden, "a release signed by a revoked key is not installable")
            _ = try await store.moveReviewedRelease(id: wider.id, ReleaseMove(to: .revoked, reason: "malware"), world.reviewer, by: world.ada.id, at: Date())
            let disabled = try #require(try await store.install(key: world.package.extensionKey, consumer))
            #expect(disabled.install.status == .disabled && disabled.install.statusReason?.contains("malware") == true)
        }
    }

    /// Content belongs to the tenant that uploaded it: another tenant (of the same organization, even) does not find
    /// it by its digest and cannot name it in a release of its own until it uploads the same bytes itself.
    @Test(arguments: TestEngine.available)
    func contentUploadedByATenantIsNotFoundByAnother(engine: TestEngine) async throws {
        try await TestDatabase.make(engine).withStore { store in
            let world = try await Self.world(store)
            let other = world.consumers[0]
            let published = try await Self.release(store, world, version: "1.0.0", permissions: [])
            let secret = published.artifactDigest
            #expect(try await store.contentKind(secret, world.publisher) == .artifact)
            #expect(try await store.contentKind(secret, other) == nil, "another tenant's content is not found by its digest")

            let app = try await store.createDeveloperApp(NewDeveloperApp(
                name: "Other", publisherName: "Other", publisherURL: nil, supportURL: "https://o.example/s", termsURL: "https://o.example/t",
                privacyURL: "https://o.example/p"
            ), other, by: world.ada.id, at: Date())
            let key = try await store.registerPublisherKey(appID: app.id, name: "k", publicKey: Data(repeating: 8, count: 32), other, by: world.ada.id, at: Date())
            let package = try await store.createExtensionPackage(appID: app.id, NewExtensionPackage(
                extensionKey: ExtensionKey(rawValue: "other.store")!, name: "Other", description: nil, category: nil, tags: []
            ), other, by: world.ada.id, at: Date())
            let text = #"{"key":"other.store","name":"Other","version":"1.0.0","publisher":"Other","description":"d","brokerProtocol":"globalstacks.broker.v1","entrypoint":"main.py","permissions":[]}"#
            let manifest = try ExtensionManifest(parsing: try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)))
            let manifestDigest = Self.uniqueDigest()
            try await store.recordContent(manifestDigest, kind: .manifest, byteCount: text.utf8.count, other, by: world.ada.id, at: Date())
            let release = NewExtensionRelease(packageID: package.id, manifestDigest: manifestDigest, artifactDigest: secret, manifest: manifest,
                                              manifestText: text, signingKeyID: key.id, signature: Data(repeating: 1, count: 64))
            let refused = await DomainError.caught { _ = try await store.createExtensionRelease(release, other, by: world.ada.id, at: Date()) }
            #expect(refused?.kind == .invalidInput && refused?.message.contains("upload it first") == true, "\(String(describing: refused))")
            #expect(try await store.extensionReleases(packageID: package.id, other).isEmpty)

            try await store.recordContent(secret, kind: .artifact, byteCount: 1, other, by: world.ada.id, at: Date())
            #expect(try await store.createExtensionRelease(release, other, by: world.ada.id, at: Date()).artifactDigest == secret,
                    "the tenant that uploads the same bytes may name them")
        }
    }

    /// Installs in many tenants race the release's revocation: each either lands before it (and is then disabled)
    /// or is refused; none ends `installed` on the revoked release.
    @Test(arguments: TestEngine.available)
    func installsRacingARevocationNeverOutliveIt(engine: TestEngine) async throws {
        try await TestDatabase.make(engine).withStore { store in
            let world = try await Self.world(store, consumers: 12)
            let release = try await Self.release(store, world, version: "1.0.0", permissions: [])
            let outcomes = try await withThrowingTaskGroup(of: Bool.self) { group in
                for (index, consumer) in world.consumers.enumerated() {
                    group.addTask {
                        if index == 6 {
                            _ = try await store.moveReviewedRelease(id: release.id, ReleaseMove(to: .revoked, reason: "pulled"), world.reviewer,
                                                                    by: world.ada.id, at: Date())
                        }
                        let refusal = await DomainError.caught { _ = try await Self.install(store, world, release, consumer) }
                        #expect(refusal == nil || refusal?.kind == .notFound, "\(String(describing: refusal))")
                        return refusal == nil
                    }
                }
                return try await group.reduce(into: [Bool]()) { $0.append($1) }
            }
            #expect(outcomes.count == world.consumers.count)
            for consumer in world.consumers {
                if let installed = try await store.install(key: world.package.extensionKey, consumer) {
                    #expect(installed.install.status == .disabled, "an install outlived the revocation: \(installed.install.status)")
                }
            }
        }
    }
}
