import Foundation
import GlobalStacksDomain
import SQLKit

extension Columns {
    static let template = "t.id AS t_id, t.tenant_id AS t_tenant_id, t.name AS t_name, t.version AS t_version, t.digest AS t_digest, t.size_bytes AS t_size_bytes, t.config AS t_config, t.build_id AS t_build_id, t.created_by AS t_created_by, t.created_at AS t_created_at"
    static let templateBuild = "b.id AS b_id, b.tenant_id AS b_tenant_id, b.name AS b_name, b.platform AS b_platform, b.kind AS b_kind, b.status AS b_status, b.definition AS b_definition, b.context_digest AS b_context_digest, b.sandbox_id AS b_sandbox_id, b.run_id AS b_run_id, b.template_id AS b_template_id, b.steps AS b_steps, b.cached_steps AS b_cached_steps, b.error AS b_error, b.created_by AS b_created_by, b.created_at AS b_created_at, b.finished_at AS b_finished_at"
    static let warmPool = "w.tenant_id AS w_tenant_id, (SELECT organization_id FROM tenants WHERE id = w.tenant_id) AS w_organization_id, w.template_id AS w_template_id, w.size AS w_size, w.created_by AS w_created_by, w.updated_at AS w_updated_at"
}

extension SQLRow {
    func template() throws -> Template {
        let digestText = try string("t_digest")
        guard let digest = ContentDigest(digestText) else { throw StoreError.corruptRow("templates.digest '\(digestText)'") }
        return Template(
            id: try identifier("t_id"), tenantID: try optionalIdentifier("t_tenant_id"), name: try slug("t_name"), version: try int("t_version"),
            digest: digest, sizeBytes: try decode(column: "t_size_bytes", as: Int64.self),
            config: try JSONColumn.decode(TemplateConfig.self, try string("t_config"), column: "templates.config"),
            buildID: try identifier("t_build_id"), createdBy: try identifier("t_created_by"), createdAt: try date("t_created_at")
        )
    }

    /// The template joined to a row, when there is one (`LEFT JOIN templates t`).
    func optionalTemplate() throws -> Template? {
        try optionalString("t_id") == nil ? nil : try template()
    }

    func templateBuild() throws -> TemplateBuild {
        TemplateBuild(
            id: try identifier("b_id"), tenantID: try identifier("b_tenant_id"), name: try slug("b_name"), platform: try int("b_platform") != 0,
            kind: try enumValue("b_kind"), status: try enumValue("b_status"), definition: try string("b_definition"),
            contextDigest: try optionalString("b_context_digest").flatMap(ContentDigest.init), sandboxID: try optionalIdentifier("b_sandbox_id"),
            runID: try decode(column: "b_run_id", as: Int64?.self).map(OperationRunID.init(rawValue:)), templateID: try optionalIdentifier("b_template_id"),
            steps: try int("b_steps"), cachedSteps: try int("b_cached_steps"), error: try optionalString("b_error"),
            createdBy: try identifier("b_created_by"), createdAt: try date("b_created_at"), finishedAt: try optionalDate("b_finished_at")
        )
    }

    func warmPool() throws -> WarmPool {
        WarmPool(
            tenantID: try identifier("w_tenant_id"), organizationID: try identifier("w_organization_id"), templateID: try identifier("w_template_id"),
            size: try int("w_size"), createdBy: try identifier("w_created_by"), updatedAt: try date("w_updated_at")
        )
    }
}
