import Foundation
import GlobalStacksContract
import GlobalStacksDomain

extension APIMapping {
    static func dataPlaneInstance(_ instance: DataPlaneInstance) throws -> Components.Schemas.DataPlaneInstance {
        var metadata = instance.metadata
        if let reason = instance.stateReason { metadata["stateReason"] = .string(reason) }
        if let run = instance.provisionRunID { metadata["provisionRunId"] = .string(String(run.rawValue)) }
        return .init(
            id: instance.id.rawValue, provider: instance.provider, extensionKey: instance.extensionKey.rawValue, extensionInstallId: instance.installID?.rawValue,
            hostId: instance.agentID.rawValue, state: .init(rawValue: instance.state.rawValue)!, endpoint: instance.endpoint,
            settings: .init(additionalProperties: try container(instance.settings)),
            effectiveSettings: .init(additionalProperties: try container(instance.effectiveSettings)),
            health: .init(additionalProperties: try container(instance.health)), metadata: .init(additionalProperties: try container(metadata)),
            createdBy: instance.createdBy?.rawValue, createdAt: instance.createdAt, updatedAt: instance.updatedAt
        )
    }

    static func objectStore(_ store: ObjectStore) throws -> Components.Schemas.ObjectStore {
        var metadata = store.metadata
        if let reason = store.statusReason { metadata["statusReason"] = .string(reason) }
        if let verified = store.verifiedAt { metadata["verifiedAt"] = .string(ISO8601DateFormatter().string(from: verified)) }
        return .init(
            id: store.id.rawValue, providerKey: store.providerKey.rawValue, hostedMode: .init(rawValue: store.hostedMode.rawValue)!,
            purpose: .init(rawValue: store.purpose.rawValue)!, endpoint: store.endpoint, bucket: store.bucket, prefix: store.prefix,
            credentialRef: store.credentialRef, dataPlaneInstanceId: store.dataPlaneInstanceID?.rawValue, status: .init(rawValue: store.status.rawValue)!,
            metadata: .init(additionalProperties: try container(metadata)), createdBy: store.createdBy?.rawValue, createdAt: store.createdAt,
            updatedAt: store.updatedAt
        )
    }

    /// A contract enum's value as ours (both list the same words).
    static func domain<Value: RawRepresentable>(_ text: String, as type: Value.Type, field: String) throws -> Value where Value.RawValue == String {
        guard let value = Value(rawValue: text) else { throw DomainError.invalidInput("\(field) '\(text.prefix(50))' is not one this server knows.") }
        return value
    }
}
