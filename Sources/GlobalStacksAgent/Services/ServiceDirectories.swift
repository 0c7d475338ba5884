import Foundation
import GlobalStacksAgentProtocol

/// Where an agent keeps its data-plane services (`--sandbox-dir`'s sibling `data-plane`):
/// - `services/<id>/service.json`: the spec last started, from which the agent starts the service again by itself;
/// - `services/<id>/output.log`: the service's and its init's output (the reason a failure reports comes from it);
/// - `services/<id>/data/`: the persistent data directory, the service's `/data`, deleted only with the service;
/// - `tenants/<tenant id>/<id>/`: the socket directory, the service's `/run/service`. Each sandbox of that tenant
///   sees its tenant's directory read-only at `/run/globalstacks/data-plane`, so services created later appear there
///   too, and no other tenant's sandbox sees it.
public struct ServiceDirectories: Sendable, Equatable {
    public let root: URL

    public init(root: URL) {
        self.root = root
    }

    /// The parent of every service's own directory (the scope of their resource groups and leftovers).
    var services: URL { root.appendingPathComponent("services") }
    var tenants: URL { root.appendingPathComponent("tenants") }

    func service(_ id: String) -> URL { services.appendingPathComponent(id) }
    func spec(_ id: String) -> URL { service(id).appendingPathComponent("service.json") }
    func output(_ id: String) -> URL { service(id).appendingPathComponent("output.log") }
    func healthOutput(_ id: String) -> URL { service(id).appendingPathComponent("health.log") }
    func data(_ id: String) -> URL { service(id).appendingPathComponent(Self.dataDirectoryName) }
    /// Written by the agent once the init command succeeded: beside the data directory, never in it, since the service
    /// writes there (a symlink it left under this name would have the agent truncate a file of the host's).
    func initialized(_ id: String) -> URL { service(id).appendingPathComponent("initialized") }
    public func tenant(_ tenantID: String) -> URL { tenants.appendingPathComponent(tenantID) }
    public func sockets(_ id: String, tenant tenantID: String) -> URL { tenant(tenantID).appendingPathComponent(id) }

    static let dataDirectoryName = "data"

    /// Service and tenant ids name directories: letters, digits and '-' only.
    static func requireValid(_ id: String, _ what: String) throws {
        guard !id.isEmpty, id.count <= 64, id.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }) else {
            throw DriverError("Invalid \(what) id.", kind: .invalidInput)
        }
    }
}
