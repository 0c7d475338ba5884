import Foundation
import GlobalStacksAPI
import GlobalStacksContract
import GlobalStacksDomain

extension APIMapping {
    static func file(_ entry: FileEntry) -> Components.Schemas.SandboxFile {
        .init(
            name: entry.name, path: entry.path, kind: .init(rawValue: entry.kind.rawValue)!, size: entry.size, mode: entry.mode,
            modifiedAt: entry.modifiedAt
        )
    }

    static func process(_ process: ProcessStatus) -> Components.Schemas.SandboxProcess {
        .init(
            id: process.processId, command: process.command, startedAt: process.startedAt, running: process.running, exitCode: process.exitCode,
            signal: process.signal, endedAt: process.endedAt, outputTail: process.outputTail, outputTruncated: process.outputTruncated
        )
    }

    static func execRecord(_ record: ExecRecord) -> Components.Schemas.ExecRecord {
        .init(
            id: record.id.rawValue, sandboxId: record.sandboxID.rawValue, userId: record.userID.rawValue, command: record.command,
            workingDirectory: record.workingDirectory, startedAt: record.startedAt, endedAt: record.outcome?.endedAt,
            exitCode: record.outcome?.exitCode, signal: record.outcome?.signal, timedOut: record.outcome?.timedOut ?? false,
            durationMs: record.outcome?.durationMilliseconds, error: record.outcome?.error
        )
    }
}
