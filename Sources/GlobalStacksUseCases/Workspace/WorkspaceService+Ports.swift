import GlobalStacksDomain
import GlobalStacksStore
import Logging

extension WorkspaceService {
    /// A TCP connection to `port` inside the running sandbox (its own loopback, so a sandbox without network serves
    /// too), for the same callers as exec: bytes written go to the port, what it sends comes back as stdout. See
    /// `WorkspaceTransport.openPort` for how it ends (exit code 3 and the reason on stderr when nothing listens).
    public func openPort(_ port: Int, in id: SandboxID, caller: Caller, logger: Logger) async throws -> any InteractiveExec {
        guard SandboxPort.valid.contains(port) else { throw DomainError.invalidInput("port must be 1 to 65535.") }
        let workable = try await workableSandbox(id, caller: caller)
        let connection = try await transport.openPort(port, on: workable.sandbox)
        logger.info("Sandbox port opened", metadata: [
            "sandbox_id": "\(workable.sandbox.id)", "tenant_id": "\(workable.scope.tenantID)", "port": "\(port)",
        ])
        return connection
    }

    /// The same without a caller, for a sandbox whose creator made its ports public (404 for any other: a private
    /// sandbox is not revealed to someone without credentials).
    public func openPublicPort(_ port: Int, in id: SandboxID, logger: Logger) async throws -> any InteractiveExec {
        guard SandboxPort.valid.contains(port) else { throw DomainError.invalidInput("port must be 1 to 65535.") }
        guard let sandbox = try await store.publicSandbox(AccessPolicy.publicPortScope(id)) else {
            throw DomainError.unauthenticated("This sandbox's ports are private: send its access token in X-Access-Token, or an API key.")
        }
        try sandbox.requireRunning()
        let connection = try await transport.openPort(port, on: sandbox)
        logger.info("Public sandbox port opened", metadata: ["sandbox_id": "\(sandbox.id)", "tenant_id": "\(sandbox.tenantID)", "port": "\(port)"])
        return connection
    }
}
