import ArgumentParser
import CGlobalStacksSystem
import Dispatch
import Foundation
import GlobalStacksClient

extension SandboxesCommand {
    /// `gstacks sandboxes shell ID [-- COMMAND…]`: an interactive terminal in a running sandbox through the streaming
    /// exec. The local terminal is put in raw mode (restored on the way out) so every key reaches the sandbox: Ctrl-C
    /// interrupts the command there, not this client; resizing the window resizes the sandbox's terminal. Exits with
    /// the command's exit code.
    struct Shell: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "An interactive terminal in a running sandbox (default command: /bin/sh).")
        @OptionGroup var context: ContextOptions
        @Argument var id: String
        @Argument(parsing: .captureForPassthrough, help: "The command, after -- (default /bin/sh).") var command: [String] = []

        func run() async throws {
            var exitCode: Int32 = 0
            try await runCommand {
                var argv = command.first == "--" ? Array(command.dropFirst()) : command
                if argv.isEmpty { argv = ["/bin/sh"] }
                let terminal = LocalTerminal()
                let (input, feed) = AsyncStream<GlobalStacksClient.StreamInput>.makeStream()
                terminal.forward(into: feed)
                defer { terminal.restore() }
                let exit = try await context.client().0.streamExec(id, command: argv, terminal: terminal.size, input: input) { _, bytes in
                    FileHandle.standardOutput.write(Data(bytes))
                }
                terminal.restore()
                exitCode = Int32(clamping: exit.exitCode ?? (exit.timedOut ? 124 : 1))
            }
            if exitCode != 0 { throw ExitCode(exitCode) }
        }
    }
}

/// This process's terminal, in raw mode while a shell runs, its keys and window-size changes sent on.
final class LocalTerminal: @unchecked Sendable {
    private var saved: termios?
    private var resizes: (any DispatchSourceSignal)?
    /// The window size, or a default when standard input is not a terminal.
    let size: (columns: Int, rows: Int)

    init() {
        var columns: UInt16 = 0
        var rows: UInt16 = 0
        size = gstacks_window_size(STDIN_FILENO, &columns, &rows) == 0 && columns > 0 ? (Int(columns), Int(rows)) : (80, 24)
        var settings = termios()
        if isatty(STDIN_FILENO) == 1, tcgetattr(STDIN_FILENO, &settings) == 0 {
            saved = settings
            cfmakeraw(&settings)
            tcsetattr(STDIN_FILENO, TCSANOW, &settings)
        }
    }

    /// Standard input and window-size changes go to `feed`; the end of standard input ends it.
    func forward(into feed: AsyncStream<GlobalStacksClient.StreamInput>.Continuation) {
        let reader = Thread {
            var buffer = [UInt8](repeating: 0, count: 4_096)
            while true {
                let count = buffer.withUnsafeMutableBytes { read(STDIN_FILENO, $0.baseAddress, $0.count) }
                if count < 0 && errno == EINTR { continue }
                guard count > 0 else { break }
                feed.yield(.bytes(Array(buffer[0..<count])))
            }
            feed.yield(.eof)
        }
        reader.stackSize = 64 << 10
        reader.start()
        guard saved != nil else { return }
        signal(SIGWINCH, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGWINCH)
        source.setEventHandler {
            var columns: UInt16 = 0
            var rows: UInt16 = 0
            if gstacks_window_size(STDIN_FILENO, &columns, &rows) == 0 { feed.yield(.resize(columns: Int(columns), rows: Int(rows))) }
        }
        source.resume()
        resizes = source
    }

    func restore() {
        resizes?.cancel()
        resizes = nil
        if var settings = saved {
            tcsetattr(STDIN_FILENO, TCSANOW, &settings)
            saved = nil
        }
    }
}
