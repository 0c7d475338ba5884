/// What a request may use: every method takes a scope that `AccessPolicy` made from the request's principal
/// (`AccountScope`, `OrganizationScope`, `TenantScope`, `PlatformScope`, `SiteAdministrationScope`), so there is no unscoped path to
/// anyone's data. Request handlers hold this and nothing else of the store.
public typealias RequestStore = AccountRepository & SiteAdministrationRepository & OrganizationRepository & TenantRepository
    & ClusterRepository & AgentRepository & ProviderConnectionRepository & OperationRunRepository & SandboxRepository
    & QuotaRepository & ExecHistoryRepository & PublishingRepository & MarketplaceReviewRepository & InstallRepository
    & DataPlaneRepository & TemplateRepository

/// What the server's own machinery uses, each part held only by the component named: the authenticator and credential
/// issuer (`CredentialAuthority`), first start and the embedded agent (`IdentityBootstrap`), agent enrollment
/// (`AgentEnrollmentAuthority`), the agent gateway and command dispatcher (`AgentPresenceRepository`,
/// `AgentCommandRepository`), the sandbox reconciler (`AgentCommandRepository`), the operation workers (`RunQueue`),
/// device-code sign-in (`DeviceLoginAuthority`), the embedded agent's enrollment (`EmbeddedAgentBootstrap`), and
/// start-up and readiness (`StoreMaintenance`).
public typealias SystemStore = CredentialAuthority & IdentityBootstrap & AgentEnrollmentAuthority & AgentPresenceRepository
    & AgentCommandRepository & RunQueue & StoreMaintenance & DeviceLoginAuthority & EmbeddedAgentBootstrap
    & DataPlaneServiceRegistry & ObjectStoreDirectory & WarmPoolKeeping & TemplateBuildReaping & TemplateUploads

/// Everything the control plane keeps (`SQLStore` on SQLite or PostgreSQL).
public typealias Store = RequestStore & SystemStore
