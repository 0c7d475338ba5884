import ArgumentParser
import Foundation
import GlobalStacksDomain
import Yams

/// How results are printed: a table for people (times relative), JSON or YAML for scripts (times exact).
public enum OutputFormat: String, ExpressibleByArgument, CaseIterable, Sendable {
    case table, json, yaml
}

/// The output options every listing command takes.
public struct OutputOptions: ParsableArguments {
    @Option(name: [.customShort("o"), .customLong("output")], help: "table, json or yaml.")
    public var format: OutputFormat = .table

    @Option(help: "Comma-separated fields to show in the table (default: the command's).")
    public var columns: String?

    public init() {}

    /// Prints `values` in the chosen format; `defaults` are the table's fields (the contract's objects are flat once
    /// encoded, so a field is a top-level key).
    public func print<Value: Encodable>(_ values: [Value], columns defaults: [String]) throws {
        switch format {
        case .json:
            Swift.print(try Self.json(values))
        case .yaml:
            Swift.print(try YAMLEncoder().encode(values), terminator: "")
        case .table:
            let objects = try Self.plain(values)
            let fields = try Self.fields(columns, defaults: defaults, objects: objects)
            let rows = objects.map { object in fields.map { Self.cell(object[$0], key: $0) } }
            Swift.print(Self.table(header: fields.map { $0.uppercased() }, rows: rows), terminator: "")
        }
    }

    public func print<Value: Encodable>(_ value: Value, columns: [String]) throws {
        if format == .json {
            Swift.print(try Self.json(value))
        } else {
            try print([value], columns: columns)
        }
    }

    /// Pretty JSON, with empty lists and objects as `[]` and `{}` (Foundation prints them over two lines; a newline
    /// inside a JSON string is always escaped, so only layout matches).
    static func json(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        let text = String(decoding: try encoder.encode(value), as: UTF8.self)
        return text.replacingOccurrences(of: #"\[\n\s*\]"#, with: "[]", options: .regularExpression)
            .replacingOccurrences(of: #"\{\n\s*\}"#, with: "{}", options: .regularExpression)
    }

    /// The table's fields: `--columns` (each one a field the values have, or a default) or the defaults.
    static func fields(_ requested: String?, defaults: [String], objects: [[String: JSONValue]]) throws -> [String] {
        guard let requested else { return defaults }
        let fields = requested.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }
        let known = Set(defaults).union(objects.flatMap(\.keys))
        if let unknown = fields.first(where: { !known.contains($0) }) {
            throw CLIError(.usage, "No column '\(unknown)'; the columns are \(known.sorted().joined(separator: ", ")).")
        }
        return fields
    }

    /// Values as plain JSON objects (what YAML and the table read).
    static func plain<Value: Encodable>(_ values: [Value]) throws -> [[String: JSONValue]] {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        return try JSONDecoder().decode([[String: JSONValue]].self, from: encoder.encode(values))
    }

    /// A time is shown relative to now, a command as a shell would take it.
    static func cell(_ value: JSONValue?, key: String) -> String {
        guard let value else { return "" }
        if case .string(let text) = value, text.count >= 20, text.dropFirst(4).first == "-", text.dropFirst(10).first == "T",
           let date = ISO8601DateFormatter().date(from: text) {
            return relative(date)
        }
        if key == "command", case .array(let words) = value {
            return words.map { ShellQuoting.quoted($0.cellText) }.joined(separator: " ")
        }
        return value.cellText
    }

    static func relative(_ date: Date, now: Date = Date()) -> String {
        let seconds = Int(now.timeIntervalSince(date).rounded())
        let magnitude = abs(seconds)
        let amount = magnitude < 60 ? "\(magnitude)s" : magnitude < 3_600 ? "\(magnitude / 60)m" : magnitude < 86_400 ? "\(magnitude / 3_600)h" : "\(magnitude / 86_400)d"
        return seconds >= 0 ? "\(amount) ago" : "in \(amount)"
    }

    static func table(header: [String], rows: [[String]]) -> String {
        let all = [header] + rows
        let widths = header.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
        return all.map { row in
            row.enumerated().map { index, cell in index == row.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0) }
                .joined(separator: "  ")
        }.joined(separator: "\n") + "\n"
    }
}

extension JSONValue {
    /// A table cell: whole numbers without a fraction, lists joined with commas, objects as key=value.
    var cellText: String {
        switch self {
        case .null: ""
        case .bool(let value): value ? "yes" : "no"
        case .number(let value): value.rounded() == value && abs(value) < 1e15 ? String(Int64(value)) : String(value)
        case .string(let value): value
        case .array(let values): values.map(\.cellText).joined(separator: ",")
        case .object(let object): object.keys.sorted().map { "\($0)=\(object[$0]!.cellText)" }.joined(separator: ",")
        }
    }
}
