import Foundation
import Testing

/// The edges are thin: a file of an edge (the v1 API's folder, the streaming exec) names no store type, so every read
/// and write goes through a service of `GlobalStacksUseCases`, where access and admission are decided once for every
/// edge. With `MemberImportVisibility` a file that does not import `GlobalStacksStore` cannot name a store protocol or
/// call a store method, so the rule checked here is the compiler's: an edge file that imports the store fails.
@Suite("Edge layering")
struct EdgeLayeringTests {
    static let sources = ContractTests.repository.appendingPathComponent("Sources/GlobalStacksServer")

    /// Every Swift file under the API folder, plus the streaming exec's endpoint wherever it lives.
    static func edgeFiles() throws -> [URL] {
        let enumerator = try #require(FileManager.default.enumerator(at: sources, includingPropertiesForKeys: nil))
        return enumerator.compactMap { $0 as? URL }.filter { file in
            file.pathExtension == "swift"
                && (file.path.contains("/GlobalStacksServer/API/") || file.lastPathComponent == "ExecStreamEndpoint.swift")
        }
    }

    @Test("No edge file imports the store")
    func noEdgeFileImportsTheStore() throws {
        let files = try Self.edgeFiles()
        #expect(files.count > 20, "the API folder was not found where this test looks: \(Self.sources.path)")
        var offenders: [String] = []
        for file in files {
            let text = try String(contentsOf: file, encoding: .utf8)
            let imports = text.split(separator: "\n").filter { $0.hasPrefix("import ") || $0.hasPrefix("@testable import ") }
            if imports.contains(where: { $0.hasSuffix(" GlobalStacksStore") }) {
                offenders.append(file.path.replacingOccurrences(of: Self.sources.path + "/", with: ""))
            }
        }
        #expect(offenders.isEmpty, "These edge files import GlobalStacksStore; call a service of GlobalStacksUseCases instead: \(offenders.sorted())")
    }
}
