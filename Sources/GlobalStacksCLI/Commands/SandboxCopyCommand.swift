import ArgumentParser
import Foundation
import GlobalStacksClient
import GlobalStacksContract
import OpenAPIRuntime

extension SandboxesCommand {
    /// `cp` as `docker cp` does it: a directory is copied with everything in it, and a destination that is an existing
    /// directory receives the source under its own name. Files stream both ways; a terminal on standard error shows
    /// the progress of large ones.
    struct Copy: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "cp",
            abstract: "Copy a file or a directory into or out of a sandbox: one side is SANDBOX_ID:PATH (relative to its workspace)."
        )
        @OptionGroup var context: ContextOptions
        @Argument var source: String
        @Argument var destination: String

        func run() async throws {
            try await runCommand {
                let client = try context.client().0
                switch (Self.remote(source), Self.remote(destination)) {
                case (nil, let (sandbox, path)?):
                    let copied = try await Upload(client: client, sandbox: sandbox).copy(source, to: path)
                    print("\(source) → \(sandbox):\(copied.path) (\(copied.summary))")
                case (let (sandbox, path)?, nil):
                    let copied = try await Download(client: client, sandbox: sandbox).copy(path, to: destination)
                    print("\(sandbox):\(path) → \(copied.path) (\(copied.summary))")
                default:
                    throw CLIError(.usage, "Exactly one side is SANDBOX_ID:PATH, e.g. gstacks sandboxes cp notes.txt SANDBOX_ID:notes.txt")
                }
            }
        }

        /// `SANDBOX_ID:PATH`, when the part before the first ':' is a sandbox id (a UUID).
        static func remote(_ argument: String) -> (String, String)? {
            guard let colon = argument.firstIndex(of: ":"), UUID(uuidString: String(argument[..<colon])) != nil else { return nil }
            return (String(argument[..<colon]), String(argument[argument.index(after: colon)...]))
        }

        /// `name` inside the workspace directory `directory` ("" and "." are the workspace).
        static func joined(_ directory: String, _ name: String) -> String {
            let trimmed = directory.hasSuffix("/") ? String(directory.dropLast()) : directory
            return trimmed.isEmpty || trimmed == "." ? name : "\(trimmed)/\(name)"
        }
    }

    /// What a copy wrote: where, and how much.
    struct Copied {
        var path: String
        var files = 0
        var bytes: Int64 = 0

        var summary: String { files == 1 ? "\(bytes) bytes" : "\(files) files, \(bytes) bytes" }
    }

    struct Upload {
        let client: GlobalStacksClient
        let sandbox: String
        let manager = FileManager.default

        func copy(_ local: String, to path: String) async throws -> Copied {
            var isDirectory: ObjCBool = false
            guard manager.fileExists(atPath: local, isDirectory: &isDirectory) else { throw CLIError(.failure, "\(local): no such file or directory.") }
            let name = URL(fileURLWithPath: local).lastPathComponent
            let target = try await remoteDirectory(path) ? Copy.joined(path, name) : path
            var copied = Copied(path: target)
            guard isDirectory.boolValue else {
                copied.bytes = try await file(local, to: target)
                copied.files = 1
                return copied
            }
            try await makeDirectory(target)
            guard let entries = manager.enumerator(atPath: local) else { throw CLIError(.failure, "Cannot read the directory \(local).") }
            for case let relative as String in entries {
                let entry = (local as NSString).appendingPathComponent(relative)
                let type = (try manager.attributesOfItem(atPath: entry))[.type] as? FileAttributeType
                if type == .typeDirectory {
                    try await makeDirectory(Copy.joined(target, relative))
                } else if type == .typeRegular {
                    copied.bytes += try await file(entry, to: Copy.joined(target, relative))
                    copied.files += 1
                } else {
                    FileHandle.standardError.write(Data("skipped \(entry): only files and directories are copied\n".utf8))
                }
            }
            return copied
        }

        /// Whether `path` names a directory that exists in the workspace.
        private func remoteDirectory(_ path: String) async throws -> Bool {
            if path.isEmpty || path == "." || path.hasSuffix("/") { return true }
            do {
                return try await client.stat(sandbox, path).kind == .directory
            } catch let error as GlobalStacksClientError where error.status == 404 {
                return false
            }
        }

        /// Makes the directory; one that is there already is fine.
        func makeDirectory(_ path: String) async throws {
            do {
                try await client.makeDirectory(sandbox, path)
            } catch let error as GlobalStacksClientError where error.status == 409 {
                guard try await client.stat(sandbox, path).kind == .directory else { throw error }
            }
        }

        /// Streams one file up; returns its size.
        private func file(_ local: String, to path: String) async throws -> Int64 {
            guard let handle = FileHandle(forReadingAtPath: local) else { throw CLIError(.failure, "Cannot read \(local).") }
            let size = Int64((try manager.attributesOfItem(atPath: local)[.size] as? NSNumber)?.int64Value ?? 0)
            let progress = TransferProgress(name: local, total: size)
            let chunks = AsyncThrowingStream<ArraySlice<UInt8>, any Error> {
                guard let data = try handle.read(upToCount: 256 << 10), !data.isEmpty else {
                    try handle.close()
                    progress.finish()
                    return nil
                }
                progress.advance(data.count)
                return ArraySlice(data)
            }
            try await client.upload(sandbox, path, HTTPBody(chunks, length: .known(size), iterationBehavior: .single))
            return size
        }
    }

    struct Download {
        let client: GlobalStacksClient
        let sandbox: String
        let manager = FileManager.default

        func copy(_ path: String, to local: String) async throws -> Copied {
            let entry = try await client.stat(sandbox, path)
            var isDirectory: ObjCBool = false
            let target = manager.fileExists(atPath: local, isDirectory: &isDirectory) && isDirectory.boolValue
                ? (local as NSString).appendingPathComponent(entry.name) : local
            var copied = Copied(path: target)
            guard entry.kind == .directory else {
                copied.bytes = try await file(path, size: entry.size, to: target)
                copied.files = 1
                return copied
            }
            try await directory(path, to: target, &copied)
            return copied
        }

        private func directory(_ path: String, to local: String, _ copied: inout Copied) async throws {
            try manager.createDirectory(atPath: local, withIntermediateDirectories: true)
            let listing = try await client.files(sandbox, in: path)
            if listing.truncated { FileHandle.standardError.write(Data("\(path) has more entries than one listing holds; only the first were copied\n".utf8)) }
            for entry in listing.items {
                let destination = (local as NSString).appendingPathComponent(entry.name)
                switch entry.kind {
                case .directory:
                    try await directory(entry.path, to: destination, &copied)
                case .file:
                    copied.bytes += try await file(entry.path, size: entry.size, to: destination)
                    copied.files += 1
                default:
                    FileHandle.standardError.write(Data("skipped \(entry.path): only files and directories are copied\n".utf8))
                }
            }
        }

        /// Streams one file down; returns how many bytes arrived.
        private func file(_ path: String, size: Int64, to local: String) async throws -> Int64 {
            guard manager.createFile(atPath: local, contents: nil), let handle = FileHandle(forWritingAtPath: local) else {
                throw CLIError(.failure, "Cannot write \(local).")
            }
            defer { try? handle.close() }
            let progress = TransferProgress(name: path, total: size)
            defer { progress.finish() }
            var count: Int64 = 0
            for try await chunk in try await client.download(sandbox, path) {
                try handle.write(contentsOf: chunk)
                count += Int64(chunk.count)
                progress.advance(chunk.count)
            }
            return count
        }
    }
}
