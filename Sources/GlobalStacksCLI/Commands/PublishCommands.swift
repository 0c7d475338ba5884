import ArgumentParser
import Crypto
import Foundation
import GlobalStacksClient
import GlobalStacksContract

/// `gstacks publish …`: what a developer does to ship an extension (docs/marketplace.md#publishing): a developer app,
/// a signing key (made here; its private half stays in a file only the user can read), a package, and releases
/// uploaded, signed and submitted for review.
public struct PublishCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "publish", abstract: "Publish extensions: developer apps, signing keys, packages and releases.",
        subcommands: [Apps.self, CreateApp.self, CreateKey.self, Packages.self, CreatePackage.self, Releases.self, Release.self]
    )

    public init() {}

    struct Apps: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "apps", abstract: "The active tenant's developer apps.")
        @OptionGroup var context: ContextOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            try await runCommand { try output.print(try await context.client().0.developerApps(), columns: ["id", "name", "publisherName", "status"]) }
        }
    }

    struct CreateApp: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "create-app", abstract: "Create a developer app (the publisher identity).")
        @OptionGroup var context: ContextOptions
        @OptionGroup var output: OutputOptions
        @Argument var name: String
        @Option var publisher: String
        @Option var supportUrl: String
        @Option var termsUrl: String
        @Option var privacyUrl: String

        func run() async throws {
            try await runCommand {
                let app = try await context.client().0.createDeveloperApp(
                    name: name, publisherName: publisher, supportURL: supportUrl, termsURL: termsUrl, privacyURL: privacyUrl
                )
                try output.print(app, columns: ["id", "name", "publisherName", "status"])
            }
        }
    }

    /// The signing key file: the key's id at the server and its private half (base64 raw Ed25519), mode 0600.
    struct KeyFile: Codable {
        let keyId: String
        let privateKey: String

        static func load(_ path: String) throws -> (id: String, key: Curve25519.Signing.PrivateKey) {
            guard let data = FileManager.default.contents(atPath: path), let file = try? JSONDecoder().decode(KeyFile.self, from: data),
                  let raw = Data(base64Encoded: file.privateKey), let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: raw)
            else { throw CLIError(.failure, "\(path) is not a signing key file made by `gstacks publish create-key`.") }
            return (file.keyId, key)
        }
    }

    struct CreateKey: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "create-key", abstract: "Make an Ed25519 signing key, register its public half, and keep the private half in --out (0600)."
        )
        @OptionGroup var context: ContextOptions
        @Argument var app: String
        @Option var name: String = "release"
        @Option(help: "Where the key file goes (it must not exist).") var out: String

        func run() async throws {
            try await runCommand {
                guard !FileManager.default.fileExists(atPath: out) else { throw CLIError(.usage, "\(out) exists; keys are never overwritten.") }
                let key = Curve25519.Signing.PrivateKey()
                let registered = try await context.client().0.registerPublisherKey(app: app, name: name, publicKey: key.publicKey.rawRepresentation)
                let data = try JSONEncoder().encode(KeyFile(keyId: registered.id, privateKey: key.rawRepresentation.base64EncodedString()))
                guard FileManager.default.createFile(atPath: out, contents: data, attributes: [.posixPermissions: 0o600]) else {
                    throw CLIError(.failure, "Could not write \(out); the key \(registered.id) is registered but unusable: revoke it.")
                }
                print("Registered key \(registered.id); its private half is in \(out).")
            }
        }
    }

    struct Packages: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "packages", abstract: "A developer app's packages.")
        @OptionGroup var context: ContextOptions
        @OptionGroup var output: OutputOptions
        @Argument var app: String

        func run() async throws {
            try await runCommand { try output.print(try await context.client().0.extensionPackages(app: app), columns: ["id", "extensionKey", "name", "status"]) }
        }
    }

    struct CreatePackage: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "create-package", abstract: "Create a package with its extension key.")
        @OptionGroup var context: ContextOptions
        @OptionGroup var output: OutputOptions
        @Argument var app: String
        @Argument var key: String
        @Option var name: String

        func run() async throws {
            try await runCommand {
                try output.print(try await context.client().0.createExtensionPackage(app: app, key: key, name: name), columns: ["id", "extensionKey", "name", "status"])
            }
        }
    }

    struct Releases: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "releases", abstract: "A package's releases.")
        @OptionGroup var context: ContextOptions
        @OptionGroup var output: OutputOptions
        @Argument var package: String

        func run() async throws {
            try await runCommand { try output.print(try await context.client().0.extensionReleases(package: package), columns: ["id", "version", "releaseStatus", "visibility"]) }
        }
    }

    struct Release: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "release", abstract: "Upload, sign and create a release from extension.json and the artifact (a tar archive); --submit sends it to review."
        )
        @OptionGroup var context: ContextOptions
        @OptionGroup var output: OutputOptions
        @Argument var package: String
        @Option var manifest: String
        @Option var artifact: String
        @Option(help: "The file `gstacks publish create-key` made.") var keyFile: String
        @Flag var submit = false

        func run() async throws {
            try await runCommand {
                guard let manifestBytes = FileManager.default.contents(atPath: manifest), let artifactBytes = FileManager.default.contents(atPath: artifact) else {
                    throw CLIError(.usage, "Cannot read \(manifest) or \(artifact).")
                }
                guard let version = (try? JSONSerialization.jsonObject(with: manifestBytes) as? [String: Any])?["version"] as? String else {
                    throw CLIError(.usage, "\(manifest) has no version.")
                }
                let (keyID, key) = try KeyFile.load(keyFile)
                let client = try context.client().0
                let release = try await client.createRelease(
                    package: package, version: version, manifest: manifestBytes, artifact: artifactBytes, keyID: keyID, signer: key
                )
                if submit { try await client.moveRelease(release.id, to: "submitted") }
                try output.print(release, columns: ["id", "version", "releaseStatus", "manifestDigest", "artifactDigest"])
                if submit { FileHandle.standardError.write(Data("Submitted for review.\n".utf8)) }
            }
        }
    }
}
