import Foundation
import GlobalStacksDomain

/// The bodies of E2B's control-plane API that its SDKs send and read (E2B's `spec/openapi.yml`, as the `e2b` 2.63.0
/// SDK uses it). Field names are E2B's.
enum E2B {
    /// What envd version the SDK should assume: every feature it gates on a version is served here.
    static let envdVersion = "0.6.13"
    /// The default template: the host's root, where the sandbox runs nothing but an idle main process, like E2B's base.
    static let defaultTemplate = "base"
    /// envd's port, which the SDK names in `E2b-Sandbox-Port`.
    static let envdPort = 49_983

    struct NewSandbox: Decodable {
        var templateID: String?
        var timeout: Int?
        var metadata: [String: String]?
        var envVars: [String: String]?
        var autoPause: Bool?
        var allowInternetAccess: Bool?
        var network: Network?

        struct Network: Decodable {
            var allowPublicTraffic: Bool?
        }

        enum CodingKeys: String, CodingKey {
            case templateID, timeout, metadata, envVars, autoPause, network
            case allowInternetAccess = "allow_internet_access"
        }
    }

    struct Connect: Decodable {
        var timeout: Int?
    }

    struct Timeout: Decodable {
        var timeout: Int
    }

    /// The answer to create and connect: the handle's token is in it, once.
    struct Sandbox: Encodable {
        let templateID: String
        let sandboxID: String
        let alias: String
        let clientID: String
        let envdVersion: String
        let envdAccessToken: String
        let trafficAccessToken: String?
        let domain: String?
    }

    /// A sandbox in a listing and in `GET /sandboxes/{id}`.
    struct ListedSandbox: Encodable {
        let templateID: String
        let alias: String
        let sandboxID: String
        let clientID: String
        let startedAt: String
        let endAt: String
        let cpuCount: Int
        let memoryMB: Int
        let diskSizeMB: Int
        let state: String
        let envdVersion: String
        let metadata: [String: String]
        let domain: String?
        let allowInternetAccess: Bool
    }

    struct Template: Encodable {
        let templateID: String
        let buildID: String
        let cpuCount: Int
        let memoryMB: Int
        let diskSizeMB: Int
        let `public`: Bool
        let aliases: [String]
        let names: [String]
        let createdAt: String
        let updatedAt: String
        let lastSpawnedAt: String?
        let spawnCount: Int
        let buildCount: Int
        let envdVersion: String
        let buildStatus: String
    }

    /// Every error answer: the SDK's generated client reads `code` and `message` before it looks at the status.
    struct Failure: Encodable {
        let code: Int
        let message: String
    }
}
