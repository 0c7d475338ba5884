import ArgumentParser
import Foundation
import GlobalStacksClient
import GlobalStacksContract

public struct TemplatesCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "templates", abstract: "Templates: the root filesystems sandboxes start from, their builds and warm pools.",
        subcommands: [List.self, Build.self, Builds.self, Logs.self, Delete.self, Pool.self]
    )

    public init() {}

    static let columns = ["reference", "digest", "sizeBytes", "platform", "createdAt"]
    static let buildColumns = ["id", "name", "kind", "status", "cachedSteps", "steps", "templateId", "createdAt"]

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The tenant's templates and the platform's, newest version first.")
        @OptionGroup var context: ContextOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            try await runCommand { try output.print(try await context.client().0.templates(), columns: TemplatesCommand.columns) }
        }
    }

    struct Build: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Build a template from a Dockerfile (FROM debian:<release> or a template, RUN, COPY, ENV, WORKDIR, USER, CMD, HEALTHCHECK CMD).",
            discussion: "gstacks templates build -f Dockerfile --name python-data .   (the directory is the context COPY takes files from; its log follows)"
        )
        @OptionGroup var context: ContextOptions
        @OptionGroup var output: OutputOptions
        @Option(name: .shortAndLong, help: "The definition.") var file = "Dockerfile"
        @Option(help: "The template's name; the build makes its next version.") var name: String
        @Flag(help: "Publish it as a platform template, which every tenant sees (site operators and admins).") var platform = false
        @Flag(help: "Answer once the build is queued; do not follow its log.") var detach = false
        @Argument(help: "The build context: a directory COPY takes files from (uploaded only when the definition copies).") var directory = "."

        func run() async throws {
            try await runCommand {
                guard let definition = try? String(contentsOfFile: file, encoding: .utf8) else {
                    throw CLIError(.usage, "Cannot read the definition \(file); name it with -f.")
                }
                let client = try context.client().0
                var contextDigest: String?
                if definition.split(separator: "\n").contains(where: { $0.trimmingCharacters(in: .whitespaces).uppercased().hasPrefix("COPY ") }) {
                    let archive = try BuildContextArchive.make(directory)
                    FileHandle.standardError.write(Data("uploading the build context (\(archive.count) bytes)\n".utf8))
                    contextDigest = try await client.uploadTemplateContext(archive)
                }
                let build = try await client.buildTemplate(name: name, definition: definition, contextDigest: contextDigest, platform: platform)
                FileHandle.standardError.write(Data("build \(build.id) queued\n".utf8))
                guard !detach else { return try output.print(build, columns: TemplatesCommand.buildColumns) }
                let finished = try await client.followTemplateBuild(build.id) { FileHandle.standardError.write(Data($0.utf8)) }
                guard finished.status == .succeeded else {
                    throw CLIError(.failure, "The build failed: \(finished.error ?? "see its log: gstacks templates logs \(build.id)")")
                }
                try output.print(finished, columns: TemplatesCommand.buildColumns)
            }
        }
    }

    struct Builds: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The tenant's newest builds and snapshots.")
        @OptionGroup var context: ContextOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            try await runCommand { try output.print(try await context.client().0.templateBuilds(), columns: TemplatesCommand.buildColumns) }
        }
    }

    struct Logs: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A build's log.")
        @OptionGroup var context: ContextOptions
        @Flag(name: .shortAndLong, help: "Keep printing until the build is finished.") var follow = false
        @Argument var id: String

        func run() async throws {
            try await runCommand {
                let client = try context.client().0
                guard follow else { return print(try await client.templateBuildLog(id, from: 0).text, terminator: "") }
                _ = try await client.followTemplateBuild(id) { FileHandle.standardOutput.write(Data($0.utf8)) }
            }
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a template (every version, or one); refused while sandboxes use it.")
        @OptionGroup var context: ContextOptions
        @OptionGroup var output: OutputOptions
        @Option(help: "Only this version.") var version: Int?
        @Flag(help: "The platform template of that name.") var platform = false
        @Argument var name: String

        func run() async throws {
            try await runCommand {
                try output.print(try await context.client().0.deleteTemplate(name, version: version, platform: platform), columns: TemplatesCommand.columns)
            }
        }
    }

    struct Pool: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Keep sandboxes of a template started and waiting on each agent, so a create takes one at once (0 removes the pool)."
        )
        @OptionGroup var context: ContextOptions
        @OptionGroup var output: OutputOptions
        @Option(help: "Waiting sandboxes per agent (0 to 16).") var size: Int
        @Argument(help: "The template (its newest version now, or NAME:VERSION).") var template: String

        func run() async throws {
            try await runCommand {
                try output.print(try await context.client().0.setWarmPool(template, size: size), columns: ["templateReference", "size", "templateId"])
            }
        }
    }
}

struct SandboxSnapshotCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "snapshot", abstract: "Save a sandbox made from a template (its files and workspace) as the next version of a template.",
        discussion: "gstacks sandboxes snapshot ID --name prepared   (then: gstacks sandboxes create --template prepared)"
    )
    @OptionGroup var context: ContextOptions
    @OptionGroup var output: OutputOptions
    @Option(help: "The template's name.") var name: String
    @Flag(help: "Answer once the snapshot is queued.") var detach = false
    @Argument var id: String

    func run() async throws {
        try await runCommand {
            let client = try context.client().0
            let build = try await client.snapshotSandbox(id, name: name)
            guard !detach else { return try output.print(build, columns: TemplatesCommand.buildColumns) }
            let finished = try await client.followTemplateBuild(build.id) { FileHandle.standardError.write(Data($0.utf8)) }
            guard finished.status == .succeeded else { throw CLIError(.failure, "The snapshot failed: \(finished.error ?? "no reason given")") }
            try output.print(finished, columns: TemplatesCommand.buildColumns)
        }
    }
}

/// A directory as the tar archive a build's COPY takes files from (`.git` left out), made by the system's tar.
enum BuildContextArchive {
    static func make(_ directory: String) throws -> Data {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw CLIError(.usage, "The build context \(directory) is not a directory.")
        }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("gstacks-context-\(UUID().uuidString).tar")
        defer { try? FileManager.default.removeItem(at: file) }
        let tar = Process()
        tar.executableURL = URL(fileURLWithPath: "/usr/bin/tar")
        tar.arguments = ["-C", directory, "--exclude=./.git", "-cf", file.path, "."]
        try tar.run()
        tar.waitUntilExit()
        guard tar.terminationStatus == 0 else { throw CLIError(.failure, "tar could not archive \(directory) (status \(tar.terminationStatus)).") }
        return try Data(contentsOf: file)
    }
}
