import Foundation

/// A JSON Schema (draft 2020-12) validator for the keywords extension manifests use (settings, operation inputs).
///
/// None of our Swift dependencies validates JSON Schema, so this is our own, checked against the official JSON-Schema-Test-Suite
/// (`JSONSchemaTestSuiteTests`); docs/json-schema.md lists the keywords and the suite figure.
///
/// The schema is parsed once, in `init`: any keyword outside `supportedKeywords` is refused there, at any depth,
/// instead of being silently ignored (which 2020-12 would allow) — a manifest is refused when it is published, not
/// when a user's value unexpectedly passes. `$ref` only points inside the same document (JSON pointers).
public struct JSONSchema: Sendable, Hashable {
    /// Every keyword this validator understands (assertions, applicators, annotations it accepts and ignores).
    public static let supportedKeywords: Set<String> = [
        // Core
        "$schema", "$id", "$ref", "$defs", "$comment",
        // Applicators
        "allOf", "anyOf", "oneOf", "not", "if", "then", "else",
        "properties", "patternProperties", "additionalProperties", "propertyNames",
        "prefixItems", "items", "contains",
        // Validation
        "type", "enum", "const",
        "multipleOf", "maximum", "exclusiveMaximum", "minimum", "exclusiveMinimum",
        "maxLength", "minLength", "pattern",
        "maxItems", "minItems", "uniqueItems", "maxContains", "minContains",
        "maxProperties", "minProperties", "required", "dependentRequired",
        // Annotations (accepted, never asserted)
        "title", "description", "default", "deprecated", "readOnly", "writeOnly", "examples",
        "format", "contentEncoding", "contentMediaType", "contentSchema",
    ]

    /// At most this many violations are reported.
    public static let maxViolations = 50

    /// The schema document as given.
    public let document: JSONValue
    private let program: Program

    /// Parses and checks a schema; any keyword not in `supportedKeywords` (at any depth), a malformed keyword value,
    /// an unresolvable `$ref`, or an invalid `pattern` regex throws `JSONSchemaRefusal` with a message naming where,
    /// e.g. "settingsSchema.properties.region: unsupported JSON Schema keyword 'dependentSchemas' (supported: …)".
    /// `field` is the prefix for those messages (e.g. "settingsSchema", "operations[0].inputSchema").
    public init(_ document: JSONValue, field: String) throws {
        self.document = document
        var compiler = Compiler(document: document, field: field)
        self.program = try compiler.compile()
    }

    /// Every violation of `instance` (empty when valid), bounded to at most `maxViolations` (50).
    public func validate(_ instance: JSONValue) -> [JSONSchemaViolation] {
        var evaluator = Evaluator(program: program, limit: Self.maxViolations)
        evaluator.evaluate(Program.root, instance, Trail())
        return evaluator.result
    }

    public func isValid(_ instance: JSONValue) -> Bool {
        var evaluator = Evaluator(program: program, limit: 1)
        evaluator.evaluate(Program.root, instance, Trail())
        return evaluator.result.isEmpty
    }

    /// Two schemas are equal when their documents are: the compiled form follows from the document.
    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.document == rhs.document }
    public func hash(into hasher: inout Hasher) { hasher.combine(document) }
}

/// One way an instance breaks a schema.
public struct JSONSchemaViolation: Sendable, Hashable, CustomStringConvertible {
    /// JSON-pointer-like path of the instance location, e.g. "/region" or "/items/2" ("" for the root).
    public let instancePath: String
    /// A sentence a person can act on, e.g. "must be one of \"eu\", \"us\"", "is required".
    public let message: String

    public init(instancePath: String, message: String) {
        self.instancePath = instancePath
        self.message = message
    }

    /// "region: must be one of …", the root shown as "(root)".
    public var description: String {
        "\(instancePath.isEmpty ? "(root)" : String(instancePath.dropFirst())): \(message)"
    }
}

// MARK: - Limits

private enum Limits {
    /// Nesting of subschemas in a document (parse time): deeper documents are refused.
    static let schemaDepth = 64
    /// `$ref`s followed within one evaluation path: a recursive schema stops here instead of exhausting the stack.
    static let refDepth = 64
    /// Nested evaluations within one path (subschemas, `$ref`s, instance levels).
    static let evaluationDepth = 256
}

// MARK: - Compiled form

/// Index of a compiled subschema in `Program.nodes`.
private typealias NodeID = Int

/// The compiled schema: subschemas in a flat array, so that `$ref` cycles are indices and the whole is a value.
private struct Program: Sendable {
    static let root: NodeID = 0
    var nodes: [Node] = []
    /// `Rule.reference(i)` evaluates `nodes[references[i]]`.
    var references: [NodeID] = []
}

private enum Node: Sendable {
    /// The boolean schemas `true` and `false`.
    case constant(Bool)
    case rules([Rule])
}

/// A compiled keyword (or group of keywords that only make sense together), keyed by the instance type it applies to:
/// 2020-12 assertions ignore values of other types (`minLength` says nothing about a number).
private enum Rule: Sendable {
    case general(GeneralRule)
    case object(ObjectRule)
    case array(ArrayRule)
    case string(StringRule)
    case number(NumberRule)
}

private enum GeneralRule: Sendable {
    case type([JSONType])
    case enumeration([JSONValue])
    case constant(JSONValue)
    case allOf([NodeID])
    case anyOf([NodeID])
    case oneOf([NodeID])
    case not(NodeID)
    case conditional(if: NodeID, then: NodeID?, else: NodeID?)
    case reference(Int)
}

private enum ObjectRule: Sendable {
    case members(properties: [String: NodeID], patterns: [(SchemaPattern, NodeID)], additional: NodeID?)
    case required([String])
    case dependentRequired([(property: String, requires: [String])])
    case propertyNames(NodeID)
    case count(min: Int?, max: Int?)
}

private enum ArrayRule: Sendable {
    case items(prefix: [NodeID], rest: NodeID?)
    case contains(NodeID, min: Int, max: Int?)
    case count(min: Int?, max: Int?)
    case unique
}

private enum StringRule: Sendable {
    case length(min: Int?, max: Int?)
    case pattern(SchemaPattern)
}

private enum NumberRule: Sendable {
    case minimum(Double, exclusive: Bool)
    case maximum(Double, exclusive: Bool)
    case multipleOf(Double)
}

private enum JSONType: String, Sendable, CaseIterable {
    case null, boolean, object, array, number, string, integer

    func matches(_ value: JSONValue) -> Bool {
        switch (self, value) {
        case (.null, .null), (.boolean, .bool), (.object, .object), (.array, .array), (.number, .number), (.string, .string): true
        case (.integer, .number(let number)): number.isIntegral
        default: false
        }
    }

    var withArticle: String {
        switch self {
        case .null: "null"
        case .integer, .object, .array: "an \(rawValue)"
        default: "a \(rawValue)"
        }
    }
}

// MARK: - Parsing

/// Where a subschema sits: its JSON pointer (what `$ref` names) and the path shown in messages.
private struct Location {
    var pointer = ""
    var display: String

    func keyword(_ name: String) -> Location {
        Location(pointer: pointer + "/" + Self.escape(name), display: display + "." + name)
    }

    /// A name chosen by the schema's author (under `properties`, `$defs`, …): quoted when it is not a plain word.
    func member(_ name: String) -> Location {
        let plain = !name.isEmpty && name.unicodeScalars.allSatisfy { $0.properties.isAlphabetic || ("0"..."9").contains($0) || "_-$".unicodeScalars.contains($0) }
        return Location(pointer: pointer + "/" + Self.escape(name), display: display + (plain ? ".\(name)" : "[\(render(.string(name)))]"))
    }

    func index(_ index: Int) -> Location {
        Location(pointer: pointer + "/\(index)", display: display + "[\(index)]")
    }

    static func escape(_ token: String) -> String {
        token.replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1")
    }
}

private struct Compiler {
    static let draft2020 = "https://json-schema.org/draft/2020-12/schema"
    let document: JSONValue
    let field: String
    private var program = Program()
    /// Every compiled subschema by JSON pointer: the only places a `$ref` may point to.
    private var nodeByPointer: [String: NodeID] = [:]
    private var pendingReferences: [(pointer: String, reference: String, location: Location)] = []
    /// The root `$id` (without "#"), which a `$ref` may spell out before the pointer.
    private var rootID: String?

    init(document: JSONValue, field: String) {
        self.document = document
        self.field = field
    }

    mutating func compile() throws -> Program {
        let rootLocation = Location(display: field)
        rootID = try rootIdentifier(at: rootLocation)
        _ = try compile(document, at: rootLocation, depth: 0)
        for pending in pendingReferences {
            guard let target = nodeByPointer[pending.pointer] else {
                throw invalid(pending.location, "unresolvable $ref '\(pending.reference)': no schema at that location in this document")
            }
            program.references.append(target)
        }
        try refuseInPlaceCycles()
        return program
    }

    // MARK: Subschemas

    private mutating func compile(_ value: JSONValue, at location: Location, depth: Int) throws -> NodeID {
        guard depth <= Limits.schemaDepth else { throw invalid(location, "schema nested deeper than \(Limits.schemaDepth) levels") }
        let id = program.nodes.count
        nodeByPointer[location.pointer] = id
        switch value {
        case .bool(let constant):
            program.nodes.append(.constant(constant))
        case .object(let object):
            program.nodes.append(.constant(true))  // reserved; children get the following ids
            program.nodes[id] = .rules(try rules(object, at: location, depth: depth + 1))
        default:
            throw invalid(location, "a schema must be an object or a boolean")
        }
        return id
    }

    /// The rules of an object schema; `depth` (here and below) is that of the subschemas it contains.
    private mutating func rules(_ object: [String: JSONValue], at here: Location, depth: Int) throws -> [Rule] {
        try refuseUnsupportedKeywords(object, at: here)
        try checkAnnotations(object, at: here)
        var rules: [Rule] = []
        if let value = object["type"] { rules.append(.general(.type(try types(value, at: here.keyword("type"))))) }
        if let value = object["enum"] { rules.append(.general(.enumeration(try array(value, at: here.keyword("enum"))))) }
        if let value = object["const"] { rules.append(.general(.constant(value))) }
        rules += try objectRules(object, at: here, depth: depth).map(Rule.object)
        rules += try arrayRules(object, at: here, depth: depth).map(Rule.array)
        rules += try stringRules(object, at: here).map(Rule.string)
        rules += try numberRules(object, at: here).map(Rule.number)
        rules += try applicatorRules(object, at: here, depth: depth).map(Rule.general)
        // Not applied, but compiled: a `$ref` may point into them, and their mistakes are refused too.
        for (name, schema) in try members(object, "$defs", at: here) {
            _ = try compile(schema, at: here.keyword("$defs").member(name), depth: depth)
        }
        if let schema = object["contentSchema"] { _ = try compile(schema, at: here.keyword("contentSchema"), depth: depth) }
        return rules
    }

    private func refuseUnsupportedKeywords(_ object: [String: JSONValue], at here: Location) throws {
        for keyword in object.keys.sorted() where !JSONSchema.supportedKeywords.contains(keyword) {
            let supported = JSONSchema.supportedKeywords.sorted().joined(separator: ", ")
            throw invalid(here, "unsupported JSON Schema keyword '\(keyword)' (supported: \(supported))")
        }
        if object["$id"] != nil, !here.pointer.isEmpty {
            throw invalid(here, "unsupported JSON Schema keyword '$id' below the root (only the root schema may have an $id)")
        }
    }

    private func checkAnnotations(_ object: [String: JSONValue], at here: Location) throws {
        for keyword in ["$comment", "title", "description", "format", "contentEncoding", "contentMediaType"] {
            _ = try object[keyword].map { try string($0, at: here.keyword(keyword)) }
        }
        for keyword in ["deprecated", "readOnly", "writeOnly"] {
            _ = try object[keyword].map { try boolean($0, at: here.keyword(keyword)) }
        }
        _ = try object["examples"].map { try array($0, at: here.keyword("examples")) }
        if let value = object["$schema"] {
            let uri = try string(value, at: here.keyword("$schema"))
            guard uri == Self.draft2020 || uri == Self.draft2020 + "#" else {
                throw invalid(here.keyword("$schema"), "unsupported $schema '\(uri)' (only \(Self.draft2020))")
            }
        }
    }

    /// The root `$id` without its empty fragment: a `$ref` to it (plus a pointer) is a reference to this document.
    private func rootIdentifier(at root: Location) throws -> String? {
        guard let value = document["$id"] else { return nil }
        let id = try string(value, at: root.keyword("$id"))
        let base = id.hasSuffix("#") ? String(id.dropLast()) : id
        guard !base.contains("#") else {
            throw invalid(root.keyword("$id"), "unsupported $id with a fragment ('\(id)'): anchors are not supported")
        }
        return base
    }

    // MARK: Keyword groups

    private mutating func objectRules(_ object: [String: JSONValue], at here: Location, depth: Int) throws -> [ObjectRule] {
        var rules: [ObjectRule] = []
        var properties: [String: NodeID] = [:]
        for (name, schema) in try members(object, "properties", at: here) {
            properties[name] = try compile(schema, at: here.keyword("properties").member(name), depth: depth)
        }
        var patterns: [(SchemaPattern, NodeID)] = []
        for (source, schema) in try members(object, "patternProperties", at: here) {
            let location = here.keyword("patternProperties").member(source)
            patterns.append((try pattern(source, at: location), try compile(schema, at: location, depth: depth)))
        }
        let additional = try object["additionalProperties"].map { try compile($0, at: here.keyword("additionalProperties"), depth: depth) }
        if !properties.isEmpty || !patterns.isEmpty || additional != nil {
            rules.append(.members(properties: properties, patterns: patterns, additional: additional))
        }
        if let value = object["required"] { rules.append(.required(try strings(value, at: here.keyword("required")))) }
        let dependencies = try members(object, "dependentRequired", at: here).map { name, value in
            (property: name, requires: try strings(value, at: here.keyword("dependentRequired").member(name)))
        }
        if !dependencies.isEmpty { rules.append(.dependentRequired(dependencies)) }
        if let value = object["propertyNames"] { rules.append(.propertyNames(try compile(value, at: here.keyword("propertyNames"), depth: depth))) }
        let min = try count(object, "minProperties", at: here), max = try count(object, "maxProperties", at: here)
        if min != nil || max != nil { rules.append(.count(min: min, max: max)) }
        return rules
    }

    private mutating func arrayRules(_ object: [String: JSONValue], at here: Location, depth: Int) throws -> [ArrayRule] {
        var rules: [ArrayRule] = []
        let prefix = try object["prefixItems"].map { try schemas($0, at: here.keyword("prefixItems"), depth: depth) } ?? []
        if case .array = object["items"] {
            throw invalid(here.keyword("items"), "must be a schema (2020-12 uses 'prefixItems' for a list of schemas)")
        }
        let rest = try object["items"].map { try compile($0, at: here.keyword("items"), depth: depth) }
        if !prefix.isEmpty || rest != nil { rules.append(.items(prefix: prefix, rest: rest)) }
        let minContains = try count(object, "minContains", at: here), maxContains = try count(object, "maxContains", at: here)
        if let value = object["contains"] {
            rules.append(.contains(try compile(value, at: here.keyword("contains"), depth: depth), min: minContains ?? 1, max: maxContains))
        }
        let min = try count(object, "minItems", at: here), max = try count(object, "maxItems", at: here)
        if min != nil || max != nil { rules.append(.count(min: min, max: max)) }
        if let value = object["uniqueItems"], try boolean(value, at: here.keyword("uniqueItems")) { rules.append(.unique) }
        return rules
    }

    private func stringRules(_ object: [String: JSONValue], at here: Location) throws -> [StringRule] {
        var rules: [StringRule] = []
        let min = try count(object, "minLength", at: here), max = try count(object, "maxLength", at: here)
        if min != nil || max != nil { rules.append(.length(min: min, max: max)) }
        if let value = object["pattern"] {
            let location = here.keyword("pattern")
            rules.append(.pattern(try pattern(try string(value, at: location), at: location)))
        }
        return rules
    }

    private func numberRules(_ object: [String: JSONValue], at here: Location) throws -> [NumberRule] {
        var rules: [NumberRule] = []
        if let value = try number(object, "minimum", at: here) { rules.append(.minimum(value, exclusive: false)) }
        if let value = try number(object, "exclusiveMinimum", at: here) { rules.append(.minimum(value, exclusive: true)) }
        if let value = try number(object, "maximum", at: here) { rules.append(.maximum(value, exclusive: false)) }
        if let value = try number(object, "exclusiveMaximum", at: here) { rules.append(.maximum(value, exclusive: true)) }
        if let value = try number(object, "multipleOf", at: here) {
            guard value > 0 else { throw invalid(here.keyword("multipleOf"), "must be greater than 0") }
            rules.append(.multipleOf(value))
        }
        return rules
    }

    private mutating func applicatorRules(_ object: [String: JSONValue], at here: Location, depth: Int) throws -> [GeneralRule] {
        var rules: [GeneralRule] = []
        if let value = object["$ref"] {
            let location = here.keyword("$ref")
            let reference = try string(value, at: location)
            pendingReferences.append((pointer: try localPointer(reference, at: location), reference: reference, location: location))
            rules.append(.reference(pendingReferences.count - 1))
        }
        if let value = object["allOf"] { rules.append(.allOf(try schemas(value, at: here.keyword("allOf"), depth: depth))) }
        if let value = object["anyOf"] { rules.append(.anyOf(try schemas(value, at: here.keyword("anyOf"), depth: depth))) }
        if let value = object["oneOf"] { rules.append(.oneOf(try schemas(value, at: here.keyword("oneOf"), depth: depth))) }
        if let value = object["not"] { rules.append(.not(try compile(value, at: here.keyword("not"), depth: depth))) }
        // `then` and `else` are compiled even without `if` (they are still schemas), but only apply with it.
        let then = try object["then"].map { try compile($0, at: here.keyword("then"), depth: depth) }
        let otherwise = try object["else"].map { try compile($0, at: here.keyword("else"), depth: depth) }
        if let value = object["if"] {
            rules.append(.conditional(if: try compile(value, at: here.keyword("if"), depth: depth), then: then, else: otherwise))
        }
        return rules
    }

    /// The JSON pointer a `$ref` names: "#", "#/$defs/a" (percent-decoded), or the same with the root `$id` before "#".
    private func localPointer(_ reference: String, at location: Location) throws -> String {
        let parts = reference.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)
        let base = String(parts[0]), fragment = parts.count > 1 ? String(parts[1]) : ""
        guard base.isEmpty || base == rootID else {
            throw invalid(location, "unsupported remote $ref '\(reference)' (only references inside this document, '#/…', are supported)")
        }
        guard let pointer = fragment.removingPercentEncoding else {
            throw invalid(location, "malformed $ref '\(reference)' (bad percent-encoding)")
        }
        guard pointer.isEmpty || pointer.hasPrefix("/") else {
            throw invalid(location, "unsupported $ref to an anchor '\(reference)' (anchors are not supported; use a JSON pointer such as '#/$defs/\(pointer)')")
        }
        return pointer
    }

    /// A subschema that applies to the same value it was reached from (`$ref`, `allOf`, `not`, …) and leads back to
    /// itself would recurse forever on every value: refused here rather than cut off while validating.
    private func refuseInPlaceCycles() throws {
        var state = [UInt8](repeating: 0, count: program.nodes.count)  // 0 unvisited, 1 on the path, 2 done
        func visit(_ id: NodeID) -> Bool {
            if state[id] == 1 { return false }
            if state[id] == 2 { return true }
            state[id] = 1
            defer { state[id] = 2 }
            return inPlaceChildren(of: id).allSatisfy(visit)
        }
        for id in program.nodes.indices where !visit(id) {
            let pointer = nodeByPointer.first { $0.value == id }?.key ?? ""
            throw JSONSchemaRefusal(message: "\(field): circular $ref through '#\(pointer)' that never descends into the value")
        }
    }

    private func inPlaceChildren(of id: NodeID) -> [NodeID] {
        guard case .rules(let rules) = program.nodes[id] else { return [] }
        return rules.flatMap { rule -> [NodeID] in
            guard case .general(let general) = rule else { return [] }
            switch general {
            case .allOf(let ids), .anyOf(let ids), .oneOf(let ids): return ids
            case .not(let id): return [id]
            case .conditional(let condition, let then, let otherwise): return [condition] + [then, otherwise].compactMap { $0 }
            case .reference(let index): return [program.references[index]]
            case .type, .enumeration, .constant: return []
            }
        }
    }

    // MARK: Keyword values

    private mutating func schemas(_ value: JSONValue, at location: Location, depth: Int) throws -> [NodeID] {
        let elements = try array(value, at: location)
        guard !elements.isEmpty else { throw invalid(location, "must be a non-empty array of schemas") }
        return try elements.enumerated().map { try compile($1, at: location.index($0), depth: depth) }
    }

    /// The entries of an object-valued keyword (`properties`, `$defs`, …), sorted by name for stable messages.
    private func members(_ object: [String: JSONValue], _ keyword: String, at here: Location) throws -> [(String, JSONValue)] {
        guard let value = object[keyword] else { return [] }
        guard case .object(let members) = value else { throw invalid(here.keyword(keyword), "must be an object") }
        return members.sorted { $0.key < $1.key }
    }

    private func types(_ value: JSONValue, at location: Location) throws -> [JSONType] {
        let names: [JSONValue] = if case .array(let names) = value { names } else { [value] }
        let types = try names.map { name in
            guard let type = name.stringValue.flatMap(JSONType.init(rawValue:)) else {
                let known = JSONType.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")
                throw invalid(location, "\(render(name)) is not a type (one of \(known))")
            }
            return type
        }
        guard !types.isEmpty, Set(types).count == types.count else { throw invalid(location, "must be a type or a non-empty list of distinct types") }
        return types
    }

    private func strings(_ value: JSONValue, at location: Location) throws -> [String] {
        let strings = try array(value, at: location).map { element in
            guard let string = element.stringValue else { throw invalid(location, "must be an array of strings") }
            return string
        }
        guard Set(strings).count == strings.count else { throw invalid(location, "must not repeat a name") }
        return strings
    }

    private func count(_ object: [String: JSONValue], _ keyword: String, at here: Location) throws -> Int? {
        guard let value = object[keyword] else { return nil }
        guard case .number(let number) = value, number.isIntegral, number >= 0, number < Double(Int32.max) else {
            throw invalid(here.keyword(keyword), "must be a non-negative integer")
        }
        return Int(number)
    }

    private func number(_ object: [String: JSONValue], _ keyword: String, at here: Location) throws -> Double? {
        guard let value = object[keyword] else { return nil }
        guard case .number(let number) = value else { throw invalid(here.keyword(keyword), "must be a number") }
        return number
    }

    /// Patterns are matched in linear time (`SchemaPattern`): what would need backtracking, or too much work, is refused here.
    private func pattern(_ source: String, at location: Location) throws -> SchemaPattern {
        do {
            return try SchemaPattern(source)
        } catch {
            let shown = render(.string(source.count > 100 ? String(source.prefix(100)) + "…" : source))
            switch error.kind {
            case .invalid: throw invalid(location, "invalid regular expression \(shown): \(error.reason)")
            case .unsupported: throw invalid(location, "unsupported regular expression \(shown): it \(error.reason) (patterns are matched in linear time, see docs/json-schema.md)")
            case .tooLarge: throw invalid(location, "the pattern \(shown) is too expensive to evaluate: it \(error.reason)")
            }
        }
    }

    private func array(_ value: JSONValue, at location: Location) throws -> [JSONValue] {
        guard case .array(let elements) = value else { throw invalid(location, "must be an array") }
        return elements
    }

    private func string(_ value: JSONValue, at location: Location) throws -> String {
        guard let string = value.stringValue else { throw invalid(location, "must be a string") }
        return string
    }

    private func boolean(_ value: JSONValue, at location: Location) throws -> Bool {
        guard case .bool(let bool) = value else { throw invalid(location, "must be a boolean") }
        return bool
    }

    private func invalid(_ location: Location, _ message: String) -> JSONSchemaRefusal {
        JSONSchemaRefusal(message: "\(location.display): \(message)")
    }
}

// MARK: - Evaluation

/// Where an evaluation is: the instance path, and how deep it went (to stop runaway recursion).
private struct Trail {
    var path = ""
    var nesting = 0
    var references = 0

    func child(_ name: String) -> Trail {
        Trail(path: path + "/" + Location.escape(name), nesting: nesting + 1, references: references)
    }

    func child(_ index: Int) -> Trail { Trail(path: path + "/\(index)", nesting: nesting + 1, references: references) }
    func inPlace() -> Trail { Trail(path: path, nesting: nesting + 1, references: references) }
    func throughReference() -> Trail { Trail(path: path, nesting: nesting + 1, references: references + 1) }
}

/// What the patterns of one evaluation may still take, and the first string that could not be matched (too long, or
/// over the budget). Shared by an evaluation and its probes: a `not` or an `anyOf` must not turn "could not check"
/// into a pass, so that string makes the whole instance invalid.
private final class PatternWork {
    var budget = SchemaPattern.stepBudget
    var unchecked: JSONSchemaViolation?
}

private struct Evaluator {
    let program: Program
    let limit: Int
    private(set) var violations: [JSONSchemaViolation] = []
    private let patternWork: PatternWork

    init(program: Program, limit: Int, patternWork: PatternWork = PatternWork()) {
        self.program = program
        self.limit = limit
        self.patternWork = patternWork
    }

    /// The violations, including a pattern that could not be checked inside a probe.
    var result: [JSONSchemaViolation] {
        guard let violation = patternWork.unchecked, !violations.contains(violation) else { return violations }
        return [violation] + violations.prefix(limit - 1)
    }

    private var isFull: Bool { violations.count >= limit }

    mutating func evaluate(_ id: NodeID, _ instance: JSONValue, _ trail: Trail) {
        guard !isFull else { return }
        guard trail.references <= Limits.refDepth, trail.nesting <= Limits.evaluationDepth else {
            return report(trail, "is nested too deeply to validate (more than \(Limits.refDepth) $ref or \(Limits.evaluationDepth) levels)")
        }
        switch program.nodes[id] {
        case .constant(let allowed):
            if !allowed { report(trail, "is not allowed") }
        case .rules(let rules):
            for rule in rules where !isFull { apply(rule, instance, trail) }
        }
    }

    /// Whether `instance` passes, without reporting: for `anyOf`, `oneOf`, `not`, `if` and `contains`.
    private func passes(_ id: NodeID, _ instance: JSONValue, _ trail: Trail) -> Bool {
        var probe = Evaluator(program: program, limit: 1, patternWork: patternWork)
        probe.evaluate(id, instance, trail)
        return probe.violations.isEmpty
    }

    private mutating func uncheckable(_ pattern: SchemaPattern, _ string: String, _ trail: Trail, _ subject: String) {
        let reason = string.unicodeScalars.count > SchemaPattern.maxSubjectLength
            ? "\(subject) is longer than \(SchemaPattern.maxSubjectLength) characters"
            : "the value's strings take too long to match against its patterns (send shorter or fewer strings)"
        let violation = JSONSchemaViolation(instancePath: trail.path, message: "cannot be checked against the pattern \(render(.string(pattern.source))): \(reason)")
        if patternWork.unchecked == nil { patternWork.unchecked = violation }
        report(trail, violation.message)
    }

    private mutating func report(_ trail: Trail, _ message: String) {
        if !isFull { violations.append(JSONSchemaViolation(instancePath: trail.path, message: message)) }
    }

    private mutating func apply(_ rule: Rule, _ instance: JSONValue, _ trail: Trail) {
        switch (rule, instance) {
        case (.general(let rule), _): apply(rule, instance, trail)
        case (.object(let rule), .object(let object)): apply(rule, object, trail)
        case (.array(let rule), .array(let elements)): apply(rule, elements, trail)
        case (.string(let rule), .string(let string)): apply(rule, string, trail)
        case (.number(let rule), .number(let number)): apply(rule, number, trail)
        default: break  // an assertion about another type of value
        }
    }

    private mutating func apply(_ rule: GeneralRule, _ instance: JSONValue, _ trail: Trail) {
        switch rule {
        case .type(let types):
            if !types.contains(where: { $0.matches(instance) }) {
                report(trail, "must be \(list(types.map(\.withArticle), conjunction: "or")), not \(describeType(of: instance))")
            }
        case .enumeration(let values):
            if !values.contains(where: { $0.isJSONEqual(to: instance) }) { report(trail, "must be one of \(renderList(values))") }
        case .constant(let value):
            if !value.isJSONEqual(to: instance) { report(trail, "must be \(render(value))") }
        case .allOf(let ids):
            for id in ids { evaluate(id, instance, trail.inPlace()) }
        case .anyOf(let ids):
            if !ids.contains(where: { passes($0, instance, trail.inPlace()) }) {
                report(trail, "must match at least one of the \(ids.count) schemas in anyOf")
            }
        case .oneOf(let ids):
            let matching = ids.indices.filter { passes(ids[$0], instance, trail.inPlace()) }
            if matching.count != 1 {
                let found = matching.isEmpty ? "none" : "\(matching.count): " + list(matching.map { "#\($0)" }, conjunction: "and")
                report(trail, "must match exactly one of the \(ids.count) schemas in oneOf (matched \(found))")
            }
        case .not(let id):
            if passes(id, instance, trail.inPlace()) { report(trail, "must not match the schema in not") }
        case .conditional(let condition, let then, let otherwise):
            if let next = passes(condition, instance, trail.inPlace()) ? then : otherwise { evaluate(next, instance, trail.inPlace()) }
        case .reference(let index):
            evaluate(program.references[index], instance, trail.throughReference())
        }
    }

    private mutating func apply(_ rule: ObjectRule, _ object: [String: JSONValue], _ trail: Trail) {
        switch rule {
        case .members(let properties, let patterns, let additional):
            for (name, value) in object.sorted(by: { $0.key < $1.key }) {
                var matched = false
                if let id = properties[name] { matched = true; evaluate(id, value, trail.child(name)) }
                for (pattern, id) in patterns {
                    guard let matches = pattern.matches(name, budget: &patternWork.budget) else { uncheckable(pattern, name, trail.child(name), "its name"); continue }
                    if matches { matched = true; evaluate(id, value, trail.child(name)) }
                }
                if !matched, let additional { evaluate(additional, value, trail.child(name)) }
            }
        case .required(let names):
            for name in names where object[name] == nil { report(trail.child(name), "is required") }
        case .dependentRequired(let dependencies):
            for (property, requires) in dependencies where object[property] != nil {
                for name in requires where object[name] == nil {
                    report(trail.child(name), "is required when \(render(.string(property))) is present")
                }
            }
        case .propertyNames(let id):
            for name in object.keys.sorted() {
                var probe = Evaluator(program: program, limit: 1, patternWork: patternWork)
                probe.evaluate(id, .string(name), trail.inPlace())
                if let violation = probe.violations.first { report(trail, "property name \(render(.string(name))) \(violation.message)") }
            }
        case .count(let min, let max):
            if let min, object.count < min { report(trail, "must have at least \(plural(min, "property", "properties"))") }
            if let max, object.count > max { report(trail, "must have at most \(plural(max, "property", "properties"))") }
        }
    }

    private mutating func apply(_ rule: ArrayRule, _ elements: [JSONValue], _ trail: Trail) {
        switch rule {
        case .items(let prefix, let rest):
            for (index, element) in elements.enumerated() {
                if let id = index < prefix.count ? prefix[index] : rest { evaluate(id, element, trail.child(index)) }
            }
        case .contains(let id, let min, let max):
            let matching = elements.indices.filter { passes(id, elements[$0], trail.child($0)) }.count
            if matching < min {
                report(trail, "must contain at least \(plural(min, "item")) matching the contains schema (found \(matching))")
            }
            if let max, matching > max {
                report(trail, "must contain at most \(plural(max, "item")) matching the contains schema (found \(matching))")
            }
        case .count(let min, let max):
            if let min, elements.count < min { report(trail, "must have at least \(plural(min, "item"))") }
            if let max, elements.count > max { report(trail, "must have at most \(plural(max, "item"))") }
        case .unique:
            if let (first, second) = firstDuplicate(elements) { report(trail, "must not contain duplicates (items \(first) and \(second) are equal)") }
        }
    }

    private mutating func apply(_ rule: StringRule, _ string: String, _ trail: Trail) {
        switch rule {
        case .length(let min, let max):
            // Lengths count Unicode code points, as 2020-12 says: "é" written as e + U+0301 is 2, an emoji is 1.
            let length = string.unicodeScalars.count
            if let min, length < min { report(trail, "must be at least \(plural(min, "character")) long") }
            if let max, length > max { report(trail, "must be at most \(plural(max, "character")) long") }
        case .pattern(let pattern):
            switch pattern.matches(string, budget: &patternWork.budget) {
            case false?: report(trail, "must match the pattern \(render(.string(pattern.source)))")
            case nil: uncheckable(pattern, string, trail, "it")
            default: break
            }
        }
    }

    private mutating func apply(_ rule: NumberRule, _ number: Double, _ trail: Trail) {
        switch rule {
        case .minimum(let bound, false): if number < bound { report(trail, "must be at least \(format(bound))") }
        case .minimum(let bound, true): if number <= bound { report(trail, "must be greater than \(format(bound))") }
        case .maximum(let bound, false): if number > bound { report(trail, "must be at most \(format(bound))") }
        case .maximum(let bound, true): if number >= bound { report(trail, "must be less than \(format(bound))") }
        case .multipleOf(let divisor): if !isMultiple(number, of: divisor) { report(trail, "must be a multiple of \(format(divisor))") }
        }
    }

    private func firstDuplicate(_ elements: [JSONValue]) -> (Int, Int)? {
        for second in elements.indices {
            if let first = elements[..<second].firstIndex(where: { $0.isJSONEqual(to: elements[second]) }) { return (first, second) }
        }
        return nil
    }
}

// MARK: - Numbers

/// Whether `value` is a multiple of `divisor`, exactly, on the numbers as written: in binary floating point
/// 0.0075 / 0.0001 is 74.99999999999999, but a schema author means the decimals. Both numbers are taken as their
/// shortest decimal form, digits × 10^exponent with no trailing zero in the digits.
private func isMultiple(_ value: Double, of divisor: Double) -> Bool {
    guard value != 0 else { return true }
    guard let (a, p) = decimal(value), let (b, q) = decimal(divisor) else { return false }
    // value / divisor = (a / b) × 10^(p − q). With p < q, a would need a factor 10, which a has not.
    guard p >= q else { return false }
    // a × 10^(p − q) mod b, by modular exponentiation (p − q is at most about 650).
    var remainder = a % b, power = UInt64(10) % b, exponent = p - q
    while exponent > 0 {
        if exponent & 1 == 1 { remainder = mulmod(remainder, power, b) }
        power = mulmod(power, power, b)
        exponent >>= 1
    }
    return remainder == 0
}

private func mulmod(_ x: UInt64, _ y: UInt64, _ modulus: UInt64) -> UInt64 {
    modulus.dividingFullWidth(x.multipliedFullWidth(by: y)).remainder
}

/// |x| as (digits, exponent) from its shortest round-trip form, e.g. 0.0075 → (75, −4), 1e308 → (1, 308).
private func decimal(_ x: Double) -> (digits: UInt64, exponent: Int)? {
    guard x.isFinite, x != 0 else { return nil }
    let text = "\(x.magnitude)".lowercased()
    let parts = text.split(separator: "e")
    var exponent = parts.count > 1 ? Int(parts[1]) ?? 0 : 0
    let mantissa = parts[0].split(separator: ".", omittingEmptySubsequences: false)
    var digits = String(mantissa[0])
    if mantissa.count > 1 {
        digits += mantissa[1]
        exponent -= mantissa[1].count
    }
    guard var value = UInt64(digits) else { return nil }
    while value % 10 == 0 {
        value /= 10
        exponent += 1
    }
    return (value, exponent)
}

private extension Double {
    /// 1.0 counts as an integer (2020-12: "a number with a zero fractional part").
    var isIntegral: Bool { isFinite && rounded(.towardZero) == self }
}

// MARK: - Equality and rendering

extension JSONValue {
    /// JSON equality (what `enum`, `const` and `uniqueItems` use): 1 equals 1.0, objects are unordered,
    /// a boolean is never a number, and strings compare code point by code point (Swift's `==` would equate
    /// "é" and e + U+0301).
    func isJSONEqual(to other: JSONValue) -> Bool {
        switch (self, other) {
        case (.null, .null): true
        case (.bool(let a), .bool(let b)): a == b
        case (.number(let a), .number(let b)): a == b
        case (.string(let a), .string(let b)): a.unicodeScalars.elementsEqual(b.unicodeScalars)
        case (.array(let a), .array(let b)): a.count == b.count && zip(a, b).allSatisfy { $0.isJSONEqual(to: $1) }
        case (.object(let a), .object(let b)):
            a.count == b.count && a.allSatisfy { key, value in b[key].map(value.isJSONEqual) ?? false }
        default: false
        }
    }
}

/// Compact JSON for messages: strings quoted, object keys sorted.
private func render(_ value: JSONValue) -> String {
    switch value {
    case .null: return "null"
    case .bool(let bool): return bool ? "true" : "false"
    case .number(let number): return format(number)
    case .string(let string):
        var quoted = "\""
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": quoted += "\\\""
            case "\\": quoted += "\\\\"
            case "\n": quoted += "\\n"
            case "\t": quoted += "\\t"
            case _ where scalar.value < 0x20: quoted += String(format: "\\u%04x", scalar.value)
            default: quoted.unicodeScalars.append(scalar)
            }
        }
        return quoted + "\""
    case .array(let elements): return "[" + elements.map(render).joined(separator: ",") + "]"
    case .object(let object):
        return "{" + object.sorted { $0.key < $1.key }.map { render(.string($0.key)) + ":" + render($0.value) }.joined(separator: ",") + "}"
    }
}

/// At most 10 values, then how many there are.
private func renderList(_ values: [JSONValue]) -> String {
    let shown = values.prefix(10).map(render).joined(separator: ", ")
    return values.count > 10 ? "\(shown), … (\(values.count) values)" : shown
}

private func format(_ number: Double) -> String {
    number.isIntegral && number.magnitude < 1e15 ? String(Int64(number)) : "\(number)"
}

private func describeType(of value: JSONValue) -> String {
    switch value {
    case .null: "null"
    case .bool: "a boolean"
    case .number(let number): number.isIntegral ? "a number" : format(number)
    case .string: "a string"
    case .array: "an array"
    case .object: "an object"
    }
}

private func list(_ items: [String], conjunction: String) -> String {
    items.count <= 1 ? items.joined() : items.dropLast().joined(separator: ", ") + " \(conjunction) " + items[items.count - 1]
}

private func plural(_ count: Int, _ singular: String, _ plural: String? = nil) -> String {
    "\(count) \(count == 1 ? singular : plural ?? singular + "s")"
}
