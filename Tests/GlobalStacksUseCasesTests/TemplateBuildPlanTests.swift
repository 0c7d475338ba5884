import Foundation
import GlobalStacksDomain
@testable import GlobalStacksUseCases
import Testing

/// Step cache keys: a step's key changes exactly when something that led to it changed.
@Suite("Use cases: template build plans")
struct TemplateBuildPlanTests {
    static let context = ContentDigest("sha256:" + String(repeating: "c", count: 64))!

    static let tenant = TenantID.generate()

    static func keys(_ text: String, base: String = "debian:bookworm", context: ContentDigest? = Self.context, tenant: TenantID = Self.tenant) throws -> [String] {
        TemplateBuildPlan(try Dockerfile.parse(text), baseIdentity: base, context: context, tenant: tenant).stepKeys
    }

    @Test func changingTheLastStepKeepsTheKeysBeforeIt() throws {
        let first = try Self.keys("FROM debian:bookworm\nRUN apt-get install -y hello\nRUN echo one")
        let second = try Self.keys("FROM debian:bookworm\nRUN apt-get install -y hello\nRUN echo two")
        #expect(first.count == 2 && first[0] == second[0] && first[1] != second[1])
        #expect(first == (try Self.keys("FROM debian:bookworm\nRUN apt-get install -y hello\nRUN echo one")), "the same definition, the same keys")
    }

    @Test func whatAStepRunsWithIsPartOfItsKey() throws {
        let plain = try Self.keys("FROM debian:bookworm\nRUN make")
        #expect(plain != (try Self.keys("FROM debian:trixie\nRUN make", base: "debian:trixie")), "another base")
        #expect(plain != (try Self.keys("FROM debian:bookworm\nENV CC=clang\nRUN make")), "an environment set before it")
        #expect(plain != (try Self.keys("FROM debian:bookworm\nWORKDIR /src\nRUN make")), "another working directory")
        #expect(plain != (try Self.keys("FROM debian:bookworm\nUSER 1000\nRUN make")), "another user")
        #expect(plain == (try Self.keys("FROM debian:bookworm\nRUN make\nENV LATER=1")), "what comes after it is not")
        #expect(plain != (try Self.keys("FROM debian:bookworm\nRUN make", tenant: .generate())), "another tenant's cache is not this one's")
        let copy = "FROM debian:bookworm\nCOPY . /src\nRUN make"
        let other = ContentDigest("sha256:" + String(repeating: "d", count: 64))!
        #expect(try Self.keys(copy)[0] != Self.keys(copy, context: other)[0], "a copy's key covers the context")
        #expect(try Self.keys(copy)[1] != Self.keys(copy, context: other)[1], "and so does every key after it")
    }
}
