import Foundation
import GlobalStacksDomain
import HTTPTypes
import Testing
@testable import GlobalStacksServer

/// An artifact grant opens one digest until its deadline, under this installation's secret key, and nothing else.
@Suite("Artifact grants")
struct ArtifactGrantsTests {
    static func grants() throws -> ArtifactGrants {
        let keyFile = FileManager.default.temporaryDirectory.appendingPathComponent("gstacks-grant-\(UUID().uuidString).key")
        return ArtifactGrants(sealer: try SecretSealer(keyFile: keyFile))
    }

    static let digest = ContentDigest("sha256:" + String(repeating: "a", count: 64))!
    static let other = ContentDigest("sha256:" + String(repeating: "b", count: 64))!

    @Test func aGrantOpensItsDigestUntilItsDeadlineAndNothingElse() throws {
        let grants = try Self.grants()
        let now = Date()
        let token = grants.issue(run: OperationRunID(rawValue: 7), digest: Self.digest, expiresAt: now.addingTimeInterval(60))
        #expect(token.hasPrefix("gsg_"))
        #expect(grants.permits(token, digest: Self.digest, for: .invocation, at: now))
        #expect(!grants.permits(token, digest: Self.other, for: .invocation, at: now), "another digest")
        #expect(!grants.permits(token, digest: Self.digest, for: .invocation, at: now.addingTimeInterval(61)), "past its deadline")
        #expect(!(try Self.grants()).permits(token, digest: Self.digest, for: .invocation, at: now), "another installation's key")
        let parts = token.split(separator: ".")
        let later = parts[0...1].joined(separator: ".") + ".\(Int(now.timeIntervalSince1970) + 86_400)." + parts[3]
        #expect(!grants.permits(later, digest: Self.digest, for: .invocation, at: now), "a deadline moved by hand")
        #expect(!grants.permits("gsk_" + token.dropFirst(4), digest: Self.digest, for: .invocation, at: now), "another kind of secret")
        #expect(!grants.permits("", digest: Self.digest, for: .invocation, at: now))
        #expect(!grants.permits(token, digest: Self.digest, for: .template, at: now), "an invocation's grant is not a template's")
        let template = grants.issueTemplate(subject: UUID().uuidString, digest: Self.digest, expiresAt: now.addingTimeInterval(60))
        #expect(grants.permits(template, digest: Self.digest, for: .template, at: now))
        #expect(!grants.permits(template, digest: Self.digest, for: .invocation, at: now), "a template's grant opens no invocation's artifact")
        let build = TemplateBuildID.generate()
        let upload = grants.issueUpload(build: build, expiresAt: now.addingTimeInterval(60))
        #expect(grants.permitsUpload(upload, build: build, at: now) && !grants.permitsUpload(upload, build: .generate(), at: now))
        #expect(!grants.permitsUpload(template, build: build, at: now) && !grants.permits(upload, digest: Self.digest, for: .template, at: now))
    }

    @Test func theArtifactEndpointRefusesAnyoneWithoutTheGrant() async throws {
        try await TestServer.run { api, _ in
            let path = "/v1/broker/artifacts/\(Self.digest.rawValue)"
            let anonymous = try await api.request(.get, path)
            #expect(anonymous.status == .unauthorized && anonymous.message.contains("credential its invocation sent"), "\(anonymous.message)")
            let forged = try await api.request(.get, path, headers: [.authorization: "Bearer gsg_7.\(String(repeating: "a", count: 64)).9999999999.AAAA"])
            #expect(forged.status == .unauthorized)
            let session = try await api.signIn(TestServer.adminEmail, TestServer.adminPassword)
            #expect(try await api.request(.get, path, session: session).status == .unauthorized, "a person's session opens no artifact")
            #expect(try await api.request(.get, "/v1/broker/artifacts/not-a-digest").status == .unauthorized)
        }
    }
}
