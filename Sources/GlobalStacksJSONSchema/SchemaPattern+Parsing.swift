/// A parsed pattern.
indirect enum PatternNode {
    case scalar(UInt32)
    case any
    case set(ScalarClass)
    case assertion(PatternAssertion)
    case sequence([PatternNode])
    case alternation([PatternNode])
    case repetition(PatternNode, min: Int, max: Int?)

    /// No match can start after the first character: every alternative begins with `^`.
    var isAnchoredAtStart: Bool {
        switch self {
        case .assertion(.start): true
        case .sequence(let nodes): nodes.first?.isAnchoredAtStart ?? false
        case .alternation(let nodes): nodes.allSatisfy(\.isAnchoredAtStart)
        default: false
        }
    }

    /// Matches only the empty string without looking at it (`(?:)`), so repeating it adds nothing.
    var compilesToNothing: Bool {
        switch self {
        case .sequence(let nodes): nodes.allSatisfy(\.compilesToNothing)
        case .repetition(let node, _, _): node.compilesToNothing
        default: false
        }
    }
}

/// ECMA-262 pattern syntax in Unicode mode (what JSON Schema means), plus the Annex B leniency of taking `{`, `}` and
/// `]` literally where they cannot mean anything else, and of escaping any punctuation.
struct PatternParser {
    private let scalars: [Unicode.Scalar]
    private var index = 0

    init(_ source: String) {
        scalars = Array(source.unicodeScalars)
    }

    mutating func parse() throws(SchemaPattern.Refusal) -> PatternNode {
        let node = try disjunction()
        guard index == scalars.count else { throw invalid("a ')' closes no group") }
        return node
    }

    private var peek: Unicode.Scalar? { index < scalars.count ? scalars[index] : nil }

    private func peek(_ offset: Int) -> Unicode.Scalar? { index + offset < scalars.count ? scalars[index + offset] : nil }

    private mutating func take(_ scalar: Unicode.Scalar) -> Bool {
        guard peek == scalar else { return false }
        index += 1
        return true
    }

    private mutating func next() throws(SchemaPattern.Refusal) -> Unicode.Scalar {
        guard let scalar = peek else { throw invalid("it ends in the middle of an escape or class") }
        index += 1
        return scalar
    }

    // MARK: Structure

    private mutating func disjunction() throws(SchemaPattern.Refusal) -> PatternNode {
        var alternatives = [try alternative()]
        while take("|") { alternatives.append(try alternative()) }
        return alternatives.count == 1 ? alternatives[0] : .alternation(alternatives)
    }

    private mutating func alternative() throws(SchemaPattern.Refusal) -> PatternNode {
        var terms: [PatternNode] = []
        while let scalar = peek, scalar != "|", scalar != ")" {
            terms.append(try term())
        }
        return terms.count == 1 ? terms[0] : .sequence(terms)
    }

    private mutating func term() throws(SchemaPattern.Refusal) -> PatternNode {
        if try quantifier() != nil { throw invalid("a quantifier has nothing to repeat") }
        let atom = try self.atom()
        guard let (min, max) = try quantifier() else { return atom }
        if case .assertion = atom { throw invalid("an assertion (^, $, \\b, \\B) cannot be repeated") }
        return .repetition(atom, min: min, max: max)
    }

    /// `*`, `+`, `?`, `{n}`, `{n,}` or `{n,m}`, each optionally lazy (`*?`: only whether it matches matters, and
    /// that is the same); nil, consuming nothing, when none is here (a `{` that starts no quantifier is a character).
    private mutating func quantifier() throws(SchemaPattern.Refusal) -> (Int, Int?)? {
        let start = index
        var bounds: (Int, Int?)
        switch peek {
        case "*": index += 1; bounds = (0, nil)
        case "+": index += 1; bounds = (1, nil)
        case "?": index += 1; bounds = (0, 1)
        case "{":
            index += 1
            guard let min = number() else { index = start; return nil }
            bounds = (min, min)
            if take(",") { bounds.1 = number() }
            guard take("}") else { index = start; return nil }
        default: return nil
        }
        if let max = bounds.1, max < bounds.0 { throw invalid("{\(bounds.0),\(max)} has its numbers out of order") }
        if bounds.0 > SchemaPattern.maxInstructions || (bounds.1 ?? 0) > SchemaPattern.maxInstructions {
            throw SchemaPattern.Refusal(kind: .tooLarge, reason: "repeats something more than \(SchemaPattern.maxInstructions) times")
        }
        _ = take("?")
        return bounds
    }

    /// Decimal digits, saturating (a huge count is refused as too large, not as a syntax error).
    private mutating func number() -> Int? {
        var value: Int?
        while let scalar = peek, ("0"..."9").contains(scalar) {
            value = min((value ?? 0) * 10 + Int(scalar.value - 0x30), Int(Int32.max))
            index += 1
        }
        return value
    }

    private mutating func atom() throws(SchemaPattern.Refusal) -> PatternNode {
        let scalar = try next()
        switch scalar {
        case "^": return .assertion(.start)
        case "$": return .assertion(.end)
        case ".": return .any
        case "(": return try group()
        case "[": return try characterClass()
        case "\\": return try escape()
        default: return .scalar(scalar.value)  // including `{`, `}` and `]` that start nothing (Annex B)
        }
    }

    private mutating func group() throws(SchemaPattern.Refusal) -> PatternNode {
        if take("?") {
            switch peek {
            case ":": index += 1
            case "=", "!": throw unsupported("lookahead '(?\(peek!)'")
            case "<" where peek(1) == "=" || peek(1) == "!": throw unsupported("lookbehind '(?<\(peek(1)!)'")
            case "<":
                index += 1
                while let scalar = peek, scalar != ">" {
                    guard scalar.properties.isAlphabetic || scalar == "_" || scalar == "$" || ("0"..."9").contains(scalar) else {
                        throw invalid("a group name is letters, digits, '_' and '$'")
                    }
                    index += 1
                }
                guard take(">"), scalars[index - 2] != "<" else { throw invalid("a named group needs a name in <…>") }
            default: throw unsupported("inline flags or modifiers '(?\(peek.map(String.init) ?? "")'")
            }
        }
        let node = try disjunction()
        guard take(")") else { throw invalid("a '(' is not closed") }
        return node
    }

    // MARK: Escapes and classes

    /// What `\` starts outside a class.
    private mutating func escape() throws(SchemaPattern.Refusal) -> PatternNode {
        switch peek {
        case "b": index += 1; return .assertion(.wordBoundary)
        case "B": index += 1; return .assertion(.notWordBoundary)
        case "1", "2", "3", "4", "5", "6", "7", "8", "9": throw unsupported("backreference '\\\(peek!)'")
        case "k": throw unsupported("named backreference '\\k'")
        default:
            switch try classEscape() {
            case .scalar(let value): return .scalar(value)
            case .set(let set): return .set(set)
            }
        }
    }

    private enum ClassAtom {
        case scalar(UInt32)
        case set(ScalarClass)
    }

    /// What `\` starts inside a class (and, but for `\b`, outside one).
    private mutating func classEscape() throws(SchemaPattern.Refusal) -> ClassAtom {
        let scalar = try next()
        switch scalar {
        case "d": return .set(.ranges(ScalarClass.digit))
        case "D": return .set(.ranges(ScalarClass.digit, negated: true))
        case "w": return .set(.ranges(ScalarClass.word))
        case "W": return .set(.ranges(ScalarClass.word, negated: true))
        case "s": return .set(.ranges(ScalarClass.space))
        case "S": return .set(.ranges(ScalarClass.space, negated: true))
        case "p", "P":
            guard take("{") else { throw invalid("\\\(scalar) needs a property in braces, e.g. \\p{L}") }
            var name = ""
            while let next = peek, next != "}" {
                name.unicodeScalars.append(next)
                index += 1
            }
            guard take("}") else { throw invalid("\\\(scalar){ is not closed") }
            guard let property = UnicodeProperty(name: name) else {
                throw unsupported("Unicode property '\(name)' (general categories such as L, Lu, N, Nd, P and Any, ASCII, Alphabetic, White_Space, Uppercase, Lowercase are)")
            }
            return .set(ScalarClass(properties: [(property, negated: scalar == "P")]))
        case "t": return .scalar(0x09)
        case "n": return .scalar(0x0A)
        case "v": return .scalar(0x0B)
        case "f": return .scalar(0x0C)
        case "r": return .scalar(0x0D)
        case "0":
            guard let next = peek, ("0"..."9").contains(next) else { return .scalar(0) }
            throw invalid("octal escapes are not allowed")
        case "c":
            guard let letter = peek, ("a"..."z").contains(letter) || ("A"..."Z").contains(letter) else {
                throw invalid("\\c needs a letter")
            }
            index += 1
            return .scalar(letter.value % 32)
        case "x": return .scalar(try hexadecimal(digits: 2))
        case "u": return .scalar(try unicodeEscape())
        default:
            // `\/`, `\-`, `\.` and other punctuation stand for themselves; an unknown letter or digit escape is a mistake.
            guard !scalar.properties.isAlphabetic, !("0"..."9").contains(scalar) else { throw invalid("\\\(scalar) is not an escape") }
            return .scalar(scalar.value)
        }
    }

    /// `\uXXXX` (a surrogate pair written as two is one character) or `\u{X…}`.
    private mutating func unicodeEscape() throws(SchemaPattern.Refusal) -> UInt32 {
        if take("{") {
            var value: UInt32 = 0, digits = 0
            while let scalar = peek, scalar != "}" {
                guard let digit = Self.hexadecimalValue(scalar), value <= 0x10FFFF else { throw invalid("\\u{…} holds a code point in hexadecimal") }
                value = value * 16 + digit
                digits += 1
                index += 1
            }
            guard take("}"), digits > 0, value <= 0x10FFFF else { throw invalid("\\u{…} holds a code point up to 10FFFF") }
            return value
        }
        let value = try hexadecimal(digits: 4)
        if (0xD800...0xDBFF).contains(value), peek == "\\", peek(1) == "u" {
            let start = index
            index += 2
            if let low = try? hexadecimal(digits: 4), (0xDC00...0xDFFF).contains(low) {
                return 0x10000 + (value - 0xD800) << 10 + (low - 0xDC00)
            }
            index = start
        }
        return value
    }

    private mutating func hexadecimal(digits: Int) throws(SchemaPattern.Refusal) -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<digits {
            guard let digit = Self.hexadecimalValue(peek) else { throw invalid("\\x takes 2 and \\u 4 hexadecimal digits") }
            value = value * 16 + digit
            index += 1
        }
        return value
    }

    /// After `[`: `[^…]`, ranges `a-z`, escapes; `[` inside is a character.
    private mutating func characterClass() throws(SchemaPattern.Refusal) -> PatternNode {
        var set = ScalarClass(negated: take("^"))
        while !take("]") {
            guard peek != nil else { throw invalid("a '[' is not closed with ']'") }
            let first = try classAtom()
            guard peek == "-", let after = peek(1), after != "]" else {
                add(first, to: &set)
                continue
            }
            index += 1
            let last = try classAtom()
            guard case .scalar(let lower) = first, case .scalar(let upper) = last else {
                throw invalid("a range in a class needs a character at each end, not a class like \\d")
            }
            guard lower <= upper else { throw invalid("a range in a class has its ends out of order") }
            set.ranges.append(lower...upper)
        }
        return .set(set)
    }

    private mutating func classAtom() throws(SchemaPattern.Refusal) -> ClassAtom {
        let scalar = try next()
        guard scalar == "\\" else { return .scalar(scalar.value) }
        switch peek {
        case "b": index += 1; return .scalar(0x08)  // backspace, inside a class
        case "-": index += 1; return .scalar(0x2D)
        default: return try classEscape()
        }
    }

    private func add(_ atom: ClassAtom, to set: inout ScalarClass) {
        switch atom {
        case .scalar(let value): set.ranges.append(value...value)
        case .set(let other): set.formUnion(other)
        }
    }

    private func invalid(_ reason: String) -> SchemaPattern.Refusal { SchemaPattern.Refusal(kind: .invalid, reason: reason) }

    private static func hexadecimalValue(_ scalar: Unicode.Scalar?) -> UInt32? {
        guard let value = scalar?.value else { return nil }
        if (0x30...0x39).contains(value) { return value - 0x30 }
        let lowercase = value | 0x20  // 'A'…'F' → 'a'…'f'
        return (0x61...0x66).contains(lowercase) ? lowercase - 0x61 + 10 : nil
    }

    private func unsupported(_ feature: String) -> SchemaPattern.Refusal {
        SchemaPattern.Refusal(kind: .unsupported, reason: "uses a \(feature), which needs backtracking")
    }
}

/// Writes a parsed pattern out as instructions (Thompson's construction); counted repetitions are copies.
struct PatternCompiler {
    private(set) var program: [PatternInstruction] = []
    private(set) var classes: [ScalarClass] = []

    mutating func append(_ instruction: PatternInstruction) {
        program.append(instruction)
    }

    mutating func emit(_ node: PatternNode) throws(SchemaPattern.Refusal) {
        guard program.count <= SchemaPattern.maxInstructions else {
            throw SchemaPattern.Refusal(kind: .tooLarge, reason: "has more than \(SchemaPattern.maxInstructions) steps once its repetitions are written out")
        }
        switch node {
        case .scalar(let value): append(.scalar(value))
        case .any: append(.any)
        case .set(let set):
            classes.append(set)
            append(.oneOf(classes.count - 1))
        case .assertion(let assertion): append(.assert(assertion))
        case .sequence(let nodes):
            for node in nodes { try emit(node) }
        case .alternation(let nodes):
            var exits: [Int] = []
            for node in nodes.dropLast() {
                let split = program.count
                append(.split(split + 1, 0))
                try emit(node)
                exits.append(program.count)
                append(.jump(0))
                program[split] = .split(split + 1, program.count)
            }
            try emit(nodes[nodes.count - 1])
            for exit in exits { program[exit] = .jump(program.count) }
        case .repetition(let node, let min, let max):
            guard !node.compilesToNothing else { return }
            for _ in 0..<min { try emit(node) }
            if let max {
                // (x(x(x)?)?)?: each optional copy may end the repetition.
                var splits: [Int] = []
                for _ in min..<max {
                    splits.append(program.count)
                    append(.split(program.count + 1, 0))
                    try emit(node)
                }
                for split in splits { program[split] = .split(split + 1, program.count) }
            } else {
                let loop = program.count
                append(.split(loop + 1, 0))
                try emit(node)
                append(.jump(loop))
                program[loop] = .split(loop + 1, program.count)
            }
        }
    }
}
