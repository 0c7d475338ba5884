import ArgumentParser
import Foundation
import GlobalStacksClient
import GlobalStacksContract

public struct MembersCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "members", abstract: "Members of the active organization.", subcommands: [List.self, Role.self, Remove.self]
    )

    public init() {}

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the members.")
        @OptionGroup var context: ContextOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            try await runCommand { try output.print(try await context.client().0.members(), columns: ["userId", "email", "displayName", "role", "status"]) }
        }
    }

    struct Role: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Change a member's role (owner, admin, member).")
        @OptionGroup var context: ContextOptions
        @OptionGroup var output: OutputOptions
        @Argument var userId: String
        @Argument var role: String

        func run() async throws {
            try await runCommand {
                try output.print(try await context.client().0.setMemberRole(userId, role: role), columns: ["userId", "email", "role", "status"])
            }
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove a member from the organization.")
        @OptionGroup var context: ContextOptions
        @Argument var userId: String

        func run() async throws {
            try await runCommand {
                try await context.client().0.removeMember(userId)
                print("Removed \(userId).")
            }
        }
    }
}

public struct InvitationsCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "invitations", abstract: "Invitations to the active organization.", subcommands: [List.self, Create.self, Revoke.self, Accept.self]
    )

    public init() {}

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the invitations.")
        @OptionGroup var context: ContextOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            try await runCommand { try output.print(try await context.client().0.invitations(), columns: ["id", "email", "role", "status", "expiresAt"]) }
        }
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Invite someone; the link to accept is printed this once, on standard output alone.")
        @OptionGroup var context: ContextOptions
        @Argument var email: String
        @Option(help: "owner, admin or member.") var role = "member"

        func run() async throws {
            try await runCommand {
                let invitation = try await context.client().0.invite(email: email, role: role)
                FileHandle.standardError.write(Data("Invited \(invitation.email) as \(invitation.role.rawValue); send them the link below, it is not shown again.\n".utf8))
                print(invitation.acceptUrl ?? "")
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke an invitation.")
        @OptionGroup var context: ContextOptions
        @Argument var id: String

        func run() async throws {
            try await runCommand {
                try await context.client().0.revokeInvitation(id)
                print("Revoked \(id).")
            }
        }
    }

    struct Accept: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Accept an invitation, by its link or its token.")
        @OptionGroup var context: ContextOptions
        @Argument var link: String

        func run() async throws {
            try await runCommand {
                // The link is …/v1/invitations/TOKEN/accept (or the token alone).
                let parts = link.split(separator: "/")
                let token = parts.firstIndex(of: "invitations").flatMap { parts.index(after: $0) < parts.endIndex ? String(parts[parts.index(after: $0)]) : nil } ?? link
                try await context.client().0.acceptInvitation(token: token)
                print("Joined.")
            }
        }
    }
}

public struct GroupsCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "groups", abstract: "Groups of the active organization.",
        subcommands: [List.self, Create.self, Delete.self, Members.self, Add.self, RemoveMember.self]
    )

    public init() {}

    static let columns = ["id", "name", "displayName", "type", "memberCount", "parentId"]

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the groups.")
        @OptionGroup var context: ContextOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            try await runCommand { try output.print(try await context.client().0.groups(), columns: GroupsCommand.columns) }
        }
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a group (inside another with --parent).")
        @OptionGroup var context: ContextOptions
        @OptionGroup var output: OutputOptions
        @Argument var name: String
        @Option var displayName: String?
        @Option(help: "The group it belongs to.") var parent: String?

        func run() async throws {
            try await runCommand {
                try output.print(try await context.client().0.createGroup(name: name, displayName: displayName, parentID: parent), columns: GroupsCommand.columns)
            }
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a group.")
        @OptionGroup var context: ContextOptions
        @Argument var id: String

        func run() async throws {
            try await runCommand {
                try await context.client().0.deleteGroup(id)
                print("Deleted \(id).")
            }
        }
    }

    struct Members: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List a group's members.")
        @OptionGroup var context: ContextOptions
        @OptionGroup var output: OutputOptions
        @Argument var id: String

        func run() async throws {
            try await runCommand { try output.print(try await context.client().0.groupMembers(id), columns: ["userId", "email", "role", "createdAt"]) }
        }
    }

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "add", abstract: "Add a member of the organization to a group.")
        @OptionGroup var context: ContextOptions
        @Argument var id: String
        @Argument var userId: String

        func run() async throws {
            try await runCommand {
                try await context.client().0.addGroupMember(id, userID: userId)
                print("Added \(userId) to \(id).")
            }
        }
    }

    struct RemoveMember: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "remove", abstract: "Remove a member from a group.")
        @OptionGroup var context: ContextOptions
        @Argument var id: String
        @Argument var userId: String

        func run() async throws {
            try await runCommand {
                try await context.client().0.removeGroupMember(id, userID: userId)
                print("Removed \(userId) from \(id).")
            }
        }
    }
}

public struct QuotasCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "quotas", abstract: "Quotas: what applies to you, and setting them.", subcommands: [Usage.self, Set.self, Remove.self]
    )

    public init() {}

    /// Which quota: the organization's (default), a member's or a group's.
    struct Target: ParsableArguments {
        @Option(help: "A member's quota (user id).") var member: String?
        @Option(help: "A group's quota (group id).") var group: String?

        func resolved() throws -> GlobalStacksClient.QuotaTarget {
            switch (member, group) {
            case (nil, nil): .organization
            case (let user?, nil): .member(user)
            case (nil, let group?): .group(group)
            default: throw CLIError(.usage, "Give --member or --group, not both (neither: the organization's quota).")
            }
        }
    }

    struct Usage: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Every quota that applies to you, with its use.")
        @OptionGroup var context: ContextOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            try await runCommand { try output.print(try await context.client().0.quotaUsage(), columns: ["scope", "subjectId", "quota"]) }
        }
    }

    struct Set: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Set a quota's limits (those not given are unlimited).")
        @OptionGroup var context: ContextOptions
        @OptionGroup var target: Target
        @Option var maxSessions: Int?
        @Option(help: "e.g. 4 or 2500m.") var maxCpu: String?
        @Option(help: "e.g. 8Gi.") var maxMemory: String?
        @Option(help: "e.g. 100Gi.") var maxStorage: String?

        func run() async throws {
            try await runCommand {
                try await context.client().0.setQuota(try target.resolved(), maxSessions: maxSessions, maxCpu: maxCpu, maxMemory: maxMemory, maxStorage: maxStorage)
                print("Set.")
            }
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove a quota's limits.")
        @OptionGroup var context: ContextOptions
        @OptionGroup var target: Target

        func run() async throws {
            try await runCommand {
                try await context.client().0.removeQuota(try target.resolved())
                print("Removed.")
            }
        }
    }
}
