import Foundation

extension OperationTypeDefinition {
    /// Builds a template on an agent from its definition and uploads it. Target context: `buildId`. Tried once: a
    /// failed build says why in its log, and building again is the person's choice.
    public static let templateBuild = OperationTypeDefinition(
        key: OperationTypeKey(rawValue: "template.build"), capability: .buildTemplates,
        operatorVerb: "Build", operatorTarget: "template",
        protectedScope: .none, dedupe: .deterministic, prerequisites: [], maxAttempts: 1, deadline: TimeInterval(TemplateLimits.buildTimeoutSeconds + 300)
    )

    /// Saves a sandbox's filesystem as a template version. Target context: `buildId`.
    public static let templateSnapshot = OperationTypeDefinition(
        key: OperationTypeKey(rawValue: "template.snapshot"), capability: .buildTemplates,
        operatorVerb: "Snapshot", operatorTarget: "sandbox",
        protectedScope: .none, dedupe: .deterministic, prerequisites: [], maxAttempts: 1, deadline: 30 * 60
    )
}
