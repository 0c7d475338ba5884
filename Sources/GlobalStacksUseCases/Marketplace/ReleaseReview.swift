import Foundation
import GlobalStacksDomain

/// A release as a reviewer (and its publisher, after a move) sees it: the listing and its manifest as uploaded.
public struct ReleaseReview: Sendable, Equatable {
    public let listed: ListedRelease
    /// The stored manifest's JSON object; empty when the content cannot be read here (see `content.dir`).
    public let manifest: [String: JSONValue]
}

extension ContentStore {
    func review(_ listed: ListedRelease) async -> ReleaseReview {
        let document = (try? await get(listed.release.manifestDigest)).flatMap { $0 }.flatMap { try? ExtensionManifest.document($0) }
        guard case .object(let object)? = document else { return ReleaseReview(listed: listed, manifest: [:]) }
        return ReleaseReview(listed: listed, manifest: object)
    }
}

extension ExtensionManifest {
    /// The JSON document in a manifest's bytes (400 when they are not JSON).
    static func document(_ bytes: Data) throws -> JSONValue {
        do {
            return try JSONDecoder().decode(JSONValue.self, from: bytes)
        } catch {
            throw DomainError.invalidInput("The manifest is not valid JSON.")
        }
    }
}
