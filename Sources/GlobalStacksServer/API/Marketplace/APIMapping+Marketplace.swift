import Foundation
import GlobalStacksAPI
import GlobalStacksContract
import GlobalStacksDomain
import GlobalStacksUseCases
import OpenAPIRuntime

extension APIMapping {
    /// JSON values to the generated free-form object type and back (the same JSON either way).
    static func container(_ object: [String: JSONValue]) throws -> OpenAPIObjectContainer {
        try JSONDecoder().decode(OpenAPIObjectContainer.self, from: JSONEncoder().encode(object))
    }

    static func jsonObject(_ container: OpenAPIObjectContainer?) throws -> [String: JSONValue] {
        guard let container else { return [:] }
        return try JSONDecoder().decode([String: JSONValue].self, from: JSONEncoder().encode(container))
    }

    static func developerApp(_ app: DeveloperApp) -> Components.Schemas.DeveloperApp {
        .init(
            id: app.id.rawValue, createdAt: app.createdAt, updatedAt: app.updatedAt,
            name: app.name, publisherName: app.publisherName, publisherUrl: app.publisherURL, supportUrl: app.supportURL,
                          termsUrl: app.termsURL, privacyUrl: app.privacyURL, status: .init(rawValue: app.status.rawValue)!,
                          createdBy: app.createdBy.rawValue
        )
    }

    static func publisherKey(_ key: PublisherKey) -> Components.Schemas.PublisherKey {
        .init(id: key.id.rawValue, developerAppId: key.developerAppID.rawValue, name: key.name, publicKey: key.publicKey.base64EncodedString(),
              createdAt: key.createdAt, revokedAt: key.revokedAt, revokedReason: key.revokedReason)
    }

    static func extensionPackage(_ package: ExtensionPackage) -> Components.Schemas.ExtensionPackage {
        .init(
            id: package.id.rawValue, createdAt: package.createdAt, updatedAt: package.updatedAt,
            developerAppId: package.developerAppID.rawValue, extensionKey: package.extensionKey.rawValue, name: package.name,
                          description: package.description, category: package.category, tags: package.tags,
                          status: .init(rawValue: package.status.rawValue)!
        )
    }

    static func extensionRelease(_ release: ExtensionRelease) -> Components.Schemas.ExtensionRelease {
        let manifest = release.manifest
        return .init(
            id: release.id.rawValue, createdAt: release.createdAt, updatedAt: release.updatedAt,
            extensionPackageId: release.packageID.rawValue, version: release.version.description,
                          artifactDigest: release.artifactDigest.rawValue, manifestDigest: release.manifestDigest.rawValue,
                          permissions: manifest.permissionNames, egress: manifest.egressNames, brokerProtocol: manifest.brokerProtocol,
                          minGlobalstacksVersion: manifest.minGlobalstacksVersion?.description, agentCapabilities: manifest.agentCapabilities,
                          releaseStatus: .init(rawValue: release.status.rawValue)!, visibility: .init(rawValue: release.visibility.rawValue)!,
                          submittedAt: release.submittedAt, reviewedAt: release.reviewedAt, publishedAt: release.publishedAt
        )
    }

    static func releaseReview(_ review: ReleaseReview) throws -> Components.Schemas.ExtensionReleaseReview {
        let listed = review.listed
        let release = listed.release
        return .init(
            release: extensionRelease(release), extensionKey: listed.package.extensionKey.rawValue, publisherName: listed.publisherName,
            statusReason: release.statusReason,
            findings: release.findings.map { .init(check: $0.check, severity: .init(rawValue: $0.severity.rawValue)!, detail: $0.detail) },
            signingKeyId: release.signingKeyID.rawValue, signingKeyRevokedReason: listed.keyRevokedReason,
            manifest: .init(additionalProperties: try container(review.manifest))
        )
    }

    static func auditEvent(_ event: MarketplaceAuditEvent) throws -> Components.Schemas.MarketplaceAuditEvent {
        .init(id: String(event.id), action: event.action.rawValue, actorId: event.actorID.rawValue, extensionKey: event.extensionKey.rawValue,
              tenantId: event.tenantID?.rawValue, detail: .init(additionalProperties: try container(event.detail)), createdAt: event.createdAt)
    }
}
