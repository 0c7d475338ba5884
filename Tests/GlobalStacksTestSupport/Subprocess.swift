import CGlobalStacksSystem
import Foundation

/// Runs a command to completion with posix_spawn and waitpid, for test helpers. Foundation's `Process` cannot be
/// used for `pg_ctl start`: the server it leaves behind inherits Process's exit-monitoring descriptors, so
/// `waitUntilExit` never returns.
public enum Subprocess {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// Runs `argv` (argv[0] is an absolute path) with stdin from `/dev/null`; returns stdout and stderr together.
    /// A non-zero exit status throws with that output.
    @discardableResult
    public static func run(_ argv: [String]) throws -> String {
        let outputPath = FileManager.default.temporaryDirectory.appendingPathComponent("gstacks-cmd-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: outputPath) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        // Nothing else of this process: a server it leaves behind (pg_ctl's PostgreSQL) would otherwise hold the sockets
        // of in-process test servers open for the whole run, so a connection they close never looks closed.
        _ = gstacks_spawn_close_from(&actions, 3)
        var cArguments = argv.map { strdup($0) } + [nil]
        defer { cArguments.forEach { free($0) } }
        var pid = pid_t()
        let spawned = posix_spawn(&pid, argv[0], &actions, nil, &cArguments, environ)
        guard spawned == 0 else {
            throw Failure(description: "\(argv[0]) could not start (errno \(spawned)).")
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        let output = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        // WIFEXITED && WEXITSTATUS == 0
        guard status & 0x7f == 0, (status >> 8) & 0xff == 0 else {
            throw Failure(description: "\(argv.joined(separator: " ")): \(output)")
        }
        return output
    }
}
