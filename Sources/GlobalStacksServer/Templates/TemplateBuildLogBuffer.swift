import Foundation
import GlobalStacksDomain

/// A build's log as it arrives: kept whole up to `TemplateBuild.maximumLogBytes`, after which one line says the rest
/// was left out (the build's error says why it failed either way); written to the store at most every half second.
struct TemplateBuildLogBuffer {
    private(set) var text = ""
    private var truncated = false
    private var lastFlush = ContinuousClock.now
    private var dirty = false

    mutating func append(_ raw: some Collection<UInt8>) {
        guard !truncated else { return }
        // A NUL ends text in some drivers (SQLite's C strings) and PostgreSQL refuses it: a step's output must not cut
        // the log short.
        let bytes = raw.map { $0 == 0 ? UInt8(ascii: "?") : $0 }
        let room = TemplateBuild.maximumLogBytes - text.utf8.count
        if bytes.count <= room {
            text += String(decoding: bytes, as: UTF8.self)
        } else {
            text += String(decoding: bytes.prefix(max(0, room)), as: UTF8.self)
            text += "\n[log truncated at \(TemplateBuild.maximumLogBytes >> 20) MiB]\n"
            truncated = true
        }
        dirty = true
    }

    mutating func append(line: String) {
        append(Array((line + "\n").utf8))
    }

    /// The text to write now, if it changed and half a second has passed (or `force`).
    mutating func due(force: Bool = false) -> String? {
        guard dirty, force || ContinuousClock.now - lastFlush >= .milliseconds(500) else { return nil }
        dirty = false
        lastFlush = ContinuousClock.now
        return text
    }
}
