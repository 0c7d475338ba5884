import GlobalStacksAPI
import GlobalStacksContract
import GlobalStacksUseCases

/// The operations of this area, mapped to its handler.
extension APIController {
    var templates: TemplatesHandler { TemplatesHandler(templates: useCases.templates) }

    func listTemplates(_ input: Operations.ListTemplates.Input) async throws -> Operations.ListTemplates.Output { try await templates.listTemplates(input, caller: try caller) }
    func deleteTemplate(_ input: Operations.DeleteTemplate.Input) async throws -> Operations.DeleteTemplate.Output { try await templates.deleteTemplate(input, caller: try caller) }
    func setTemplateWarmPool(_ input: Operations.SetTemplateWarmPool.Input) async throws -> Operations.SetTemplateWarmPool.Output { try await templates.setTemplateWarmPool(input, caller: try caller) }
    func listTemplateBuilds(_ input: Operations.ListTemplateBuilds.Input) async throws -> Operations.ListTemplateBuilds.Output { try await templates.listTemplateBuilds(input, caller: try caller) }
    func createTemplateBuild(_ input: Operations.CreateTemplateBuild.Input) async throws -> Operations.CreateTemplateBuild.Output { try await templates.createTemplateBuild(input, caller: try caller) }
    func getTemplateBuild(_ input: Operations.GetTemplateBuild.Input) async throws -> Operations.GetTemplateBuild.Output { try await templates.getTemplateBuild(input, caller: try caller) }
    func getTemplateBuildLog(_ input: Operations.GetTemplateBuildLog.Input) async throws -> Operations.GetTemplateBuildLog.Output { try await templates.getTemplateBuildLog(input, caller: try caller) }
    func uploadTemplateContext(_ input: Operations.UploadTemplateContext.Input) async throws -> Operations.UploadTemplateContext.Output { try await templates.uploadTemplateContext(input, caller: try caller) }
    func snapshotSandbox(_ input: Operations.SnapshotSandbox.Input) async throws -> Operations.SnapshotSandbox.Output { try await templates.snapshotSandbox(input, caller: try caller) }
}
