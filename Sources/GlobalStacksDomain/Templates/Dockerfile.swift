import Foundation

/// The Dockerfile subset a template definition may be written in: `FROM` (a Debian release as `debian:<release>`,
/// or one of the tenant's templates), `RUN`, `COPY`, `ENV`, `WORKDIR`, `USER`, `CMD` and `HEALTHCHECK CMD` (the
/// readiness check). Anything else is refused with the line it is on, rather than half-understood.
public enum Dockerfile {
    public static func parse(_ text: String) throws -> TemplateDefinition {
        guard text.utf8.count <= TemplateDefinition.maximumDefinitionBytes else {
            throw DomainError.invalidInput("The definition may be at most \(TemplateDefinition.maximumDefinitionBytes / 1_024) KiB.")
        }
        let instructions = try logicalLines(text)
        guard instructions.count <= TemplateDefinition.maximumInstructions else {
            throw DomainError.invalidInput("The definition may have at most \(TemplateDefinition.maximumInstructions) instructions.")
        }
        guard let first = instructions.first else { throw DomainError.invalidInput("The definition is empty; it starts with FROM.") }
        guard first.keyword == "FROM" else { throw first.problem("The definition starts with FROM (e.g. FROM debian:bookworm).") }
        let base = try self.base(first)
        var environment: [String: String] = [:]
        var workingDirectory = "/"
        var user = "root"
        var config = TemplateConfig()
        var steps: [TemplateDefinition.Step] = []
        for line in instructions.dropFirst() {
            switch line.keyword {
            case "FROM":
                throw line.problem("Only one FROM: multi-stage definitions are not supported.")
            case "RUN":
                let command = try shellCommand(line)
                steps.append(.init(instruction: line.text, action: .run(command), environment: environment, workingDirectory: workingDirectory, user: user))
            case "COPY":
                let (sources, destination) = try copy(line)
                steps.append(.init(
                    instruction: line.text, action: .copy(sources: sources, destination: destination), environment: environment,
                    workingDirectory: workingDirectory, user: user
                ))
            case "ENV":
                for (name, value) in try variables(line) {
                    environment[name] = value
                }
                config.environment = environment
            case "WORKDIR":
                workingDirectory = try path(line.arguments, relativeTo: workingDirectory, line)
                config.workingDirectory = workingDirectory
            case "USER":
                let name = line.arguments.split(separator: ":").first.map(String.init) ?? ""
                guard !name.isEmpty, name.count <= 32, name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "_-".contains($0)) }) else {
                    throw line.problem("USER takes a user name or id (letters, digits, '_' and '-').")
                }
                user = name
                config.user = name
            case "CMD":
                config.command = try command(line)
            case "HEALTHCHECK":
                config.readyCommand = try readiness(line)
            case "ADD":
                throw line.problem("ADD is not supported; use COPY (URLs and archives are not unpacked).")
            default:
                throw line.problem("\(line.keyword) is not supported; a definition uses FROM, RUN, COPY, ENV, WORKDIR, USER, CMD and HEALTHCHECK CMD.")
            }
        }
        guard steps.count <= TemplateDefinition.maximumSteps else {
            throw DomainError.invalidInput("The definition may have at most \(TemplateDefinition.maximumSteps) RUN and COPY steps.")
        }
        if let command = config.command { try Validation.processInput(command: command, environment: environment, workingDirectory: nil) }
        return TemplateDefinition(base: base, steps: steps, config: config)
    }

    /// One instruction: its keyword (upper-cased), the rest of its (joined) line, and where it started.
    struct Line {
        let number: Int
        let keyword: String
        let arguments: String
        var text: String { "\(keyword) \(arguments)" }

        func problem(_ message: String) -> DomainError {
            .invalidInput("Line \(number): \(message)")
        }
    }

    /// Instructions with their continuation lines (a trailing `\`) joined; comments and blank lines skipped.
    static func logicalLines(_ text: String) throws -> [Line] {
        var lines: [Line] = []
        var pending = ""
        var start = 0
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let physical = raw.hasSuffix("\r") ? raw.dropLast() : raw
            let trimmed = physical.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix("#") { continue }
            if pending.isEmpty {
                if trimmed.isEmpty { continue }
                start = index + 1
            }
            if trimmed.hasSuffix("\\") {
                pending += trimmed.dropLast().trimmingCharacters(in: .whitespaces) + " "
                continue
            }
            pending += trimmed
            if !pending.trimmingCharacters(in: .whitespaces).isEmpty { lines.append(try line(pending, number: start)) }
            pending = ""
        }
        if !pending.trimmingCharacters(in: .whitespaces).isEmpty { lines.append(try line(pending, number: start)) }
        return lines
    }

    private static func line(_ text: String, number: Int) throws -> Line {
        guard !text.unicodeScalars.contains(where: { $0.value < 0x20 && $0 != "\t" }) else {
            throw DomainError.invalidInput("Line \(number): control characters are not allowed.")
        }
        let parts = text.split(maxSplits: 1, whereSeparator: { $0 == " " || $0 == "\t" })
        // A continuation of nothing (a lone `\`) leaves only blanks.
        guard let first = parts.first else { throw DomainError.invalidInput("Line \(number): an instruction is missing after a continuation.") }
        let keyword = first.uppercased()
        let arguments = parts.count > 1 ? parts[1].trimmingCharacters(in: .whitespaces) : ""
        guard !arguments.isEmpty else { throw DomainError.invalidInput("Line \(number): \(keyword) needs arguments.") }
        return Line(number: number, keyword: keyword, arguments: arguments)
    }

    private static func base(_ line: Line) throws -> TemplateDefinition.Base {
        let words = line.arguments.split(whereSeparator: \.isWhitespace)
        guard words.count == 1, !words[0].hasPrefix("--") else {
            throw line.problem("FROM takes one image: debian:<release> or one of your templates (FROM … AS … and options are not supported).")
        }
        let image = String(words[0])
        if image == "scratch" { throw line.problem("FROM scratch is not supported; start from debian:bookworm or a template.") }
        if image.hasPrefix("debian:") {
            let release = String(image.dropFirst("debian:".count))
            guard TemplateDefinition.debianReleases.contains(release) else {
                throw line.problem("Debian release '\(release.prefix(32))' is not one a build can start from; use \(TemplateDefinition.debianReleases.sorted().map { "debian:\($0)" }.joined(separator: ", ")).")
            }
            return .debian(release)
        }
        guard let reference = try TemplateReference.parse(image, field: "FROM") else {
            throw line.problem("FROM \(image) names the host's default root, which cannot be built on; start from debian:bookworm or a template.")
        }
        return .template(reference)
    }

    /// RUN's command as one shell command line: the shell form as written, the exec form quoted.
    private static func shellCommand(_ line: Line) throws -> String {
        if line.arguments.hasPrefix("[") {
            let words = try jsonArray(line)
            guard !words.isEmpty else { throw line.problem("RUN needs a command.") }
            return words.map(shellQuoted).joined(separator: " ")
        }
        return line.arguments
    }

    /// CMD (and HEALTHCHECK's CMD) as an argv: the exec form as written, the shell form through `/bin/sh -c`.
    private static func command(_ line: Line, text: String? = nil) throws -> [String] {
        let arguments = text ?? line.arguments
        if arguments.hasPrefix("[") {
            let words = try jsonArray(Line(number: line.number, keyword: line.keyword, arguments: arguments))
            guard let first = words.first, !first.isEmpty else { throw line.problem("\(line.keyword) needs a program.") }
            return words
        }
        return ["/bin/sh", "-c", arguments]
    }

    private static func readiness(_ line: Line) throws -> [String]? {
        var words = line.arguments.split(maxSplits: 1, whereSeparator: \.isWhitespace).map(String.init)
        // Docker's timing options (--interval, --retries, …) do not apply: readiness is checked every 100 ms.
        while let first = words.first, first.hasPrefix("--") {
            let rest = words.count > 1 ? words[1] : ""
            words = rest.split(maxSplits: 1, whereSeparator: \.isWhitespace).map(String.init)
        }
        guard let first = words.first else { throw line.problem("HEALTHCHECK takes CMD <command> or NONE.") }
        if first.uppercased() == "NONE", words.count == 1 { return nil }
        guard first.uppercased() == "CMD", words.count == 2 else { throw line.problem("HEALTHCHECK takes CMD <command> or NONE.") }
        return try command(line, text: words[1])
    }

    private static func copy(_ line: Line) throws -> ([String], String) {
        let words: [String]
        if line.arguments.hasPrefix("[") {
            words = try jsonArray(line)
        } else {
            words = line.arguments.split(whereSeparator: \.isWhitespace).map(String.init)
        }
        if let option = words.first(where: { $0.hasPrefix("--") }) {
            throw line.problem("COPY \(option.prefix(32)) is not supported; files are copied as the build's user owns them.")
        }
        guard words.count >= 2, let destination = words.last else { throw line.problem("COPY takes one or more sources and a destination.") }
        let sources = try words.dropLast().map { source -> String in
            var path = source
            while path.hasPrefix("./") { path.removeFirst(2) }
            if path.isEmpty { path = "." }
            guard !path.hasPrefix("/"), !path.split(separator: "/").contains(".."), !path.contains("*"), !path.contains("?") else {
                throw line.problem("COPY sources are paths inside the build context (relative, without '..' or wildcards).")
            }
            return path
        }
        guard !destination.isEmpty, !destination.split(separator: "/").contains("..") else {
            throw line.problem("COPY's destination is a path inside the template, without '..'.")
        }
        return (sources, destination)
    }

    /// `ENV A=1 B="two words"` or the older `ENV A some value`.
    private static func variables(_ line: Line) throws -> [(String, String)] {
        let text = line.arguments
        var pairs: [(String, String)] = []
        if let firstWord = text.split(separator: " ").first, !firstWord.contains("=") {
            let rest = text.dropFirst(firstWord.count).trimmingCharacters(in: .whitespaces)
            pairs = [(String(firstWord), rest)]
        } else {
            var index = text.startIndex
            while index < text.endIndex {
                while index < text.endIndex, text[index] == " " || text[index] == "\t" { index = text.index(after: index) }
                guard index < text.endIndex else { break }
                guard let equals = text[index...].firstIndex(of: "=") else { throw line.problem("ENV takes NAME=value pairs.") }
                let name = String(text[index..<equals])
                index = text.index(after: equals)
                var value = ""
                if index < text.endIndex, text[index] == "\"" {
                    index = text.index(after: index)
                    while index < text.endIndex, text[index] != "\"" {
                        if text[index] == "\\", text.index(after: index) < text.endIndex { index = text.index(after: index) }
                        value.append(text[index])
                        index = text.index(after: index)
                    }
                    guard index < text.endIndex else { throw line.problem("ENV has an unterminated quote.") }
                    index = text.index(after: index)
                } else {
                    while index < text.endIndex, text[index] != " ", text[index] != "\t" {
                        value.append(text[index])
                        index = text.index(after: index)
                    }
                }
                pairs.append((name, value))
            }
        }
        for (name, _) in pairs {
            guard let first = name.unicodeScalars.first, !CharacterSet.decimalDigits.contains(first),
                  name.unicodeScalars.allSatisfy({ $0 == "_" || ($0.isASCII && CharacterSet.alphanumerics.contains($0)) })
            else { throw line.problem("ENV name '\(name.prefix(63))' must be letters, digits and '_', not starting with a digit.") }
        }
        return pairs
    }

    private static func path(_ text: String, relativeTo current: String, _ line: Line) throws -> String {
        let joined = text.hasPrefix("/") ? text : (current.hasSuffix("/") ? current : current + "/") + text
        var parts: [Substring] = []
        for part in joined.split(separator: "/") where part != "." {
            guard part != ".." else { throw line.problem("WORKDIR may not contain '..'.") }
            parts.append(part)
        }
        return "/" + parts.joined(separator: "/")
    }

    private static func jsonArray(_ line: Line) throws -> [String] {
        guard let words = try? JSONDecoder().decode([String].self, from: Data(line.arguments.utf8)) else {
            throw line.problem("\(line.keyword)'s exec form is a JSON array of strings.")
        }
        return words
    }

    static func shellQuoted(_ word: String) -> String {
        guard word.isEmpty || word.contains(where: { !($0.isASCII && ($0.isLetter || $0.isNumber || "-_./=:,+@%".contains($0))) }) else { return word }
        return "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
