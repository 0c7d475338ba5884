import Foundation

public typealias ExtensionReleaseID = Identifier<ExtensionRelease>

/// Where a release is in its life. The legal moves, and who makes each, are the table in `ReleaseStatus.moves`.
public enum ReleaseStatus: String, Sendable, CaseIterable, Codable {
    case draft, `private`, submitted, approved, beta, published, rejected, revoked

    /// Who may move a release.
    public enum Actor: Sendable { case publisher, reviewer }

    /// `from → [to: who]`. Revoking is open to both at any point before it; rejected and revoked are final.
    static let moves: [ReleaseStatus: [ReleaseStatus: Set<Actor>]] = [
        .draft: [.private: [.publisher], .submitted: [.publisher], .revoked: [.publisher, .reviewer]],
        .private: [.submitted: [.publisher], .revoked: [.publisher, .reviewer]],
        .submitted: [.approved: [.reviewer], .rejected: [.reviewer], .revoked: [.publisher, .reviewer]],
        .approved: [.beta: [.reviewer], .published: [.reviewer], .revoked: [.publisher, .reviewer]],
        .beta: [.published: [.reviewer], .revoked: [.publisher, .reviewer]],
        .published: [.revoked: [.publisher, .reviewer]],
        .rejected: [:],
        .revoked: [:],
    ]

    public func canMove(to next: ReleaseStatus, by actor: Actor) -> Bool {
        Self.moves[self]?[next]?.contains(actor) ?? false
    }

    /// The move or a 409 that says what is possible from here.
    public func requireMove(to next: ReleaseStatus, by actor: Actor) throws {
        guard canMove(to: next, by: actor) else {
            let possible = (Self.moves[self] ?? [:]).filter { $0.value.contains(actor) }.keys.map(\.rawValue).sorted()
            throw DomainError.conflict("A \(rawValue) release cannot become \(next.rawValue)"
                + (possible.isEmpty ? "; it is final." : " by you; possible: \(possible.joined(separator: ", "))."))
        }
    }

    /// Statuses a tenant can install from (subject to visibility).
    public static let installable: [ReleaseStatus] = [.private, .beta, .published]
}

/// Who may see (and install) a release: its publisher's tenant always; beyond it, by this.
public enum ReleaseVisibility: String, Sendable, CaseIterable, Codable {
    /// Only the publisher's tenant.
    case `private`
    /// Tenants on the release's allowlist.
    case allowlisted
    /// Tenants that opted in to the package's beta releases.
    case beta
    /// Every tenant.
    case `public`
}

/// One result of the automated checks run at submission, for the reviewer.
public struct ReleaseFinding: Sendable, Equatable, Codable {
    public enum Severity: String, Sendable, Codable { case passed, warning, failed }
    public let check: String
    public let severity: Severity
    public let detail: String

    public init(check: String, severity: Severity, detail: String) {
        self.check = check
        self.severity = severity
        self.detail = detail
    }
}

public struct ExtensionRelease: Sendable, Equatable {
    public let id: ExtensionReleaseID
    public let packageID: ExtensionPackageID
    public let version: SemanticVersion
    public let manifestDigest: ContentDigest
    public let artifactDigest: ContentDigest
    public let manifest: ExtensionManifest
    /// The key whose signature over both digests was verified when the release was created.
    public let signingKeyID: PublisherKeyID
    public let signature: Data
    public var status: ReleaseStatus
    public var statusReason: String?
    public var visibility: ReleaseVisibility
    public var findings: [ReleaseFinding]
    public let createdAt: Date
    public var updatedAt: Date
    public var submittedAt: Date?
    public var reviewedAt: Date?
    public var publishedAt: Date?

    public init(id: ExtensionReleaseID, packageID: ExtensionPackageID, version: SemanticVersion, manifestDigest: ContentDigest,
                artifactDigest: ContentDigest, manifest: ExtensionManifest, signingKeyID: PublisherKeyID, signature: Data,
                status: ReleaseStatus, statusReason: String?, visibility: ReleaseVisibility, findings: [ReleaseFinding],
                createdAt: Date, updatedAt: Date, submittedAt: Date?, reviewedAt: Date?, publishedAt: Date?) {
        self.id = id
        self.packageID = packageID
        self.version = version
        self.manifestDigest = manifestDigest
        self.artifactDigest = artifactDigest
        self.manifest = manifest
        self.signingKeyID = signingKeyID
        self.signature = signature
        self.status = status
        self.statusReason = statusReason
        self.visibility = visibility
        self.findings = findings
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.submittedAt = submittedAt
        self.reviewedAt = reviewedAt
        self.publishedAt = publishedAt
    }

    /// Applies a move (checked against the table) with its timestamps and the visibility it implies.
    public mutating func move(to next: ReleaseStatus, by actor: ReleaseStatus.Actor, reason: String?, publishAs visibility: ReleaseVisibility?, at now: Date) throws {
        try status.requireMove(to: next, by: actor)
        switch next {
        case .submitted: submittedAt = now
        case .approved, .rejected: reviewedAt = now
        case .beta: self.visibility = .beta
        case .published:
            publishedAt = now
            self.visibility = visibility ?? .public
        case .private: self.visibility = .private
        case .draft, .revoked: break
        }
        if next == .rejected || next == .revoked {
            guard let reason, !reason.isEmpty else {
                throw DomainError.invalidInput("reason is required to make a release \(next.rawValue); the publisher and the tenants see it.")
            }
        }
        status = next
        statusReason = reason
        updatedAt = now
    }
}
