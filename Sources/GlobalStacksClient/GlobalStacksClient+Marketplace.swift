import Foundation
import GlobalStacksContract
import OpenAPIRuntime

extension GlobalStacksClient {
    public typealias IntegrationConsent = Components.Schemas.IntegrationConsent
    public typealias IntegrationSettings = Components.Schemas.IntegrationSettingsResponse
    public typealias IntegrationCliCommand = Components.Schemas.IntegrationCliCommand

    /// What installing the newest available release of `key` means, and the digests to consent with.
    public func consent(_ key: String) async throws -> IntegrationConsent {
        try await call { try await client.getIntegrationConsent(path: .init(extensionKey: key)).ok.body.json }
    }

    /// Installs (or consents again to) the release the consent screen showed.
    public func install(_ key: String, consentingTo consent: IntegrationConsent, settings: [String: any Sendable] = [:]) async throws -> IntegrationInstall {
        let container = try OpenAPIObjectContainer(unvalidatedValue: settings.mapValues { $0 as (any Sendable)? })
        return try await call {
            try await client.installIntegration(path: .init(extensionKey: key), body: .json(.init(
                manifestDigest: consent.manifestDigest, artifactDigest: consent.artifactDigest,
                settings: settings.isEmpty ? nil : .init(additionalProperties: container)
            ))).created.body.json.install
        }
    }

    public func integrationSettings(_ key: String) async throws -> IntegrationSettings {
        try await call { try await client.getIntegrationSettings(path: .init(extensionKey: key)).ok.body.json }
    }

    /// A merge patch of the tenant's settings (`nil` values remove a setting).
    public func updateIntegrationSettings(_ key: String, _ patch: [String: (any Sendable)?]) async throws -> IntegrationSettings {
        let container = try OpenAPIObjectContainer(unvalidatedValue: patch)
        return try await call {
            try await client.updateIntegrationSettings(path: .init(extensionKey: key), body: .json(.init(settings: .init(additionalProperties: container)))).ok.body.json
        }
    }

    public func uninstall(_ key: String) async throws {
        _ = try await call { try await client.uninstallIntegration(path: .init(extensionKey: key)).noContent }
    }

    /// The installed release's CLI command metadata.
    public func integrationCliCommands(_ key: String) async throws -> [IntegrationCliCommand] {
        try await call { try await client.getIntegrationCliCommands(path: .init(extensionKey: key)).ok.body.json.commands }
    }
}

extension GlobalStacksClient {
    /// What an invocation answered: its run's id, the outputs (as JSON) and the diagnostics.
    public struct Invocation: Sendable {
        public let jobId: String
        public let outputs: Data
        public let diagnostics: [String]
    }

    /// Invokes an installed extension's operation through the broker; the answer waits for it to end.
    public func invoke(_ key: String, operation: String, targetKind: String, targetId: String, input: [String: any Sendable]) async throws -> Invocation {
        let container = try OpenAPIObjectContainer(unvalidatedValue: input.mapValues { $0 as (any Sendable)? })
        let answer = try await call {
            try await client.invokeIntegrationExtension(path: .init(extensionKey: key), body: .json(.init(
                operation: operation, targetKind: targetKind, targetId: targetId, input: .init(additionalProperties: container)
            ))).ok.body.json
        }
        let outputs = try JSONEncoder().encode(answer.outputs?.additionalProperties ?? OpenAPIObjectContainer())
        return Invocation(jobId: answer.jobId, outputs: outputs, diagnostics: answer.diagnostics ?? [])
    }
}
