import Foundation
import GlobalStacksAPI
import GlobalStacksContract
import GlobalStacksDomain
import GlobalStacksUseCases

/// The v1 API's templates, builds, snapshots and warm pools: maps the contract's input to `TemplateService`.
struct TemplatesHandler {
    let templates: TemplateService

    func listTemplates(_ input: Operations.ListTemplates.Input, caller: Caller) async throws -> Operations.ListTemplates.Output {
        .ok(.init(body: .json(.init(items: try await templates.templates(caller: caller).map(APIMapping.template)))))
    }

    func deleteTemplate(_ input: Operations.DeleteTemplate.Input, caller: Caller) async throws -> Operations.DeleteTemplate.Output {
        let deleted = try await templates.delete(
            name: input.path.templateName, version: input.query.version, platform: input.query.platform ?? false, caller: caller
        )
        return .ok(.init(body: .json(.init(items: deleted.map(APIMapping.template)))))
    }

    func setTemplateWarmPool(_ input: Operations.SetTemplateWarmPool.Input, caller: Caller) async throws -> Operations.SetTemplateWarmPool.Output {
        guard case .json(let request) = input.body else { throw DomainError.invalidInput("Send a JSON body.") }
        let (template, pool) = try await templates.setWarmPool(input.path.templateName, size: request.size, caller: caller)
        return .ok(.init(body: .json(.init(templateId: template.id.rawValue, templateReference: template.reference, size: pool?.size ?? 0))))
    }

    func listTemplateBuilds(_ input: Operations.ListTemplateBuilds.Input, caller: Caller) async throws -> Operations.ListTemplateBuilds.Output {
        .ok(.init(body: .json(.init(items: try await templates.builds(caller: caller).map { APIMapping.templateBuild($0, listed: true) }))))
    }

    func createTemplateBuild(_ input: Operations.CreateTemplateBuild.Input, caller: Caller) async throws -> Operations.CreateTemplateBuild.Output {
        guard case .json(let request) = input.body else { throw DomainError.invalidInput("Send a JSON body.") }
        let build = try await templates.build(TemplateBuildRequest(
            name: request.name, definition: request.definition, contextDigest: request.contextDigest, platform: request.platform ?? false
        ), caller: caller)
        return .accepted(.init(body: .json(APIMapping.templateBuild(build))))
    }

    func getTemplateBuild(_ input: Operations.GetTemplateBuild.Input, caller: Caller) async throws -> Operations.GetTemplateBuild.Output {
        .ok(.init(body: .json(APIMapping.templateBuild(try await templates.build(input.path.buildId, caller: caller)))))
    }

    func getTemplateBuildLog(_ input: Operations.GetTemplateBuildLog.Input, caller: Caller) async throws -> Operations.GetTemplateBuildLog.Output {
        let offset = input.query.offset ?? 0
        let (build, text) = try await templates.log(input.path.buildId, from: offset, caller: caller)
        return .ok(.init(body: .json(.init(build: APIMapping.templateBuild(build, listed: true), text: text, nextOffset: offset + text.utf8.count))))
    }

    func uploadTemplateContext(_ input: Operations.UploadTemplateContext.Input, caller: Caller) async throws -> Operations.UploadTemplateContext.Output {
        guard case .binary(let body) = input.body else { throw DomainError.invalidInput("Send the build context (a tar archive) as application/octet-stream.") }
        let (digest, size) = try await templates.uploadContext(body, caller: caller)
        return .ok(.init(body: .json(.init(digest: digest.rawValue, sizeBytes: size))))
    }

    func snapshotSandbox(_ input: Operations.SnapshotSandbox.Input, caller: Caller) async throws -> Operations.SnapshotSandbox.Output {
        guard case .json(let request) = input.body else { throw DomainError.invalidInput("Send a JSON body.") }
        let id: SandboxID = try pathID(input.path.sandboxId, "sandbox")
        return .accepted(.init(body: .json(APIMapping.templateBuild(try await templates.snapshot(id, name: request.name, caller: caller)))))
    }
}
