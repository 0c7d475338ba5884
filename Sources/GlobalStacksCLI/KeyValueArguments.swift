/// Repeated `--flag KEY=VALUE` arguments (environment variables, labels) as a map; a later KEY wins.
enum KeyValueArguments {
    static func parse(_ arguments: [String], flag: String) throws -> [String: String] {
        var values: [String: String] = [:]
        for argument in arguments {
            guard let equals = argument.firstIndex(of: "="), equals != argument.startIndex else {
                throw CLIError(.usage, "\(flag) takes KEY=VALUE.")
            }
            values[String(argument[..<equals])] = String(argument[argument.index(after: equals)...])
        }
        return values
    }
}
