import ArgumentParser
import Foundation

/// What the binary does to its words before ArgumentParser sees them, as `kubectl` and `gh` behave: `--context` is
/// taken from anywhere before `--`, and a mistyped command gets a "did you mean".
public enum CommandLineWords {
    /// The words without `--context NAME` / `--context=NAME` (before `--`, after which words belong to a sandbox's
    /// command), and the context named there. A `--context` without its value stays for ArgumentParser to refuse.
    public static func hoistingContext(_ words: [String]) -> (words: [String], context: String?) {
        var kept: [String] = []
        var context: String?
        var index = 0
        while index < words.count {
            let word = words[index]
            if word == "--" {
                kept += words[index...]
                break
            }
            if word.hasPrefix("--context=") {
                context = String(word.dropFirst("--context=".count))
            } else if word == "--context", index + 1 < words.count, !words[index + 1].hasPrefix("-") {
                context = words[index + 1]
                index += 1
            } else {
                kept.append(word)
            }
            index += 1
        }
        return (kept, context)
    }

    /// "did you mean" for the first word that names no subcommand where `root`'s tree expects one; nil when every
    /// command word is known or nothing is close.
    public static func suggestion(for words: [String], root: any ParsableCommand.Type) -> String? {
        var command = root
        var path = [name(of: root)]
        for word in words {
            let subcommands = command.configuration.subcommands
            guard !word.hasPrefix("-"), !subcommands.isEmpty else { return nil }
            if let next = subcommands.first(where: { name(of: $0) == word || $0.configuration.aliases.contains(word) }) {
                command = next
                path.append(word)
                continue
            }
            let scored = subcommands.map(name(of:)).map { ($0, distance(word.lowercased(), $0)) }
            let close = scored.filter { $0.1 <= max(1, min(2, word.count / 3)) || ($0.0.hasPrefix(word) && word.count >= 3) }
            guard let best = close.min(by: { $0.1 < $1.1 })?.0 else { return nil }
            let parent = path.joined(separator: " ")
            return "Unknown command '\(word)' for '\(parent)'. Did you mean '\(best)'?\nSee '\(parent) --help'."
        }
        return nil
    }

    private static func name(of command: any ParsableCommand.Type) -> String {
        command.configuration.commandName ?? command._commandName
    }

    /// Edit distance, a swap of two neighbours counting as one edit (optimal string alignment).
    static func distance(_ a: String, _ b: String) -> Int {
        let (a, b) = (Array(a), Array(b))
        guard !a.isEmpty, !b.isEmpty else { return max(a.count, b.count) }
        var table = (0...a.count).map { i in (0...b.count).map { j in i == 0 ? j : (j == 0 ? i : 0) } }
        for i in 1...a.count {
            for j in 1...b.count {
                table[i][j] = min(table[i - 1][j] + 1, table[i][j - 1] + 1, table[i - 1][j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] { table[i][j] = min(table[i][j], table[i - 2][j - 2] + 1) }
            }
        }
        return table[a.count][b.count]
    }
}
