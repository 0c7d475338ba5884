import ArgumentParser
import Foundation
import GlobalStacksClient
import GlobalStacksContract

/// `gstacks marketplace review …`: what a reviewer (a site operator or admin) does with submitted releases
/// (docs/marketplace.md): read the queue and its findings, then approve, publish or reject.
public struct MarketplaceCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "marketplace", abstract: "The marketplace as its reviewers see it.", subcommands: [Review.self]
    )

    public init() {}

    struct Review: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "review", abstract: "Review submitted extension releases (site operators and admins).",
            subcommands: [List.self, Show.self, Approve.self, Publish.self, Reject.self]
        )
    }

    /// A release under review as one flat row (the contract nests the release).
    struct Row: Encodable {
        let id: String
        let extensionKey: String
        let version: String
        let publisherName: String
        let releaseStatus: String
        let permissions: [String]
        let egress: [String]
        let findings: [String]
        let statusReason: String?
        let submittedAt: Date?

        init(_ review: GlobalStacksClient.ReleaseReview) {
            id = review.release.id
            extensionKey = review.extensionKey
            version = review.release.version
            publisherName = review.publisherName
            releaseStatus = review.release.releaseStatus.rawValue
            permissions = review.release.permissions ?? []
            egress = review.release.egress ?? []
            findings = review.findings.map { "\($0.severity): \($0.detail)" }
            statusReason = review.statusReason
            submittedAt = review.release.submittedAt
        }
    }

    static let columns = ["id", "extensionKey", "version", "publisherName", "releaseStatus", "findings"]

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Releases waiting for review, oldest first.")
        @OptionGroup var context: ContextOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            try await runCommand { try output.print(try await context.client().0.reviewQueue().map(Row.init), columns: MarketplaceCommand.columns) }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "One release as the reviewer sees it: what it asks for and what the checks found.")
        @OptionGroup var context: ContextOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "The release's id.") var id: String

        func run() async throws {
            try await runCommand {
                try output.print(Row(try await context.client().0.reviewedRelease(id)), columns: MarketplaceCommand.columns + ["permissions", "egress"])
            }
        }
    }

    struct Approve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Approve a submitted release (publish it next).")
        @OptionGroup var context: ContextOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "The release's id.") var id: String

        func run() async throws {
            try await runCommand { try output.print(Row(try await context.client().0.decideRelease(id, to: "approved")), columns: MarketplaceCommand.columns) }
        }
    }

    struct Publish: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Publish an approved release, so tenants find it in their catalog.")
        @OptionGroup var context: ContextOptions
        @OptionGroup var output: OutputOptions
        @Flag(help: "Only for the tenants on the release's allowlist (default: every tenant).") var allowlisted = false
        @Argument(help: "The release's id.") var id: String

        func run() async throws {
            try await runCommand {
                let review = try await context.client().0.decideRelease(id, to: "published", visibility: allowlisted ? "allowlisted" : "public")
                try output.print(Row(review), columns: MarketplaceCommand.columns)
            }
        }
    }

    struct Reject: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Reject a submitted release, with the reason its publisher sees.")
        @OptionGroup var context: ContextOptions
        @OptionGroup var output: OutputOptions
        @Option(help: "Why (the publisher sees it).") var reason: String
        @Argument(help: "The release's id.") var id: String

        func run() async throws {
            try await runCommand {
                try output.print(Row(try await context.client().0.decideRelease(id, to: "rejected", reason: reason)), columns: MarketplaceCommand.columns)
            }
        }
    }
}
