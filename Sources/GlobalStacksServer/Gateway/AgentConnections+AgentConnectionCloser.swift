import GlobalStacksUseCases

/// Revoking an agent (`AgentService.revoke`) closes its connections to this replica.
extension AgentConnections: AgentConnectionCloser {}
