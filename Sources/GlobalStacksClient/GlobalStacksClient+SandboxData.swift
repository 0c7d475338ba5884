import Foundation
import GlobalStacksContract
import OpenAPIRuntime

extension GlobalStacksClient {
    public typealias ExecResponse = Components.Schemas.ExecResponse
    public typealias ExecRecord = Components.Schemas.ExecRecord
    public typealias SandboxFile = Components.Schemas.SandboxFile
    public typealias SandboxProcess = Components.Schemas.SandboxProcess

    /// Runs `command` in a running sandbox and waits for it to end.
    public func exec(
        _ sandboxID: String, _ command: [String], environment: [String: String] = [:], workingDirectory: String? = nil, stdin: String? = nil,
        timeoutSeconds: Double? = nil, outputLimitBytes: Int? = nil
    ) async throws -> ExecResponse {
        try await call {
            try await client.execSandbox(path: .init(sandboxId: sandboxID), body: .json(.init(
                command: command, environment: environment.isEmpty ? nil : .init(additionalProperties: environment),
                workingDirectory: workingDirectory, stdin: stdin, timeoutSeconds: timeoutSeconds, outputLimitBytes: outputLimitBytes
            ))).ok.body.json
        }
    }

    /// Commands run in the sandbox through exec, newest first.
    public func execHistory(_ sandboxID: String, limit: Int? = nil) async throws -> [ExecRecord] {
        try await call { try await client.listSandboxExecs(path: .init(sandboxId: sandboxID), query: .init(limit: limit)).ok.body.json.items }
    }

    /// The last `lines` lines of the sandbox's main process output.
    public func output(_ sandboxID: String, lines: Int? = nil) async throws -> String {
        try await call {
            let body = try await client.getSandboxOutput(path: .init(sandboxId: sandboxID), query: .init(lines: lines)).ok.body.plainText
            return try await String(collecting: body, upTo: 64 << 20)
        }
    }

    /// The last `lines` lines, then new output as it is written, as server-sent event bytes, until the process ends.
    public func followOutput(_ sandboxID: String, lines: Int? = nil) async throws -> HTTPBody {
        try await call {
            try await client.getSandboxOutput(
                path: .init(sandboxId: sandboxID), query: .init(lines: lines, follow: true), headers: .init(accept: [.init(contentType: .textEventStream)])
            ).ok.body.textEventStream
        }
    }

    public func files(_ sandboxID: String, in directory: String? = nil) async throws -> (items: [SandboxFile], truncated: Bool) {
        try await call {
            let listing = try await client.listSandboxFiles(path: .init(sandboxId: sandboxID), query: .init(path: directory)).ok.body.json
            return (listing.items, listing.truncated)
        }
    }

    public func stat(_ sandboxID: String, _ path: String) async throws -> SandboxFile {
        try await call { try await client.statSandboxFile(path: .init(sandboxId: sandboxID), query: .init(path: path)).ok.body.json }
    }

    /// Writes a file from `body` (streamed; give `HTTPBody(…, length: .known(n))` so the server can refuse an
    /// oversized file before the first byte).
    @discardableResult
    public func upload(_ sandboxID: String, _ path: String, _ body: HTTPBody) async throws -> SandboxFile {
        try await call { try await client.uploadSandboxFile(path: .init(sandboxId: sandboxID), query: .init(path: path), body: .binary(body)).created.body.json }
    }

    /// The file's bytes, streamed.
    public func download(_ sandboxID: String, _ path: String) async throws -> HTTPBody {
        try await call { try await client.downloadSandboxFile(path: .init(sandboxId: sandboxID), query: .init(path: path)).ok.body.binary }
    }

    @discardableResult
    public func makeDirectory(_ sandboxID: String, _ path: String) async throws -> SandboxFile {
        try await call { try await client.makeSandboxDirectory(path: .init(sandboxId: sandboxID), body: .json(.init(path: path))).created.body.json }
    }

    @discardableResult
    public func move(_ sandboxID: String, from: String, to: String) async throws -> SandboxFile {
        try await call { try await client.moveSandboxFile(path: .init(sandboxId: sandboxID), body: .json(.init(from: from, to: to))).ok.body.json }
    }

    public func deleteFile(_ sandboxID: String, _ path: String, recursive: Bool = false) async throws {
        _ = try await call { try await client.deleteSandboxFile(path: .init(sandboxId: sandboxID), query: .init(path: path, recursive: recursive)).noContent }
    }

    /// Starts `command` in the sandbox without waiting for it.
    public func startProcess(
        _ sandboxID: String, _ command: [String], environment: [String: String] = [:], workingDirectory: String? = nil, timeoutSeconds: Double? = nil
    ) async throws -> SandboxProcess {
        try await call {
            try await client.startSandboxProcess(path: .init(sandboxId: sandboxID), body: .json(.init(
                command: command, environment: environment.isEmpty ? nil : .init(additionalProperties: environment),
                workingDirectory: workingDirectory, timeoutSeconds: timeoutSeconds
            ))).created.body.json
        }
    }

    public func processes(_ sandboxID: String) async throws -> [SandboxProcess] {
        try await call { try await client.listSandboxProcesses(path: .init(sandboxId: sandboxID)).ok.body.json.items }
    }

    /// One background process, with the tail of its output.
    public func process(_ sandboxID: String, _ processID: String) async throws -> SandboxProcess {
        try await call { try await client.getSandboxProcess(path: .init(sandboxId: sandboxID, processId: processID)).ok.body.json }
    }

    @discardableResult
    public func signal(_ sandboxID: String, _ processID: String, _ signal: Components.Schemas.SignalProcessRequest.SignalPayload) async throws -> SandboxProcess {
        try await call {
            try await client.signalSandboxProcess(path: .init(sandboxId: sandboxID, processId: processID), body: .json(.init(signal: signal))).ok.body.json
        }
    }
}
