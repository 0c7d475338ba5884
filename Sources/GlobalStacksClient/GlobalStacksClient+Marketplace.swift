import Foundation
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
