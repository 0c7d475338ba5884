import Crypto
import Foundation
import GlobalStacksContract
import OpenAPIRuntime

extension GlobalStacksClient {
    public typealias DeveloperApp = Components.Schemas.DeveloperApp
    public typealias ExtensionPackage = Components.Schemas.ExtensionPackage
    public typealias ExtensionRelease = Components.Schemas.ExtensionRelease
    public typealias PublisherKey = Components.Schemas.PublisherKey

    public func developerApps() async throws -> [DeveloperApp] {
        try await call { try await client.listDeveloperApps().ok.body.json.items }
    }

    public func createDeveloperApp(name: String, publisherName: String, supportURL: String, termsURL: String, privacyURL: String) async throws -> DeveloperApp {
        try await call {
            try await client.createDeveloperApp(body: .json(.init(
                name: name, publisherName: publisherName, supportUrl: supportURL, termsUrl: termsURL, privacyUrl: privacyURL
            ))).created.body.json
        }
    }

    /// Registers an Ed25519 public key (raw 32 bytes) the app signs releases with.
    public func registerPublisherKey(app: String, name: String, publicKey: Data) async throws -> PublisherKey {
        try await call {
            try await client.registerPublisherKey(path: .init(developerAppId: app), body: .json(.init(
                name: name, publicKey: publicKey.base64EncodedString()
            ))).created.body.json
        }
    }

    public func extensionPackages(app: String) async throws -> [ExtensionPackage] {
        try await call { try await client.listExtensionPackages(path: .init(developerAppId: app)).ok.body.json.items }
    }

    public func createExtensionPackage(app: String, key: String, name: String) async throws -> ExtensionPackage {
        try await call {
            try await client.createExtensionPackage(path: .init(developerAppId: app), body: .json(.init(extensionKey: key, name: name))).created.body.json
        }
    }

    public func extensionReleases(package: String) async throws -> [ExtensionRelease] {
        try await call { try await client.listExtensionReleases(path: .init(extensionPackageId: package)).ok.body.json.items }
    }

    /// The `sha256:` address of some bytes.
    public static func contentDigest(_ bytes: Data) -> String {
        "sha256:" + SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
    }

    /// Publishes a release as a draft: uploads the manifest and the artifact under their digests, signs the pair with
    /// `signer` (the app's registered key `keyID`) and registers the signature, then creates the release.
    public func createRelease(
        package: String, version: String, manifest: Data, artifact: Data, keyID: String, signer: Curve25519.Signing.PrivateKey
    ) async throws -> ExtensionRelease {
        let manifestDigest = Self.contentDigest(manifest)
        let artifactDigest = Self.contentDigest(artifact)
        for (bytes, digest, kind) in [(manifest, manifestDigest, "manifest"), (artifact, artifactDigest, "artifact")] {
            _ = try await call {
                try await client.uploadExtensionContent(
                    path: .init(contentDigest: digest), query: .init(kind: kind), body: .binary(HTTPBody(bytes))
                ).created
            }
        }
        let message = Data("globalstacks.release.v1\n\(manifestDigest)\n\(artifactDigest)\n".utf8)
        let signature = try signer.signature(for: message).base64EncodedString()
        _ = try await call {
            try await client.registerReleaseSignature(path: .init(extensionPackageId: package), body: .json(.init(
                manifestDigest: manifestDigest, artifactDigest: artifactDigest, keyId: keyID, signature: signature
            ))).created
        }
        return try await call {
            try await client.createExtensionRelease(path: .init(extensionPackageId: package), body: .json(.init(
                version: version, artifactDigest: artifactDigest, manifestDigest: manifestDigest
            ))).created.body.json
        }
    }

    /// A publisher's move of a release: `private`, `submitted` (for review) or `revoked`.
    public func moveRelease(_ id: String, to: String, reason: String? = nil) async throws {
        guard let target = Components.Schemas.ReleaseMoveRequest.ToPayload(rawValue: to) else {
            throw GlobalStacksClientError(status: 400, message: "A publisher moves a release to private, submitted or revoked.")
        }
        _ = try await call {
            try await client.moveExtensionRelease(path: .init(extensionReleaseId: id), body: .json(.init(to: target, reason: reason))).ok
        }
    }
}
