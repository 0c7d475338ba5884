import Foundation
import Synchronization

/// One line of progress on standard error for a file of at least 1 MiB, redrawn at most ten times a second and
/// cleared at the end, and only when standard error is a terminal (scripts and pipes see nothing).
final class TransferProgress: Sendable {
    static let minimumBytes: Int64 = 1 << 20

    private struct State {
        var done: Int64 = 0
        var drawn = Date.distantPast
        var finished = false
    }

    private let name: String
    private let total: Int64
    private let shown: Bool
    private let state = Mutex(State())

    init(name: String, total: Int64, terminal: Bool = isatty(STDERR_FILENO) == 1) {
        self.name = name
        self.total = total
        self.shown = terminal && total >= Self.minimumBytes
    }

    func advance(_ bytes: Int) {
        guard shown else { return }
        let line: String? = state.withLock { state in
            state.done += Int64(bytes)
            let now = Date()
            guard now.timeIntervalSince(state.drawn) >= 0.1 || state.done >= total else { return nil }
            state.drawn = now
            return Self.line(name: name, done: state.done, total: total)
        }
        if let line { FileHandle.standardError.write(Data("\r\u{1B}[K\(line)".utf8)) }
    }

    func finish() {
        guard shown, state.withLock({ state in defer { state.finished = true }; return !state.finished }) else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }

    /// `name  12.0 MiB / 40.0 MiB  30%`
    static func line(name: String, done: Int64, total: Int64) -> String {
        let percent = total > 0 ? min(100, done * 100 / total) : 100
        return "\(name)  \(size(done)) / \(size(total))  \(percent)%"
    }

    static func size(_ bytes: Int64) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(bytes)
        var unit = 0
        while value >= 1024, unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return unit == 0 ? "\(bytes) B" : String(format: "%.1f", value) + " " + units[unit]
    }
}
