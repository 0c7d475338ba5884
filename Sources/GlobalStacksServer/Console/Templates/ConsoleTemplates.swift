/// The console's Mustache templates, compiled into the binary. Each page extends `layout`, filling its `content`.
enum ConsoleTemplates {
    static let all: [String: String] = [
        "layout": layout,
        "bare": bare,
        "sign-in": signIn,
        "device-sign-in": deviceSignIn,
        "choose-workspace": chooseWorkspace,
        "choose-tenant": chooseTenant,
        "workspace-home": workspaceHome,
        "managed-tenants": managedTenants,
        "tenant-dashboard": tenantDashboard,
        "sandbox-new": sandboxNew,
        "sandbox-detail": sandboxDetail,
        "sandbox-files": sandboxFiles,
        "sandbox-terminal": sandboxTerminal,
        "problem-bare": problemBare,
        "marketplace-catalog": marketplaceCatalog,
        "marketplace-consent": marketplaceConsent,
        "marketplace-installs": marketplaceInstalls,
        "marketplace-install": marketplaceInstall,
        "settings-fields": settingsFields,
        "operation-runs": operationRuns,
        "operation-run": operationRun,
        "site-agents": siteAgents,
        "site-reviews": siteReviews,
    ]
}
