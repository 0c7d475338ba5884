import Foundation
import SQLKit
@testable import GlobalStacksDomain
@testable import GlobalStacksStore
import GlobalStacksTestSupport
import Testing

/// Landed migrations never change, and a database made at any earlier version upgrades to the current one with its
/// data, on both engines.
@Suite("Store conformance: migrations")
struct MigrationTests {
    /// FNV-1a of each migration's SQL for each engine. A landed migration is never edited: a schema change is a new
    /// migration. Add the new version's pin here when it lands.
    static let pinned: [Int: (sqlite: UInt64, postgresql: UInt64)] = [
        1: (1_316_217_294_562_445_441, 1_316_217_294_562_445_441),
        2: (13_989_712_092_288_826_309, 3_090_206_061_874_582_709),
        3: (15_811_082_309_487_306_019, 15_811_082_309_487_306_019),
        4: (9_463_098_559_339_120_239, 9_463_098_559_339_120_239),
        5: (4_518_913_893_613_836_005, 4_518_913_893_613_836_005),
        6: (2_892_138_031_379_441_557, 4_294_070_974_857_974_579),
        7: (3_663_673_862_600_849_929, 3_663_673_862_600_849_929),
        8: (15_995_709_566_387_568_174, 15_995_709_566_387_568_174),
        9: (17_415_572_874_841_799_956, 17_415_572_874_841_799_956),
        10: (7_369_433_442_380_929_461, 7_369_433_442_380_929_461),
        11: (8_067_734_079_868_793_674, 8_067_734_079_868_793_674),
        12: (2_616_342_826_548_316_075, 2_616_342_826_548_316_075),
        13: (11_878_886_427_387_569_134, 11_878_886_427_387_569_134),
    ]

    static func fingerprint(_ migration: Migration, _ kind: DatabaseEngineKind) -> UInt64 {
        let text = migration.name + "\u{0}" + migration.statements.compactMap { $0.sql(for: kind) }.joined(separator: "\u{0}")
        return text.utf8.reduce(0xcbf2_9ce4_8422_2325) { ($0 ^ UInt64($1)) &* 0x0000_0100_0000_01b3 }
    }

    @Test func landedMigrationsAreUnchanged() {
        let versions = Schema.migrations.map(\.version)
        #expect(versions == Array(1...versions.count), "versions are consecutive from 1")
        for migration in Schema.migrations {
            let actual = (Self.fingerprint(migration, .sqlite), Self.fingerprint(migration, .postgresql))
            let pin = Self.pinned[migration.version]
            #expect(pin?.sqlite == actual.0 && pin?.postgresql == actual.1,
                    "migration \(migration.version) changed or is not pinned; its fingerprint is (sqlite: \(actual.0), postgresql: \(actual.1))")
        }
    }

    /// For every earlier version: a database migrated only that far, with an account, an organization and its tenant
    /// (and, from version 3 on, an enrolled agent), upgrades to the current schema and the store still finds them.
    @Test(arguments: TestEngine.available)
    func everyEarlierVersionUpgradesWithItsData(engine: TestEngine) async throws {
        for version in 1..<Schema.migrations.count {
            let database = try await TestDatabase.make(engine)
            try await database.withEngine { engine in
                try await Migrator(engine: engine, migrations: Array(Schema.migrations.prefix(version)), logger: TestDatabase.logger).migrate()
                let store = SQLStore(engine: engine)
                let ada = try await store.createUser(Fixtures.newUser("ada-\(version)@example.com"), at: Date())
                let acme = try await store.createOrganization(name: "Acme", Fixtures.account(ada), at: Date())
                _ = try await store.createTenant(name: "Prod", slug: Fixtures.slug("prod"), description: nil, Fixtures.scope(acme.id, as: ada.id), at: Date())

                let applied = try await Migrator(engine: engine, logger: TestDatabase.logger).migrate()
                #expect(applied == Array((version + 1)...Schema.migrations.count), "version \(version) upgrades to the current one")
                #expect(try await store.userForSignIn(email: ada.email)?.user == ada, "from version \(version)")
                #expect(try await store.memberships(Fixtures.account(ada)).map(\.organization.id).contains(acme.id))
                #expect(try await store.tenants(Fixtures.scope(acme.id, as: ada.id)).map(\.slug.rawValue) == ["prod"])
            }
        }
    }

    /// Migration 9 gives existing content to the tenants whose releases name it when the uploader belongs to their
    /// organization; a release that named another tenant's content is revoked and its installs disabled.
    @Test(arguments: TestEngine.available)
    func contentOwnershipKeepsReleasesContentAndRevokesBorrowedContent(engine: TestEngine) async throws {
        let database = try await TestDatabase.make(engine)
        try await database.withEngine { engine in
            try await Migrator(engine: engine, migrations: Array(Schema.migrations.prefix(8)), logger: TestDatabase.logger).migrate()
            let store = SQLStore(engine: engine)
            func publisher(_ email: String, _ key: String) async throws -> (User, TenantScope, ExtensionPackage, PublisherKey) {
                let user = try await store.createUser(Fixtures.newUser(email), at: Date())
                let organization = try await store.createOrganization(name: key, Fixtures.account(user), at: Date())
                let tenant = try await store.createTenant(name: key, slug: Fixtures.slug(key), description: nil, Fixtures.scope(organization.id, as: user.id), at: Date())
                let scope = TenantScope(tenantID: tenant.id, organizationID: organization.id)
                let app = try await store.createDeveloperApp(NewDeveloperApp(
                    name: key, publisherName: key, publisherURL: nil, supportURL: "https://a.example/s", termsURL: "https://a.example/t", privacyURL: "https://a.example/p"
                ), scope, by: user.id, at: Date())
                let signing = try await store.registerPublisherKey(appID: app.id, name: "k", publicKey: Data(repeating: 7, count: 32), scope, by: user.id, at: Date())
                let package = try await store.createExtensionPackage(appID: app.id, NewExtensionPackage(
                    extensionKey: ExtensionKey(rawValue: "\(key).store")!, name: key, description: nil, category: nil, tags: []
                ), scope, by: user.id, at: Date())
                return (user, scope, package, signing)
            }
            let (ada, adaScope, adaPackage, adaKey) = try await publisher("ada@example.com", "acme")
            let (mallory, malloryScope, malloryPackage, malloryKey) = try await publisher("mallory@example.com", "thief")
            let (adaRelease, malloryRelease) = (ExtensionReleaseID.generate(), ExtensionReleaseID.generate())
            try await engine.transaction { sql in
                for (hex, kind, user) in [("a", "manifest", ada), ("b", "artifact", ada), ("c", "manifest", mallory), ("d", "artifact", ada)] as [(Character, String, User)] {
                    try await sql.raw("""
                        INSERT INTO extension_content (digest, kind, byte_count, uploaded_by, created_at)
                        VALUES (\(bind: Self.digest(hex)), \(bind: kind), 1, \(bind: user.id.rawValue), 0)
                        """).run()
                }
                // ada's release of her own content; mallory's names ada's artifact.
                for (id, package, key, manifest, artifact) in [(adaRelease, adaPackage, adaKey, "a", "b"), (malloryRelease, malloryPackage, malloryKey, "c", "b")]
                    as [(ExtensionReleaseID, ExtensionPackage, PublisherKey, Character, Character)] {
                    let text = #"{"key":"\#(package.extensionKey)","name":"S","version":"1.0.0","publisher":"P","description":"d","brokerProtocol":"globalstacks.broker.v1","entrypoint":"main.py","permissions":[]}"#
                    try await sql.raw("""
                        INSERT INTO extension_releases (id, package_id, version, manifest_digest, artifact_digest, manifest, signing_key_id, signature,
                            status, visibility, findings, search_text, created_at, updated_at)
                        VALUES (\(bind: id.rawValue), \(bind: package.id.rawValue), '1.0.0', \(bind: Self.digest(manifest)), \(bind: Self.digest(artifact)), \(bind: text),
                            \(bind: key.id.rawValue), 'AQ==', 'published', 'public', '[]', 's', 0, 0)
                        """).run()
                }
            }
            _ = try await store.install(NewInstall(releaseID: malloryRelease, settings: [:], sealedSecrets: nil, secretKeys: []), malloryScope, by: mallory.id, at: Date())

            #expect(try await Migrator(engine: engine, logger: TestDatabase.logger).migrate() == Array(9...Schema.migrations.count))
            #expect(try await store.contentKind(ContentDigest(Self.digest("a"))!, adaScope) == .manifest)
            #expect(try await store.contentKind(ContentDigest(Self.digest("b"))!, adaScope) == .artifact)
            #expect(try await store.contentKind(ContentDigest(Self.digest("b"))!, malloryScope) == nil, "a release naming it gave mallory nothing")
            #expect(try await store.contentKind(ContentDigest(Self.digest("c"))!, malloryScope) == .manifest)
            #expect(try await store.contentKind(ContentDigest(Self.digest("d"))!, adaScope) == nil, "content no release names is uploaded again")
            #expect(try await store.extensionReleases(packageID: adaPackage.id, adaScope).map(\.status) == [.published])
            let revoked = try await store.extensionReleases(packageID: malloryPackage.id, malloryScope)
            #expect(revoked.map(\.status) == [.revoked] && revoked.first?.statusReason?.contains("did not upload") == true, "\(revoked)")
            let install = try await store.install(key: malloryPackage.extensionKey, malloryScope)
            #expect(install?.install.status == .disabled, "\(String(describing: install?.install))")
        }
    }

    static func digest(_ hex: Character) -> String {
        "sha256:" + String(repeating: hex, count: 64)
    }
}
