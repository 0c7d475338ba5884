/// A JSON Schema `pattern` (ECMA-262 syntax, Unicode mode), matched in time linear in the subject: patterns come from
/// manifests and run on the request path, so a backtracking engine would let one schema stall the server
/// (`^(a+)+$` against 41 bytes took 0.65 s of CPU).
///
/// The pattern compiles to a Thompson NFA run breadth-first over the subject's code points (a Pike VM without
/// captures: only whether it matches matters), so the work is at most instructions × (characters + 1). What needs
/// backtracking, backreferences and lookaround, is refused when the schema is parsed; lazy quantifiers match what
/// greedy ones do. docs/json-schema.md lists the syntax and the limits.
struct SchemaPattern: Sendable {
    /// Longest pattern accepted, in characters.
    static let maxPatternLength = 1_000
    /// Most instructions a pattern may compile to, once counted repetitions (`{n,m}`) are written out.
    static let maxInstructions = 5_000
    /// Longest string a pattern is matched against, in characters (Unicode code points).
    static let maxSubjectLength = 10_000
    /// Steps (instructions visited) all the patterns of one validation may take together: any body a request may
    /// send is checked in tens of milliseconds.
    static let stepBudget = 2_000_000

    /// Why a pattern is refused: a syntax error, a feature this engine has not, or a limit.
    struct Refusal: Error {
        enum Kind { case invalid, unsupported, tooLarge }
        let kind: Kind
        let reason: String
    }

    let source: String
    private let program: [PatternInstruction]
    private let classes: [ScalarClass]
    /// Every alternative starts with `^`: no match can start after the first position.
    private let anchoredAtStart: Bool

    init(_ source: String) throws(Refusal) {
        guard source.unicodeScalars.count <= Self.maxPatternLength else {
            throw Refusal(kind: .tooLarge, reason: "is longer than \(Self.maxPatternLength) characters")
        }
        self.source = source
        var parser = PatternParser(source)
        let tree = try parser.parse()
        var compiler = PatternCompiler()
        try compiler.emit(tree)
        compiler.append(.match)
        program = compiler.program
        classes = compiler.classes
        anchoredAtStart = tree.isAnchoredAtStart
    }

    /// Whether the pattern matches anywhere in `string` (ECMA patterns are unanchored searches: "es" matches "test"),
    /// or nil when `string` is longer than `maxSubjectLength` or matching it would take more than `budget` steps
    /// (what it took is taken from `budget`).
    func matches(_ string: String, budget: inout Int) -> Bool? {
        let subject = Array(string.unicodeScalars)
        guard subject.count <= Self.maxSubjectLength else { return nil }
        var current = StateSet(capacity: program.count), next = StateSet(capacity: program.count)
        var stack: [Int] = []
        for position in 0...subject.count {
            if position == 0 || !anchoredAtStart {
                if add(0, at: position, in: subject, to: &current, stack: &stack) { return true }
            } else if current.isEmpty {
                return false
            }
            budget -= current.count + 1
            guard budget >= 0 else { return nil }
            guard position < subject.count else { break }
            let scalar = subject[position]
            next.clear()
            for pc in current.members {
                let consumes: Bool
                switch program[pc] {
                case .scalar(let value): consumes = scalar.value == value
                case .any: consumes = !scalar.isLineTerminator
                case .oneOf(let index): consumes = classes[index].contains(scalar)
                default: consumes = false
                }
                if consumes, add(pc + 1, at: position + 1, in: subject, to: &next, stack: &stack) { return true }
            }
            swap(&current, &next)
        }
        return false
    }

    /// Adds `pc` and every instruction reachable from it without consuming a character; true when that reaches `match`.
    private func add(_ pc: Int, at position: Int, in subject: [Unicode.Scalar], to set: inout StateSet, stack: inout [Int]) -> Bool {
        stack.append(pc)
        while let pc = stack.popLast() {
            guard set.insert(pc) else { continue }
            switch program[pc] {
            case .match: return true
            case .jump(let target): stack.append(target)
            case .split(let first, let second): stack.append(second); stack.append(first)
            case .assert(let assertion): if assertion.holds(at: position, in: subject) { stack.append(pc + 1) }
            case .scalar, .any, .oneOf: break
            }
        }
        return false
    }
}

// MARK: - Program

enum PatternInstruction: Sendable {
    case scalar(UInt32)
    /// `.`: any character but a line terminator.
    case any
    /// A character of `classes[index]`.
    case oneOf(Int)
    case split(Int, Int)
    case jump(Int)
    case assert(PatternAssertion)
    case match
}

enum PatternAssertion: Sendable {
    case start, end, wordBoundary, notWordBoundary

    func holds(at position: Int, in subject: [Unicode.Scalar]) -> Bool {
        switch self {
        case .start: return position == 0
        case .end: return position == subject.count
        case .wordBoundary, .notWordBoundary:
            let before = position > 0 && subject[position - 1].isWordCharacter
            let after = position < subject.count && subject[position].isWordCharacter
            return (before != after) == (self == .wordBoundary)
        }
    }
}

/// The instructions of the current and the next position, each once (Russ Cox's sparse set, cleared in O(1)).
private struct StateSet {
    private var dense: [Int]
    private var sparse: [Int]
    private(set) var count = 0

    init(capacity: Int) {
        dense = Array(repeating: 0, count: capacity)
        sparse = Array(repeating: 0, count: capacity)
    }

    var isEmpty: Bool { count == 0 }
    var members: ArraySlice<Int> { dense[..<count] }

    mutating func clear() { count = 0 }

    /// False when `pc` was already there.
    mutating func insert(_ pc: Int) -> Bool {
        let slot = sparse[pc]
        if slot < count && dense[slot] == pc { return false }
        sparse[pc] = count
        dense[count] = pc
        count += 1
        return true
    }
}

// MARK: - Character classes

/// A set of code points: ranges and Unicode properties, possibly negated (`[^…]`, `\P{…}`).
struct ScalarClass: Sendable {
    var ranges: [ClosedRange<UInt32>] = []
    var properties: [(UnicodeProperty, negated: Bool)] = []
    var negated = false

    func contains(_ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        let member = ranges.contains { $0.contains(value) } || properties.contains { $0.0.contains(scalar) != $0.negated }
        return member != negated
    }

    mutating func formUnion(_ other: ScalarClass) {
        if other.negated {
            // Only the escapes \D, \W, \S and \P{…} are negated sets inside a class; their complement is written out.
            if other.properties.isEmpty {
                ranges += Self.complement(of: other.ranges)
            } else {
                properties += other.properties.map { ($0.0, !$0.negated) }
            }
        } else {
            ranges += other.ranges
            properties += other.properties
        }
    }

    static func ranges(_ ranges: [ClosedRange<UInt32>], negated: Bool = false) -> ScalarClass {
        ScalarClass(ranges: ranges, negated: negated)
    }

    static let digit: [ClosedRange<UInt32>] = [0x30...0x39]
    static let word: [ClosedRange<UInt32>] = [0x30...0x39, 0x41...0x5A, 0x5F...0x5F, 0x61...0x7A]
    /// ECMA-262 WhiteSpace and LineTerminator: what `\s` matches (U+FEFF included, unlike most engines).
    static let space: [ClosedRange<UInt32>] = [
        0x09...0x0D, 0x20...0x20, 0xA0...0xA0, 0x1680...0x1680, 0x2000...0x200A, 0x2028...0x2029, 0x202F...0x202F, 0x205F...0x205F,
        0x3000...0x3000, 0xFEFF...0xFEFF,
    ]

    private static func complement(of ranges: [ClosedRange<UInt32>]) -> [ClosedRange<UInt32>] {
        var result: [ClosedRange<UInt32>] = [], next: UInt32 = 0
        for range in ranges.sorted(by: { $0.lowerBound < $1.lowerBound }) {
            if range.lowerBound > next { result.append(next...(range.lowerBound - 1)) }
            next = max(next, range.upperBound + 1)
        }
        if next <= 0x10FFFF { result.append(next...0x10FFFF) }
        return result
    }
}

/// `\p{…}`: a General_Category (`L`, `Letter`, `Nd`, `General_Category=Lu`, …) or one of a few binary properties.
/// Scripts are not available (the standard library does not know them).
enum UnicodeProperty: Sendable {
    case categories(Set<Unicode.GeneralCategory>)
    case any, ascii, assigned, alphabetic, whiteSpace, uppercase, lowercase

    init?(name: String) {
        var name = name
        for prefix in ["General_Category=", "gc="] where name.hasPrefix(prefix) { name.removeFirst(prefix.count) }
        if let categories = Self.categories[name] {
            self = .categories(categories)
            return
        }
        switch name {
        case "Any": self = .any
        case "ASCII": self = .ascii
        case "Assigned": self = .assigned
        case "Alphabetic", "Alpha": self = .alphabetic
        case "White_Space", "space": self = .whiteSpace
        case "Uppercase", "Upper": self = .uppercase
        case "Lowercase", "Lower": self = .lowercase
        default: return nil
        }
    }

    func contains(_ scalar: Unicode.Scalar) -> Bool {
        switch self {
        case .categories(let categories): categories.contains(scalar.properties.generalCategory)
        case .any: true
        case .ascii: scalar.isASCII
        case .assigned: scalar.properties.generalCategory != .unassigned
        case .alphabetic: scalar.properties.isAlphabetic
        case .whiteSpace: scalar.properties.isWhitespace
        case .uppercase: scalar.properties.isUppercase
        case .lowercase: scalar.properties.isLowercase
        }
    }

    /// Short and long names of each category and group; `digit` is ICU's (and the JSON-Schema-Test-Suite's) name for Nd.
    private static let categories: [String: Set<Unicode.GeneralCategory>] = {
        let single: [(String, String, Unicode.GeneralCategory)] = [
            ("Lu", "Uppercase_Letter", .uppercaseLetter), ("Ll", "Lowercase_Letter", .lowercaseLetter),
            ("Lt", "Titlecase_Letter", .titlecaseLetter), ("Lm", "Modifier_Letter", .modifierLetter), ("Lo", "Other_Letter", .otherLetter),
            ("Mn", "Nonspacing_Mark", .nonspacingMark), ("Mc", "Spacing_Mark", .spacingMark), ("Me", "Enclosing_Mark", .enclosingMark),
            ("Nd", "Decimal_Number", .decimalNumber), ("Nl", "Letter_Number", .letterNumber), ("No", "Other_Number", .otherNumber),
            ("Pc", "Connector_Punctuation", .connectorPunctuation), ("Pd", "Dash_Punctuation", .dashPunctuation),
            ("Ps", "Open_Punctuation", .openPunctuation), ("Pe", "Close_Punctuation", .closePunctuation),
            ("Pi", "Initial_Punctuation", .initialPunctuation), ("Pf", "Final_Punctuation", .finalPunctuation),
            ("Po", "Other_Punctuation", .otherPunctuation), ("Sm", "Math_Symbol", .mathSymbol), ("Sc", "Currency_Symbol", .currencySymbol),
            ("Sk", "Modifier_Symbol", .modifierSymbol), ("So", "Other_Symbol", .otherSymbol), ("Zs", "Space_Separator", .spaceSeparator),
            ("Zl", "Line_Separator", .lineSeparator), ("Zp", "Paragraph_Separator", .paragraphSeparator), ("Cc", "Control", .control),
            ("Cf", "Format", .format), ("Cs", "Surrogate", .surrogate), ("Co", "Private_Use", .privateUse), ("Cn", "Unassigned", .unassigned),
        ]
        var table: [String: Set<Unicode.GeneralCategory>] = ["digit": [.decimalNumber]]
        for (short, long, category) in single {
            table[short] = [category]
            table[long] = [category]
        }
        let groups: [(String, String, String)] = [
            ("L", "Letter", "Lu Ll Lt Lm Lo"), ("LC", "Cased_Letter", "Lu Ll Lt"), ("M", "Mark", "Mn Mc Me"), ("N", "Number", "Nd Nl No"),
            ("P", "Punctuation", "Pc Pd Ps Pe Pi Pf Po"), ("S", "Symbol", "Sm Sc Sk So"), ("Z", "Separator", "Zs Zl Zp"),
            ("C", "Other", "Cc Cf Cs Co Cn"),
        ]
        for (short, long, members) in groups {
            let set = Set(members.split(separator: " ").flatMap { table[String($0)]! })
            table[short] = set
            table[long] = set
        }
        return table
    }()
}

extension Unicode.Scalar {
    /// ECMA-262's LineTerminator: what `.` does not match.
    fileprivate var isLineTerminator: Bool { value == 0x0A || value == 0x0D || value == 0x2028 || value == 0x2029 }
    /// `\w` and `\b`: ASCII letters, digits and `_` only.
    fileprivate var isWordCharacter: Bool { ScalarClass.word.contains { $0.contains(value) } }
}
