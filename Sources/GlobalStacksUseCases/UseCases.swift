/// Every service of the control plane, built once at start-up and shared by every edge (the v1 API, the streaming
/// exec, and the console and compatible APIs to come), so each edge reaches the same rules through the same objects.
public struct UseCases: Sendable {
    public let identity: IdentityService
    public let deviceLogins: DeviceLoginService
    public let organizations: OrganizationService
    public let tenants: TenantService
    public let groups: GroupService
    public let clusters: ClusterService
    public let agents: AgentService
    public let sandboxes: SandboxService
    public let workspace: WorkspaceService
    public let operations: OperationService
    public let publishing: PublishingService
    public let review: ReviewService
    public let installs: InstallService
    public let broker: BrokerService
    public let dataPlane: DataPlaneService
    public let shellContext: ShellContextService
    public let templates: TemplateService

    public init(
        identity: IdentityService, deviceLogins: DeviceLoginService, organizations: OrganizationService, tenants: TenantService,
        groups: GroupService, clusters: ClusterService, agents: AgentService, sandboxes: SandboxService, workspace: WorkspaceService,
        operations: OperationService, publishing: PublishingService, review: ReviewService, installs: InstallService, broker: BrokerService,
        dataPlane: DataPlaneService, shellContext: ShellContextService, templates: TemplateService
    ) {
        self.templates = templates
        self.identity = identity
        self.deviceLogins = deviceLogins
        self.organizations = organizations
        self.tenants = tenants
        self.groups = groups
        self.clusters = clusters
        self.agents = agents
        self.sandboxes = sandboxes
        self.workspace = workspace
        self.operations = operations
        self.publishing = publishing
        self.review = review
        self.installs = installs
        self.broker = broker
        self.dataPlane = dataPlane
        self.shellContext = shellContext
    }
}
