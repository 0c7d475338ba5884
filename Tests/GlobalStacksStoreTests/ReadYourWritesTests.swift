import Foundation
import GlobalStacksDomain
@testable import GlobalStacksStore
import GlobalStacksTestSupport
import SQLKit
import Testing

/// A caller that was told its write committed reads it back, on whichever connection its next read lands, however
/// many callers write and read at once. On SQLite, reads sharing a reader connection shared its read transaction,
/// which SQLite keeps open (with its snapshot) while any statement on the connection runs: a read that landed beside a
/// longer one missed a row committed a moment before.
@Suite("Store conformance: reading what was just written")
struct ReadYourWritesTests {
    static let writers = 8
    static let pairsPerWriter = 100
    /// A read of many rows that takes a while (tens of milliseconds), as a long list or a scan of the reconciler does.
    static let longRead: SQLQueryString = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000) SELECT i FROM n"

    @Test(arguments: TestEngine.available)
    func concurrentCreateThenReadAlwaysFindsTheRow(engine: TestEngine) async throws {
        try await TestDatabase.make(engine).withSQLStore { store in
            let user = try await store.createUser(Fixtures.newUser("reader@example.com"), at: Date())
            // Another caller's longer reads all the while.
            let longReads = Task {
                while !Task.isCancelled { _ = try await store.engine.read { try await $0.raw(Self.longRead).all() } }
            }
            let misses = try await withThrowingTaskGroup(of: [String].self) { group in
                for writer in 0..<Self.writers {
                    group.addTask {
                        var misses: [String] = []
                        for pair in 0..<Self.pairsPerWriter {
                            let name = "w\(writer)-\(pair)"
                            if pair.isMultiple(of: 2) {
                                let cluster = try await store.createCluster(owner: .platform(Fixtures.platform), name: name, slug: nil, provider: "p", metadata: [:], at: Date())
                                if try await store.cluster(id: cluster.id, visibleTo: .platform(Fixtures.platform)) == nil { misses.append("cluster \(name)") }
                            } else {
                                let (_, hash) = try await Fixtures.session(for: user, store: store, token: name)
                                if try await store.principal(tokenHash: hash, kind: .session) == nil { misses.append("credential \(name)") }
                            }
                        }
                        return misses
                    }
                }
                return try await group.reduce(into: []) { $0 += $1 }
            }
            longReads.cancel()
            _ = await longReads.result
            #expect(misses.isEmpty, "\(misses.count) of \(Self.writers * Self.pairsPerWriter) reads missed the row just written: \(misses.prefix(5))")
        }
    }
}
