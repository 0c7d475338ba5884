/// What a process is started with: the command line, environment and working directory of a sandbox, an exec, a
/// background process, a streaming exec and an extension's entrypoint. They reach the kernel as C strings, where NUL
/// ends one, and an exec passes its variables as `env -i NAME=VALUE … program`: a NUL in a name cut it before its
/// `=`, and `env` ran it as the program ("/bin/echo\0" ran /bin/echo while the history said /bin/true). Every path
/// checks here before anything is recorded or sent; docs/decisions.md has the rule.
extension Validation {
    /// Refuses what cannot be passed to a process as given, naming the field (`command[2]`, `workingDirectory`, …).
    public static func processInput(command: [String], environment: [String: String]?, workingDirectory: String?) throws {
        for (index, argument) in command.enumerated() {
            try processArgument(argument, field: "command[\(index)]")
        }
        try processEnvironment(environment ?? [:])
        if let workingDirectory, let scalar = workingDirectory.unicodeScalars.first(where: isControl) {
            throw DomainError.invalidInput("workingDirectory must not contain control characters (found \(codePoint(scalar))).")
        }
    }

    /// An argument may hold tab and line breaks (a script for `sh -c`), no other control character and no NUL.
    public static func processArgument(_ argument: String, field: String) throws {
        if let scalar = argument.unicodeScalars.first(where: { isControl($0) && !isLineText($0) }) {
            throw DomainError.invalidInput("\(field) must not contain NUL or control characters other than tab and line breaks (found \(codePoint(scalar))).")
        }
    }

    /// A name is not empty and holds no control character and no `=` (which ends it); a value may hold anything an
    /// argument may, and DEL (it is data: a secret, a JSON document).
    public static func processEnvironment(_ environment: [String: String]) throws {
        for (name, value) in environment.sorted(by: { $0.key < $1.key }) {
            let shown = String(name.prefix(63)).debugDescription
            guard !name.isEmpty else { throw DomainError.invalidInput("environment names must not be empty.") }
            if let scalar = name.unicodeScalars.first(where: isControl) {
                throw DomainError.invalidInput("environment name \(shown) must not contain control characters (found \(codePoint(scalar))).")
            }
            guard !name.contains("=") else { throw DomainError.invalidInput("environment name \(shown) must not contain '=' (it ends a name).") }
            if let scalar = value.unicodeScalars.first(where: { $0.value < 0x20 && !isLineText($0) }) {
                throw DomainError.invalidInput(
                    "environment value of \(shown) must not contain NUL or control characters other than tab and line breaks (found \(codePoint(scalar)))."
                )
            }
        }
    }

    /// C0 controls (NUL included) and DEL.
    private static func isControl(_ scalar: Unicode.Scalar) -> Bool { scalar.value < 0x20 || scalar.value == 0x7F }

    private static func isLineText(_ scalar: Unicode.Scalar) -> Bool { scalar == "\t" || scalar == "\n" || scalar == "\r" }

    private static func codePoint(_ scalar: Unicode.Scalar) -> String {
        let hex = String(scalar.value, radix: 16, uppercase: true)
        return "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
    }
}
