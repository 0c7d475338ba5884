import Foundation
@testable import GlobalStacksDomain
import GlobalStacksStore
import GlobalStacksTestSupport
import Synchronization
import Testing
@testable import GlobalStacksUseCases

/// The publishing rules that moved out of the HTTP handler: who may publish is decided before anything sent is read,
/// uploaded bytes must hash to their digest, a submission whose content does not verify is refused, and a publisher
/// moves only its own tenant's releases.
@Suite("Publishing service")
struct PublishingServiceTests {
    final class MemoryContent: ContentStore {
        private let files = Mutex<[ContentDigest: Data]>([:])
        func put(_ bytes: Data, digest: ContentDigest) async throws { files.withLock { $0[digest] = bytes } }
        func get(_ digest: ContentDigest) async throws -> Data? { files.withLock { $0[digest] } }
    }

    /// ada owns acme, with the tenants `publisher` and `other`; `member` is a plain member's view of `publisher`.
    struct World {
        let store: any Store
        let content = MemoryContent()
        let ada: Caller
        let member: Caller
        let other: Caller
        var service: PublishingService { PublishingService(store: store, content: content) }
    }

    static func withWorld(_ body: @Sendable (World) async throws -> Void) async throws {
        try await TestDatabase.make(.sqlite).withStore { store in
            let now = Date()
            let ada = try await store.createUser(NewUser(email: EmailAddress(canonical: "ada@example.com"), displayName: "Ada", passwordHash: "$2b$04$hash", siteRole: .user), at: now)
            let acme = try await store.createOrganization(name: "Acme", AccountScope(userID: ada.id, email: ada.email, credentialID: .generate()), at: now)
            let owner = OrganizationScope(organizationID: acme.id, userID: ada.id, role: .owner)
            let publisher = try await store.createTenant(name: "Publisher", slug: try Slug(validating: "publisher"), description: nil, owner, at: now)
            let other = try await store.createTenant(name: "Other", slug: try Slug(validating: "other"), description: nil, owner, at: now)
            let credential = Credential(id: .generate(), kind: .session, userID: ada.id, name: nil, tokenPrefix: "abc", createdAt: now, lastUsedAt: now, expiresAt: nil, revokedAt: nil)
            func caller(_ role: OrganizationRole, _ tenant: Tenant) -> Caller {
                Caller(principal: Principal(user: ada, credential: credential, organization: OrganizationMembershipView(organization: acme, role: role), tenant: tenant))
            }
            try await body(World(store: store, ada: caller(.owner, publisher), member: caller(.member, publisher), other: caller(.owner, other)))
        }
    }

    static let appForm = DeveloperAppForm(
        name: "Acme", publisherName: "Acme", publisherURL: nil, supportURL: "https://a.example/s", termsURL: "https://a.example/t", privacyURL: "https://a.example/p"
    )

    static func upload(_ text: String, _ kind: ContentKind, _ world: World) async throws -> ContentDigest {
        let bytes = Data(text.utf8)
        let digest = ContentDigest.of(bytes)
        _ = try await world.service.upload(Self.chunks(bytes), declaredLength: bytes.count, digest: digest, kind: kind, caller: world.ada)
        return digest
    }

    static func chunks(_ bytes: Data) -> AsyncStream<ArraySlice<UInt8>> {
        AsyncStream { continuation in
            continuation.yield(ArraySlice(bytes))
            continuation.finish()
        }
    }

    @Test func aMemberIsRefusedBeforeWhatTheySentIsChecked() async throws {
        try await Self.withWorld { world in
            var empty = Self.appForm
            empty.name = " "
            let asMember = await DomainError.caught { _ = try await world.service.createDeveloperApp(empty, caller: world.member) }
            #expect(asMember?.kind == .forbidden)
            let asOwner = await DomainError.caught { _ = try await world.service.createDeveloperApp(empty, caller: world.ada) }
            #expect(asOwner == .invalidInput("name must not be empty."))
            let apps = try await world.service.developerApps(caller: world.member)
            #expect(apps.isEmpty, "members read")
        }
    }

    @Test func uploadedBytesMustHashToTheirDigestAndFitTheirKind() async throws {
        try await Self.withWorld { world in
            let bytes = Data("artifact".utf8)
            let wrong = ContentDigest.of(Data("something else".utf8))
            let mismatch = await DomainError.caught {
                _ = try await world.service.upload(Self.chunks(bytes), declaredLength: nil, digest: wrong, kind: .artifact, caller: world.ada)
            }
            #expect(mismatch?.kind == .invalidInput)
            let stored = try await world.content.get(wrong)
            #expect(stored == nil, "nothing was stored")
            let tooLarge = await DomainError.caught {
                _ = try await world.service.upload(Self.chunks(bytes), declaredLength: ContentKind.manifest.maximumBytes + 1,
                                                   digest: ContentDigest.of(bytes), kind: .manifest, caller: world.ada)
            }
            #expect(tooLarge?.kind == .tooLarge)

            let digest = try await Self.upload("artifact", .artifact, world)
            let content = try await world.content.get(digest)
            let kind = try await world.store.contentKind(digest, try world.ada.activeTenant())
            #expect(content == bytes && kind == .artifact)
        }
    }

    /// A release whose artifact is not in content storage and whose signature does not verify stays a draft; the
    /// publisher of another tenant of the same organization does not find it.
    @Test func aSubmissionThatFailsItsChecksIsRefusedAndOnlyItsPublisherMovesIt() async throws {
        try await Self.withWorld { world in
            let service = world.service
            let app = try await service.createDeveloperApp(Self.appForm, caller: world.ada)
            let key = try await service.registerPublisherKey(for: app.id, name: "k", publicKey: Data(repeating: 7, count: 32).base64EncodedString(), caller: world.ada)
            let package = try await service.createPackage(in: app.id, PackageForm(extensionKey: "acme.store", name: "Store", description: nil, category: nil, tags: []), caller: world.ada)
            let text = #"{"key":"acme.store","name":"Store","version":"1.0.0","publisher":"Acme","description":"d","brokerProtocol":"globalstacks.broker.v1","entrypoint":"main.py","permissions":[]}"#
            let manifestDigest = try await Self.upload(text, .manifest, world)
            let artifactDigest = ContentDigest.of(Data("never stored".utf8))
            let scope = try world.ada.activeTenant()
            try await world.store.recordContent(artifactDigest, kind: .artifact, byteCount: 12, scope, by: world.ada.user.id, at: Date())
            let manifest = try ExtensionManifest(parsing: try ExtensionManifest.document(Data(text.utf8)))
            let release = try await world.store.createExtensionRelease(NewExtensionRelease(
                packageID: package.id, manifestDigest: manifestDigest, artifactDigest: artifactDigest, manifest: manifest, manifestText: text,
                signingKeyID: key.id, signature: Data(repeating: 1, count: 64)
            ), scope, by: world.ada.user.id, at: Date())

            let refused = await DomainError.caught { _ = try await service.moveRelease(release.id, to: .submitted, reason: nil, caller: world.ada) }
            #expect(refused?.kind == .conflict)
            #expect(refused?.message.contains("artifact.digest") == true && refused?.message.contains("signature") == true)
            let statuses = try await service.releases(of: package.id, caller: world.ada).map(\.status)
            #expect(statuses == [.draft])

            let elsewhere = await DomainError.caught { _ = try await service.moveRelease(release.id, to: .revoked, reason: "x", caller: world.other) }
            #expect(elsewhere == .notFound("No extension release \(release.id) in the active tenant."))
            let revoked = try await service.moveRelease(release.id, to: .revoked, reason: " gone ", caller: world.ada)
            #expect(revoked.listed.release.status == .revoked && revoked.listed.release.statusReason == "gone")
            #expect(revoked.manifest["key"] == .string("acme.store"), "the review shows the stored manifest")
        }
    }
}

extension DomainError {
    /// Runs `body` and returns the domain error it throws, or nil when it succeeds; any other error fails the test.
    static func caught(_ body: () async throws -> Void) async -> DomainError? {
        do {
            try await body()
            return nil
        } catch let error as DomainError {
            return error
        } catch {
            Issue.record("expected a DomainError, got \(String(reflecting: error))")
            return nil
        }
    }
}
