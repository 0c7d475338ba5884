import GlobalStacksDomain

/// The contract's `ResolvedShellContextEnvelope`. Required nullable fields are written as `null`; the optional
/// `requestedContext` and `rememberedContext` only when there is one (as in the contract's examples).
struct ShellContextEnvelope: Encodable {
    let resolvedContext: ResolvedShellContext

    enum CodingKeys: String, CodingKey { case resolvedContext }
}

extension ResolvedShellContext: Encodable {
    enum CodingKeys: String, CodingKey {
        case state, displayMode, pageCategory, workspaceSource, tenantSource, workspace, tenant, requestedContext, rememberedContext, recoveryDirective
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(state.rawValue, forKey: .state)
        try container.encode(displayMode.rawValue, forKey: .displayMode)
        try container.encode(pageCategory.rawValue, forKey: .pageCategory)
        try container.encode(workspaceSource.rawValue, forKey: .workspaceSource)
        try container.encode(tenantSource.rawValue, forKey: .tenantSource)
        try container.encode(workspace.map(WorkspaceJSON.init), forKey: .workspace)
        try container.encode(tenant.map(TenantJSON.init), forKey: .tenant)
        try container.encodeIfPresent(requestedContext.map(RequestedJSON.init), forKey: .requestedContext)
        try container.encodeIfPresent(rememberedContext.map(RememberedJSON.init), forKey: .rememberedContext)
        try container.encode(DirectiveJSON(recoveryDirective), forKey: .recoveryDirective)
    }
}

private struct WorkspaceJSON: Encodable {
    let id: Int64, slug: String, name: String
    init(_ workspace: WorkspaceReference) { (id, slug, name) = (workspace.id, workspace.slug, workspace.name) }
}

private struct TenantJSON: Encodable {
    let id: Int64, externalId: String, name: String
    init(_ tenant: TenantReference) { (id, externalId, name) = (tenant.id, tenant.externalID, tenant.name) }
}

private struct IdentifierJSON: Encodable {
    let identifier: ContextIdentifier?

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch identifier {
        case .number(let number): try container.encode(number)
        case .text(let text): try container.encode(text)
        case nil: try container.encodeNil()
        }
    }
}

private struct RequestedJSON: Encodable {
    let workspaceIdentifier: IdentifierJSON, tenantIdentifier: IdentifierJSON, source: String, pageCategory: String
    init(_ requested: RequestedContext) {
        workspaceIdentifier = IdentifierJSON(identifier: requested.workspaceIdentifier)
        tenantIdentifier = IdentifierJSON(identifier: requested.tenantIdentifier)
        (source, pageCategory) = (requested.source.rawValue, requested.pageCategory.rawValue)
    }
}

private struct RememberedJSON: Encodable {
    let candidate: RememberedContextCandidate
    init(_ candidate: RememberedContextCandidate) { self.candidate = candidate }

    enum CodingKeys: String, CodingKey { case workspaceId, tenantId, source, eligible, invalidReason }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(candidate.workspaceID, forKey: .workspaceId)
        try container.encode(candidate.tenantID, forKey: .tenantId)
        try container.encode(candidate.source.rawValue, forKey: .source)
        try container.encode(candidate.eligible, forKey: .eligible)
        try container.encode(candidate.invalidReason, forKey: .invalidReason)
    }
}

private struct DirectiveJSON: Encodable {
    let directive: RecoveryDirective
    init(_ directive: RecoveryDirective) { self.directive = directive }

    enum CodingKeys: String, CodingKey { case action, reason, destination, preserveIntendedUrl }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(directive.action.rawValue, forKey: .action)
        try container.encode(directive.reason, forKey: .reason)
        try container.encode(directive.destination, forKey: .destination)
        try container.encode(directive.preserveIntendedURL, forKey: .preserveIntendedUrl)
    }
}
