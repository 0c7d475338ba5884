import Foundation
import GlobalStacksDomain

/// The cache keys of a definition's steps: each step's key is the SHA-256 of the key before it (the base's first),
/// the step's instruction, the environment, working directory and user it runs with, and (for a copy) the build
/// context's digest. So a step's result is reused exactly when everything that led to it is the same, and changing
/// one step rebuilds it and the steps after it only. The tenant is part of the base's key: an agent's cache is never
/// shared between tenants (a tenant cannot learn from `cachedSteps` what another one built).
public struct TemplateBuildPlan: Sendable, Equatable {
    public let baseKey: String
    public let stepKeys: [String]

    /// `baseIdentity`: `debian:<release>`, or the base template's digest.
    public init(_ definition: TemplateDefinition, baseIdentity: String, context: ContentDigest?, tenant: TenantID) {
        baseKey = Self.key("globalstacks.template.v1\nbase\n" + baseIdentity + "\ntenant " + tenant.rawValue)
        var previous = baseKey
        var keys: [String] = []
        for step in definition.steps {
            var material = previous + "\n" + step.instruction + "\n"
            material += step.environment.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "\u{0}")
            material += "\n" + step.workingDirectory + "\n" + step.user
            if case .copy = step.action { material += "\ncontext " + (context?.rawValue ?? "none") }
            previous = Self.key(material)
            keys.append(previous)
        }
        stepKeys = keys
    }

    static func key(_ material: String) -> String {
        ContentDigest.of(Data(material.utf8)).rawValue
    }
}
