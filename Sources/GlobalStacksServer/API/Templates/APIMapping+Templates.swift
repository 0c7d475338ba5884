import GlobalStacksContract
import GlobalStacksDomain

extension APIMapping {
    static func template(_ template: Template) -> Components.Schemas.Template {
        .init(
            id: template.id.rawValue, name: template.name.rawValue, version: template.version, reference: template.reference,
            digest: template.digest.rawValue, sizeBytes: template.sizeBytes, platform: template.isPlatform,
            environment: .init(additionalProperties: template.config.environment), workingDirectory: template.config.workingDirectory,
            command: template.config.command, readyCommand: template.config.readyCommand, buildId: template.buildID.rawValue,
            createdBy: template.createdBy.rawValue, createdAt: template.createdAt
        )
    }

    /// `listed`: without the definition (lists and logs stay small).
    static func templateBuild(_ build: TemplateBuild, listed: Bool = false) -> Components.Schemas.TemplateBuild {
        .init(
            id: build.id.rawValue, name: build.name.rawValue, kind: build.kind == .build ? .build : .snapshot,
            status: .init(rawValue: build.status.rawValue)!, platform: build.platform, definition: listed || build.definition.isEmpty ? nil : build.definition,
            contextDigest: build.contextDigest?.rawValue, sandboxId: build.sandboxID?.rawValue, runId: build.runID?.rawValue,
            templateId: build.templateID?.rawValue, templateReference: nil, steps: build.steps, cachedSteps: build.cachedSteps, error: build.error,
            createdBy: build.createdBy.rawValue, createdAt: build.createdAt, finishedAt: build.finishedAt
        )
    }
}
