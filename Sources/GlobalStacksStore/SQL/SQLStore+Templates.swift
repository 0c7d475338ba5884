import Foundation
import GlobalStacksDomain
import SQLKit

extension SQLStore: TemplateRepository {
    /// The scope's tenant's rows, and only while that tenant is in the scope's organization.
    private func tenantRows(_ alias: String, _ scope: TenantScope) -> SQLQueryString {
        """
        \(unsafeRaw: alias).tenant_id = \(bind: scope.tenantID.rawValue)
            AND \(unsafeRaw: alias).tenant_id IN (SELECT id FROM tenants WHERE organization_id = \(bind: scope.organizationID.rawValue))
        """
    }

    /// Templates the scope sees: its tenant's and the platform's.
    private func visibleTemplates(_ scope: TenantScope) -> SQLQueryString {
        "t.deleted_at IS NULL AND (t.tenant_id IS NULL OR (\(tenantRows("t", scope))))"
    }

    // MARK: Builds

    public func createTemplateBuild(_ build: TemplateBuild, _ scope: TenantScope) async throws -> TemplateBuild {
        try await engine.transaction { database in
            try await self.lockOrganization(scope.organizationID, in: database)
            let underWay = try await database.raw("""
                SELECT COUNT(*) AS n FROM template_builds b WHERE \(self.tenantRows("b", scope)) AND b.status IN ('queued', 'running')
                """).first()?.decode(column: "n", as: Int64.self) ?? 0
            guard underWay < TemplateLimits.concurrentBuildsPerTenant else {
                throw DomainError.forbidden("The tenant has \(underWay) builds under way, the most it may have at once; wait for one to finish.")
            }
            try await database.raw("""
                INSERT INTO template_builds (id, tenant_id, name, platform, kind, status, definition, context_digest, sandbox_id, run_id,
                    template_id, steps, cached_steps, error, log, created_by, created_at, finished_at)
                VALUES (\(bind: build.id.rawValue), \(bind: scope.tenantID.rawValue), \(bind: build.name.rawValue), \(bind: build.platform ? 1 : 0),
                    \(bind: build.kind.rawValue), \(bind: build.status.rawValue), \(bind: build.definition), \(bind: build.contextDigest?.rawValue),
                    \(bind: build.sandboxID?.rawValue), \(bind: build.runID?.rawValue), NULL, 0, 0, \(bind: build.error), '',
                    \(bind: build.createdBy.rawValue), \(bind: build.createdAt.storedMilliseconds), \(bind: build.finishedAt?.storedMilliseconds))
                """).run()
            return build
        }
    }

    public func templateBuild(id: TemplateBuildID, _ scope: TenantScope) async throws -> TemplateBuild? {
        try await engine.read { database in
            try await database.raw("""
                SELECT \(unsafeRaw: Columns.templateBuild) FROM template_builds b WHERE b.id = \(bind: id.rawValue) AND \(self.tenantRows("b", scope))
                """).first()?.templateBuild()
        }
    }

    public func templateBuilds(_ scope: TenantScope) async throws -> [TemplateBuild] {
        try await engine.read { database in
            try await database.raw("""
                SELECT \(unsafeRaw: Columns.templateBuild) FROM template_builds b WHERE \(self.tenantRows("b", scope))
                ORDER BY b.created_at DESC, b.id LIMIT 100
                """).all().map { try $0.templateBuild() }
        }
    }

    public func templateBuildLog(id: TemplateBuildID, from offset: Int, _ scope: TenantScope) async throws -> String? {
        let log = try await engine.read { database in
            try await database.raw("SELECT b.log FROM template_builds b WHERE b.id = \(bind: id.rawValue) AND \(self.tenantRows("b", scope))")
                .first()?.string("log")
        }
        guard let log else { return nil }
        let bytes = Array(log.utf8)
        guard offset > 0 else { return log }
        guard offset < bytes.count else { return "" }
        // An offset inside a character starts at the next one.
        var start = offset
        while start < bytes.count, bytes[start] & 0xC0 == 0x80 { start += 1 }
        return String(decoding: bytes[start...], as: UTF8.self)
    }

    public func updateTemplateBuild(
        id: TemplateBuildID, log: String?, _ scope: TenantScope, _ change: @Sendable (inout TemplateBuild) throws -> Void
    ) async throws -> TemplateBuild {
        try await engine.transaction { database in
            guard var build = try await database.raw("""
                SELECT \(unsafeRaw: Columns.templateBuild) FROM template_builds b
                WHERE b.id = \(bind: id.rawValue) AND \(self.tenantRows("b", scope))\(unsafeRaw: self.engine.rowLockClause)
                """).first()?.templateBuild()
            else { throw DomainError.notFound("No template build \(id) in the active tenant.") }
            let before = build.status
            try change(&build)
            if build.status != before, !before.canTransition(to: build.status) {
                throw DomainError.conflict("Build \(id) is \(before.rawValue); it cannot become \(build.status.rawValue).")
            }
            try await self.writeBuild(build, log: log, database)
            return build
        }
    }

    public func recordBuiltTemplate(
        build id: TemplateBuildID, digest: ContentDigest, sizeBytes: Int64, config: TemplateConfig, steps: Int, cachedSteps: Int, log: String,
        _ scope: TenantScope, at now: Date
    ) async throws -> (TemplateBuild, Template) {
        try await engine.transaction { database in
            try await self.lockOrganization(scope.organizationID, in: database)
            guard var build = try await database.raw("""
                SELECT \(unsafeRaw: Columns.templateBuild) FROM template_builds b
                WHERE b.id = \(bind: id.rawValue) AND \(self.tenantRows("b", scope))\(unsafeRaw: self.engine.rowLockClause)
                """).first()?.templateBuild()
            else { throw DomainError.notFound("No template build \(id) in the active tenant.") }
            if build.status == .succeeded, let templateID = build.templateID, let template = try await self.template(id: templateID, database) {
                return (build, template)
            }
            guard build.status.canTransition(to: .succeeded) else {
                throw DomainError.conflict("Build \(id) is \(build.status.rawValue); it cannot succeed now.")
            }
            let uploaded = try await database.raw("""
                SELECT uploaded_digest, uploaded_size FROM template_builds WHERE id = \(bind: id.rawValue)
                """).first()
            guard try uploaded?.optionalString("uploaded_digest") == digest.rawValue,
                  try uploaded?.decode(column: "uploaded_size", as: Int64?.self) == sizeBytes
            else { throw DomainError.conflict("The archive of build \(id) is not the one the server received for it.") }
            let used = try await self.storageBytes(scope, database)
            guard used + sizeBytes <= TemplateLimits.storageBytesPerTenant else {
                throw DomainError.forbidden(
                    "The template (\(ByteQuantity(bytes: sizeBytes))) would take the tenant's templates past \(ByteQuantity(bytes: TemplateLimits.storageBytesPerTenant)) (\(ByteQuantity(bytes: used)) used); delete old versions first."
                )
            }
            let owner = build.platform ? nil : scope.tenantID.rawValue
            let version = Int(try await database.raw("""
                SELECT COALESCE(MAX(version), 0) AS v FROM templates WHERE COALESCE(tenant_id, '') = \(bind: owner ?? "") AND name = \(bind: build.name.rawValue)
                """).first()?.decode(column: "v", as: Int64.self) ?? 0) + 1
            let template = Template(
                id: .generate(), tenantID: build.platform ? nil : scope.tenantID, name: build.name, version: version, digest: digest,
                sizeBytes: sizeBytes, config: config, buildID: build.id, createdBy: build.createdBy, createdAt: now.truncatedToStoredPrecision
            )
            try await database.raw("""
                INSERT INTO templates (id, tenant_id, name, version, digest, size_bytes, config, build_id, created_by, created_at)
                VALUES (\(bind: template.id.rawValue), \(bind: owner), \(bind: template.name.rawValue), \(bind: version), \(bind: digest.rawValue),
                    \(bind: sizeBytes), \(bind: JSONColumn.encode(config)), \(bind: build.id.rawValue), \(bind: build.createdBy.rawValue),
                    \(bind: now.storedMilliseconds))
                """).run()
            build.status = .succeeded
            build.templateID = template.id
            build.steps = steps
            build.cachedSteps = cachedSteps
            build.finishedAt = now.truncatedToStoredPrecision
            try await self.writeBuild(build, log: log, database)
            return (build, template)
        }
    }

    private func writeBuild(_ build: TemplateBuild, log: String?, _ database: any SQLDatabase) async throws {
        try await database.raw("""
            UPDATE template_builds SET status = \(bind: build.status.rawValue), template_id = \(bind: build.templateID?.rawValue),
                steps = \(bind: build.steps), cached_steps = \(bind: build.cachedSteps), error = \(bind: build.error),
                finished_at = \(bind: build.finishedAt?.storedMilliseconds), run_id = \(bind: build.runID?.rawValue)
            WHERE id = \(bind: build.id.rawValue)
            """).run()
        if let log {
            try await database.raw("UPDATE template_builds SET log = \(bind: log) WHERE id = \(bind: build.id.rawValue)").run()
        }
    }

    // MARK: Templates

    public func templates(_ scope: TenantScope) async throws -> [Template] {
        try await engine.read { database in
            try await database.raw("""
                SELECT \(unsafeRaw: Columns.template) FROM templates t WHERE \(self.visibleTemplates(scope))
                ORDER BY t.tenant_id IS NULL, t.name, t.version DESC LIMIT 1000
                """).all().map { try $0.template() }
        }
    }

    public func template(_ reference: TemplateReference, _ scope: TenantScope) async throws -> Template? {
        try await engine.read { database in
            let match: SQLQueryString = switch reference {
            case .name(let name, let version?): "t.name = \(bind: name.rawValue) AND t.version = \(bind: version)"
            case .name(let name, nil): "t.name = \(bind: name.rawValue)"
            case .digest(let digest): "t.digest = \(bind: digest.rawValue)"
            }
            return try await database.raw("""
                SELECT \(unsafeRaw: Columns.template) FROM templates t WHERE \(self.visibleTemplates(scope)) AND \(match)
                ORDER BY t.tenant_id IS NULL, t.version DESC LIMIT 1
                """).first()?.template()
        }
    }

    public func template(id: TemplateID, _ scope: TenantScope) async throws -> Template? {
        try await engine.read { database in
            try await database.raw("""
                SELECT \(unsafeRaw: Columns.template) FROM templates t WHERE t.id = \(bind: id.rawValue) AND \(self.visibleTemplates(scope))
                """).first()?.template()
        }
    }

    func template(id: TemplateID, _ database: any SQLDatabase) async throws -> Template? {
        try await database.raw("SELECT \(unsafeRaw: Columns.template) FROM templates t WHERE t.id = \(bind: id.rawValue)").first()?.template()
    }

    public func templateStorageBytes(_ scope: TenantScope) async throws -> Int64 {
        try await engine.read { database in try await self.storageBytes(scope, database) }
    }

    private func storageBytes(_ scope: TenantScope, _ database: any SQLDatabase) async throws -> Int64 {
        try await database.raw("""
            SELECT CAST(COALESCE(SUM(t.size_bytes), 0) AS BIGINT) AS n FROM templates t WHERE t.deleted_at IS NULL AND \(tenantRows("t", scope))
            """).first()?.decode(column: "n", as: Int64.self) ?? 0
    }

    public func deleteTemplates(
        name: Slug, version: Int?, platform: Bool, _ scope: TenantScope, commandDeadline: Date, at now: Date
    ) async throws -> (deleted: [Template], retired: [SandboxChange]) {
        try await engine.transaction { database in
            try await self.lockOrganization(scope.organizationID, in: database)
            let owner: SQLQueryString = platform ? "t.tenant_id IS NULL" : tenantRows("t", scope)
            let templates = try await database.raw("""
                SELECT \(unsafeRaw: Columns.template) FROM templates t
                WHERE \(owner) AND t.deleted_at IS NULL AND t.name = \(bind: name.rawValue)
                    AND (\(bind: version) IS NULL OR t.version = \(bind: version))
                """).all().map { try $0.template() }
            guard !templates.isEmpty else {
                throw DomainError.notFound("No \(platform ? "platform " : "")template \(name)\(version.map { ":\($0)" } ?? "") in the active tenant.")
            }
            let ids = templates.map(\.id.rawValue)
            let users = try await database.raw("""
                SELECT id FROM sandboxes WHERE template_id IN (\(binds: ids)) AND state <> 'terminated' AND pooled = 0
                ORDER BY created_at LIMIT 20
                """).all().map { try $0.string("id") }
            guard users.isEmpty else {
                throw DomainError.conflict(
                    "Template \(name) is in use by sandboxes \(users.joined(separator: ", ")); delete them first (they keep their template while they exist)."
                )
            }
            try await database.raw("UPDATE templates SET deleted_at = \(bind: now.storedMilliseconds) WHERE id IN (\(binds: ids))").run()
            try await database.raw("DELETE FROM warm_pools WHERE template_id IN (\(binds: ids))").run()
            let retired = try await self.retirePooled(where: "s.template_id IN (\(binds: ids))", commandDeadline: commandDeadline, at: now, database)
            return (templates, retired)
        }
    }
}

extension SQLStore: TemplateBuildReaping, TemplateUploads {
    /// How long a build may wait for its run's id before it counts as abandoned.
    static let runlessBuildGrace: TimeInterval = 600

    public func templateUploadAllowance(build id: TemplateBuildID) async throws -> Int64 {
        try await engine.read { database in
            guard let row = try await database.raw("""
                SELECT b.status, b.tenant_id, b.uploaded_digest,
                    (SELECT CAST(COALESCE(SUM(t.size_bytes), 0) AS BIGINT) FROM templates t WHERE t.tenant_id = b.tenant_id AND t.deleted_at IS NULL) AS used
                FROM template_builds b WHERE b.id = \(bind: id.rawValue)
                """).first()
            else { throw DomainError.notFound("No template build \(id).") }
            guard try row.string("status") == TemplateBuildStatus.running.rawValue, try row.optionalString("uploaded_digest") == nil else {
                throw DomainError.conflict("Build \(id) is not waiting for its archive (it is finished, or it has one).")
            }
            let used = try row.decode(column: "used", as: Int64.self)
            return max(0, min(TemplateLimits.archiveBytes, TemplateLimits.storageBytesPerTenant - used))
        }
    }

    public func recordTemplateUpload(build id: TemplateBuildID, digest: ContentDigest, sizeBytes: Int64) async throws {
        try await engine.transaction { database in
            let rows = try await database.raw("""
                UPDATE template_builds SET uploaded_digest = \(bind: digest.rawValue), uploaded_size = \(bind: sizeBytes)
                WHERE id = \(bind: id.rawValue) AND status = 'running' AND uploaded_digest IS NULL RETURNING id
                """).all()
            guard !rows.isEmpty else { throw DomainError.conflict("Build \(id) is not waiting for its archive (it is finished, or it has one).") }
        }
    }

    public func failAbandonedTemplateBuilds(at now: Date) async throws -> Int {
        try await engine.transaction { database in
            let abandoned = try await database.raw("""
                SELECT b.id FROM template_builds b LEFT JOIN operation_runs r ON r.id = b.run_id
                WHERE b.status IN ('queued', 'running')
                    AND ((b.run_id IS NOT NULL AND r.execution_status NOT IN ('queued', 'running', 'waiting'))
                        OR (b.run_id IS NULL AND b.created_at < \(bind: now.addingTimeInterval(-Self.runlessBuildGrace).storedMilliseconds)))
                LIMIT 100
                """).all().map { try $0.string("id") }
            guard !abandoned.isEmpty else { return 0 }
            try await database.raw("""
                UPDATE template_builds SET status = 'failed', finished_at = \(bind: now.storedMilliseconds),
                    error = 'The build stopped without finishing: its operation run ended (a worker or the server stopped, or it passed its deadline). Build again.'
                WHERE id IN (\(binds: abandoned))
                """).run()
            return abandoned.count
        }
    }
}
