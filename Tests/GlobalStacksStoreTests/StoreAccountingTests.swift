import Foundation
import Testing

/// In the spirit of Coder's dbauthz accounting: every store method is accounted for. Each repository protocol is part
/// of exactly one of `RequestStore` (what request handlers hold) and `SystemStore` (the server's own machinery), and
/// every method a request can reach takes a scope made by `AccessPolicy`. Read from the protocol declarations, so a
/// method or protocol added without either fails here.
@Suite("Store accounting")
struct StoreAccountingTests {
    /// Parameter types that prove the caller may reach the data: the scopes (`PublicPortScope`: only a sandbox whose
    /// ports its creator made public), and the types that carry one
    /// (`NewOperationRun.scope`; every case of `ClusterOwner` and `ClusterVisibility` carries a scope).
    static let scopedTypes = ["TenantScope", "OrganizationScope", "AccountScope", "SiteAdministrationScope", "MarketplaceReviewScope",
                              "PlatformScope", "ClusterVisibility", "NewOperationRun", "[NewOperationRun]", "ClusterOwner", "PublicPortScope"]

    struct Method: Equatable, CustomStringConvertible {
        let protocolName: String
        let name: String
        let parameterTypes: [String]
        let labels: [String]
        var description: String { "\(protocolName).\(name)" }
        /// "Protocol.name(label:…)", as Swift names a method.
        var signature: String { "\(protocolName).\(name)(\(labels.map { "\($0):" }.joined()))" }
    }

    /// The methods of every `protocol X: Sendable { … }` in `source`, with their parameter types.
    static func methods(in source: String) -> [Method] {
        var methods: [Method] = []
        let protocolPattern = try! NSRegularExpression(pattern: #"public protocol (\w+)[^{]*\{(.*?)\n\}"#, options: [.dotMatchesLineSeparators])
        let range = NSRange(source.startIndex..., in: source)
        for match in protocolPattern.matches(in: source, range: range) {
            let name = String(source[Range(match.range(at: 1), in: source)!])
            let body = String(source[Range(match.range(at: 2), in: source)!])
            var rest = Substring(body)
            while let start = rest.range(of: "func ") {
                let afterName = rest[start.upperBound...]
                guard let open = afterName.firstIndex(of: "(") else { break }
                let methodName = String(afterName[..<open])
                var depth = 0
                var close = open
                for index in afterName[open...].indices {
                    if afterName[index] == "(" { depth += 1 }
                    if afterName[index] == ")" { depth -= 1; if depth == 0 { close = index; break } }
                }
                let parameters = String(afterName[afterName.index(after: open)..<close])
                methods.append(Method(
                    protocolName: name, name: methodName, parameterTypes: Self.parameterTypes(parameters), labels: Self.parameterLabels(parameters)
                ))
                rest = afterName[close...]
            }
        }
        return methods
    }

    /// `a: A, _ b: @Sendable (B) -> C, d: [D]` → the top-level types `A`, `@Sendable (B) -> C`, `[D]`.
    static func parameterTypes(_ list: String) -> [String] {
        parameters(list).compactMap { part in
            guard let colon = part.firstIndex(of: ":") else { return nil }
            return part[part.index(after: colon)...].trimmingCharacters(in: .whitespacesAndNewlines)
        }
    }

    /// `a: A, _ b: B, visibleTo c: C` → the argument labels `a`, `_`, `visibleTo`.
    static func parameterLabels(_ list: String) -> [String] {
        parameters(list).compactMap { part in
            guard let colon = part.firstIndex(of: ":") else { return nil }
            return part[..<colon].split(whereSeparator: \.isWhitespace).first.map(String.init)
        }
    }

    /// The top-level parameters of a parameter list (commas inside brackets and parentheses do not split).
    private static func parameters(_ list: String) -> [String] {
        var parts: [String] = []
        var depth = 0
        var current = ""
        for character in list {
            if "([<".contains(character) { depth += 1 }
            if ")]>".contains(character) { depth -= 1 }
            if character == ",", depth == 0 { parts.append(current); current = ""; continue }
            current.append(character)
        }
        if !current.trimmingCharacters(in: .whitespaces).isEmpty { parts.append(current) }
        return parts
    }

    /// The protocols a `public typealias NAME = A & B …` composes.
    static func composition(_ alias: String, in source: String) -> Set<String> {
        guard let start = source.range(of: "public typealias \(alias) = ") else { return [] }
        let text = source[start.upperBound...].components(separatedBy: "\n\n").first ?? ""
        return Set(text.components(separatedBy: "&").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty })
    }

    /// What is wrong with the store's accounting: protocols in neither or both compositions, request methods without a scope.
    static func violations(protocolSources: String, storeSource: String) -> [String] {
        let request = composition("RequestStore", in: storeSource)
        let system = composition("SystemStore", in: storeSource)
        let methods = methods(in: protocolSources)
        var violations: [String] = []
        for name in Set(methods.map(\.protocolName)).sorted() {
            switch (request.contains(name), system.contains(name)) {
            case (true, true): violations.append("\(name) is in both RequestStore and SystemStore")
            case (false, false): violations.append("\(name) is in neither RequestStore nor SystemStore")
            default: break
            }
        }
        for method in methods where request.contains(method.protocolName) {
            if !method.parameterTypes.contains(where: scopedTypes.contains) {
                violations.append("\(method) is reachable from a request but takes no scope (\(method.parameterTypes.joined(separator: ", ")))")
            }
        }
        return violations
    }

    static let repositories = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Sources/GlobalStacksStore/Repositories")

    @Test func everyStoreMethodIsScopedOrBelongsToTheSystem() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.repositories.path).filter { $0.hasSuffix(".swift") }.sorted()
        let sources = try files.map { try String(contentsOf: Self.repositories.appendingPathComponent($0), encoding: .utf8) }.joined(separator: "\n")
        let store = try String(contentsOf: Self.repositories.appendingPathComponent("Store.swift"), encoding: .utf8)
        let methods = Self.methods(in: sources)
        #expect(methods.count > 90, "the walk found the store's methods (\(methods.count))")
        #expect(Self.violations(protocolSources: sources, storeSource: store) == [])
    }

    /// The accounting itself fails on what it must catch: an unscoped request method, and a protocol left out.
    @Test func theAccountingCatchesAnUnscopedMethodAndAnUnlistedProtocol() {
        let store = """
            public typealias RequestStore = TenantRepository
                & QuotaRepository

            public typealias SystemStore = RunQueue
            """
        let sources = """
            public protocol TenantRepository: Sendable {
                func tenants(_ scope: OrganizationScope) async throws -> [Tenant]
                func everyTenant(limit: Int) async throws -> [Tenant]
            }
            public protocol QuotaRepository: Sendable {
                func setQuota(_ target: QuotaTarget, _ scope: OrganizationScope,
                              change: QuotaLimits, at now: Date) async throws -> QuotaUsage
            }
            public protocol RunQueue: Sendable {
                func claimRun(worker: String) async throws -> ClaimedRun?
            }
            public protocol Forgotten: Sendable {
                func anything() async throws
            }
            """
        #expect(Self.violations(protocolSources: sources, storeSource: store) == [
            "Forgotten is in neither RequestStore nor SystemStore",
            "TenantRepository.everyTenant is reachable from a request but takes no scope (Int)",
        ])
    }
}
