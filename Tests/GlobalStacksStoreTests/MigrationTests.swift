import Foundation
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
}
