import Foundation
import GlobalStacksClient
import GlobalStacksContract
import MCP
import OpenAPIRuntime

/// Files of a sandbox's workspace read, written and listed: the calls `gstacks sandboxes cp` makes.
enum MCPFileTools {
    /// The most bytes of a file one read_file returns; `offset` reads on.
    static let readLimit = 64 << 10

    static let all = [read, write, list]

    struct Read: Decodable {
        let sandboxId: String
        let path: String
        let offset: Int?
    }

    struct ReadOutput: Encodable {
        let path: String
        let size: Int64
        var offset = 0
        var content: String?
        var binary = false
        var nextOffset: Int?
        var note: String?
    }

    static let read = MCPTool(
        "read_file", title: "Read a file in a sandbox",
        description: """
            Reads a text file of a sandbox's workspace: at most 64 KiB from offset (default 0). When there is more, nextOffset is \
            where to read on and a note says so. A binary file (NUL bytes or not UTF-8) is not shown: the answer says it is binary and \
            gives its size.
            """,
        inputSchema: MCPSchema.object([
            "sandboxId": MCPSchema.sandboxID,
            "path": MCPSchema.workspacePath("The file."),
            "offset": ["type": "integer", "minimum": 0, "description": "The byte to start at (default 0)."],
        ], required: ["sandboxId", "path"]),
        annotations: .init(readOnlyHint: true, openWorldHint: false)
    ) { (input: Read, context) in
        let client = try context.client().0
        let entry = try await client.stat(input.sandboxId, input.path)
        guard entry.kind == .file else {
            return .failure("\(entry.path) is a \(entry.kind.rawValue), not a file\(entry.kind == .directory ? "; list_files lists it" : "").")
        }
        var output = ReadOutput(path: entry.path, size: entry.size, offset: input.offset ?? 0)
        var bytes: [UInt8] = []
        if Int64(output.offset) < entry.size {
            var skipped = 0
            for try await chunk in try await client.download(input.sandboxId, input.path) {
                let skip = min(output.offset - skipped, chunk.count)
                skipped += skip
                bytes.append(contentsOf: chunk.dropFirst(skip).prefix(readLimit + 1 - bytes.count))
                if bytes.count > readLimit { break }
            }
        }
        let cut = bytes.count > readLimit
        guard !bytes.contains(0), let text = Self.text(bytes.prefix(readLimit), startsMidway: output.offset > 0, endsMidway: cut) else {
            output.binary = true
            output.note = "\(entry.path) is binary (\(entry.size) bytes), so it is not shown; run_command can inspect it (e.g. file, od -c | head)."
            return try .success(output)
        }
        output.offset += text.skipped
        output.content = text.content
        if cut {
            let next = output.offset + text.content.utf8.count
            output.nextOffset = next
            output.note = "Only bytes \(output.offset)..<\(next) of \(entry.size) are shown; read on with offset \(next)."
        }
        return try .success(output)
    }

    /// `bytes` as UTF-8, where a read that starts or ends within a character leaves out its pieces (at most 3 bytes);
    /// nil when they are not UTF-8 otherwise.
    static func text(_ bytes: ArraySlice<UInt8>, startsMidway: Bool, endsMidway: Bool) -> (content: String, skipped: Int)? {
        let skipped = startsMidway ? bytes.prefix(3).prefix { $0 & 0b1100_0000 == 0b1000_0000 }.count : 0
        let body = bytes.dropFirst(skipped)
        for dropped in 0...(endsMidway ? min(3, body.count) : 0) {
            if let content = String(validating: body.dropLast(dropped), as: UTF8.self) { return (content, skipped) }
        }
        return nil
    }

    struct Write: Decodable {
        let sandboxId: String
        let path: String
        let content: String
    }

    static let write = MCPTool(
        "write_file", title: "Write a file in a sandbox",
        description: """
            Writes text to a file of a sandbox's workspace, replacing the file if it exists and making missing parent directories. \
            The file appears whole or not at all.
            """,
        inputSchema: MCPSchema.object([
            "sandboxId": MCPSchema.sandboxID,
            "path": MCPSchema.workspacePath("The file."),
            "content": ["type": "string", "maxLength": 1_048_576, "description": "The file's text (UTF-8), at most 1 Mi characters."],
        ], required: ["sandboxId", "path", "content"]),
        annotations: .init(readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false)
    ) { (input: Write, context) in
        let client = try context.client().0
        let upload = SandboxesCommand.Upload(client: client, sandbox: input.sandboxId)
        let relative = input.path.hasPrefix("/workspace/") ? String(input.path.dropFirst("/workspace/".count)) : input.path
        var parent = ""
        for directory in relative.split(separator: "/").dropLast() {
            parent = SandboxesCommand.Copy.joined(parent, String(directory))
            try await upload.makeDirectory(parent)
        }
        let bytes = Array(input.content.utf8)
        let written = try await client.upload(input.sandboxId, input.path, HTTPBody(bytes, length: .known(Int64(bytes.count))))
        struct Written: Encodable {
            let path: String
            let size: Int64
        }
        return try .success(Written(path: written.path, size: written.size))
    }

    struct List: Decodable {
        let sandboxId: String
        let path: String?
    }

    struct Entry: Encodable {
        let name: String
        let path: String
        let kind: String
        let size: Int64
        let modifiedAt: Date
    }

    static let list = MCPTool(
        "list_files", title: "List files in a sandbox",
        description: "Lists a directory of a sandbox's workspace (default: the workspace itself): name, path, kind, size, modification time.",
        inputSchema: MCPSchema.object([
            "sandboxId": MCPSchema.sandboxID,
            "path": MCPSchema.workspacePath("The directory (default: the workspace)."),
        ], required: ["sandboxId"]),
        annotations: .init(readOnlyHint: true, openWorldHint: false)
    ) { (input: List, context) in
        let listing = try await context.client().0.files(input.sandboxId, in: input.path)
        let entries = listing.items.map { Entry(name: $0.name, path: $0.path, kind: $0.kind.rawValue, size: $0.size, modifiedAt: $0.modifiedAt) }
        struct Listing: Encodable {
            let entries: [Entry]
            let truncated: Bool
        }
        return try .success(Listing(entries: entries, truncated: listing.truncated))
    }
}
