/// How a request names a template: `python-data` (its newest version), `python-data:3`, or `sha256:…` (a digest).
/// The platform's default, `base`, is no template: the host's own system directories, read-only, as before
/// templates existed.
public enum TemplateReference: Sendable, Equatable, CustomStringConvertible {
    case name(Slug, version: Int?)
    case digest(ContentDigest)

    /// The default template's names: a sandbox that names it (or none) sees the host's system directories.
    public static let hostNames: Set<String> = ["base", "host"]

    /// A reference from a request; nil for the default (`base`).
    public static func parse(_ text: String, field: String = "template") throws -> TemplateReference? {
        if hostNames.contains(text) { return nil }
        if text.hasPrefix("sha256:") { return .digest(try ContentDigest.parse(text, field: field)) }
        let parts = text.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        let name = try Slug(validating: String(parts[0]), field: field)
        guard parts.count == 2 else { return .name(name, version: nil) }
        guard let version = Int(parts[1]), version > 0 else {
            throw DomainError.invalidInput("\(field) is a name, a name and a version ('python-data:3') or a digest ('sha256:…').")
        }
        return .name(name, version: version)
    }

    public var description: String {
        switch self {
        case .name(let name, let version): version.map { "\(name):\($0)" } ?? name.rawValue
        case .digest(let digest): digest.rawValue
        }
    }
}
