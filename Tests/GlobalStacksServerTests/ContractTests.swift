import Foundation
import Testing
import Yams

/// Our openapi.yaml must keep every path, operation, response, parameter and schema of the shared contract exactly.
@Suite("Public API contract")
struct ContractTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func load(_ url: URL) throws -> [String: Any] {
        try #require(FileManager.default.fileExists(atPath: url.path), "\(url.standardizedFileURL.path) is missing; the shared contracts live in ../shared beside the repository")
        return try #require(try Yams.load(yaml: String(contentsOf: url, encoding: .utf8)) as? [String: Any])
    }

    static func canonical(_ value: Any?) throws -> String {
        guard let value else { return "<missing>" }
        let data = try JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .fragmentsAllowed])
        return String(decoding: data, as: UTF8.self)
    }

    @Test func ourDocumentContainsTheSharedContractUnchanged() throws {
        let shared = try Self.load(Self.repository.appendingPathComponent("../shared/contracts/globalstacks-public-api.openapi.yaml"))
        let ours = try Self.load(Self.repository.appendingPathComponent("Sources/GlobalStacksAPI/openapi.yaml"))

        let sharedPaths = try #require(shared["paths"] as? [String: Any])
        let ourPaths = try #require(ours["paths"] as? [String: Any])
        for (path, item) in sharedPaths {
            let sharedOperations = try #require(item as? [String: Any])
            let ourOperations = ourPaths[path] as? [String: Any]
            #expect(ourOperations != nil, "missing path \(path)")
            for (method, operation) in sharedOperations {
                #expect(try Self.canonical(operation) == Self.canonical(ourOperations?[method]), "\(method.uppercased()) \(path) differs from the shared contract")
            }
        }
        let sharedComponents = try #require(shared["components"] as? [String: Any])
        let ourComponents = try #require(ours["components"] as? [String: Any])
        for (section, entries) in sharedComponents {
            for (name, value) in try #require(entries as? [String: Any]) {
                let ourValue = (ourComponents[section] as? [String: Any])?[name]
                #expect(try Self.canonical(value) == Self.canonical(ourValue), "components.\(section).\(name) differs from the shared contract")
            }
        }
        for key in ["openapi", "info", "security", "servers"] {
            #expect(try Self.canonical(shared[key]) == Self.canonical(ours[key]), "\(key) differs")
        }
        let operationCount = sharedPaths.values.compactMap { $0 as? [String: Any] }.reduce(0) { $0 + $1.count }
        #expect(operationCount == 42, "the shared contract has 42 operations")
    }

    /// The dispatch-gate contract's schemas (start request and outcome, run detail) are copied into ours unchanged.
    @Test func ourDocumentCarriesTheDispatchGateSchemasUnchanged() throws {
        let gate = try Self.load(Self.repository.appendingPathComponent("../shared/contracts/provider-dispatch-gate.openapi.yaml"))
        let ours = try Self.load(Self.repository.appendingPathComponent("Sources/GlobalStacksAPI/openapi.yaml"))
        let gateSchemas = try #require((gate["components"] as? [String: Any])?["schemas"] as? [String: Any])
        let ourSchemas = try #require((ours["components"] as? [String: Any])?["schemas"] as? [String: Any])
        #expect(gateSchemas.count == 11)
        for (name, schema) in gateSchemas {
            #expect(try Self.canonical(schema) == Self.canonical(ourSchemas[name]), "components.schemas.\(name) differs from the dispatch-gate contract")
        }
    }

    /// The contract's types (shared by the server stubs and the client) are generated from our document with its closed
    /// allOfs merged, now (not from an older copy), for exactly the operations the server serves.
    @Test func theSharedTypesAreGeneratedFromTheCurrentDocumentForTheServedOperations() throws {
        let server = try Self.load(Self.repository.appendingPathComponent("Sources/GlobalStacksAPI/openapi-generator-config.yaml"))
        for target in ["GlobalStacksContract", "GlobalStacksClient"] {
            let generated = try Self.load(Self.repository.appendingPathComponent("Sources/\(target)/openapi-generator-config.yaml"))
            #expect(try Self.canonical(server["filter"]) == Self.canonical(generated["filter"]), "\(target)'s filter differs from the server's")
        }

        let normalized = FileManager.default.temporaryDirectory.appendingPathComponent("gstacks-client-\(UUID().uuidString).yaml")
        defer { try? FileManager.default.removeItem(at: normalized) }
        let python = ProcessInfo.processInfo.environment["GSTACKS_TEST_PYTHON"].flatMap { $0.isEmpty ? nil : $0 } ?? "/usr/bin/python3"
        let normalizer = Process()
        normalizer.executableURL = URL(fileURLWithPath: python)
        normalizer.arguments = [
            Self.repository.appendingPathComponent("scripts/lib/normalize_openapi_allof.py").path,
            Self.repository.appendingPathComponent("Sources/GlobalStacksAPI/openapi.yaml").path, normalized.path,
        ]
        normalizer.standardError = FileHandle.nullDevice
        try normalizer.run()
        normalizer.waitUntilExit()
        try #require(normalizer.terminationStatus == 0, "the normalizer (needs Python with PyYAML) failed")
        let committed = try String(contentsOf: Self.repository.appendingPathComponent("Sources/GlobalStacksContract/openapi.yaml"), encoding: .utf8)
        #expect(try String(contentsOf: normalized, encoding: .utf8) == committed,
                "Sources/GlobalStacksContract/openapi.yaml is stale; regenerate it (see its openapi-generator-config.yaml)")
    }
}
