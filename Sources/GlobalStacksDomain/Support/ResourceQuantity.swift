import Foundation

/// CPU in millicores, written the Kubernetes way: `4000m`, `2` or `0.5` (cores).
public struct CPUQuantity: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let millicores: Int64

    public init(millicores: Int64) {
        self.millicores = millicores
    }

    public init(parsing text: String) throws {
        if text.hasSuffix("m") {
            guard let value = Int64(text.dropLast()), (0...Self.maximumMillicores).contains(value) else { throw Self.invalid(text) }
            millicores = value
            return
        }
        guard let cores = Decimal(string: text, locale: Locale(identifier: "en_US_POSIX")), cores >= 0, cores * 1000 <= Decimal(Self.maximumMillicores),
              text.allSatisfy({ $0.isNumber || $0 == "." }) else { throw Self.invalid(text) }
        let milli = NSDecimalNumber(decimal: cores * 1000)
        guard milli.doubleValue == milli.doubleValue.rounded() else {
            throw DomainError.invalidInput("CPU '\(text)' is finer than one millicore.")
        }
        millicores = milli.int64Value
    }

    private static func invalid(_ text: String) -> DomainError {
        DomainError.invalidInput("CPU '\(text.prefix(32))' is not a quantity; use millicores like 500m or cores like 2.")
    }

    /// A million cores: far above any host, far below overflow when many are added up.
    public static let maximumMillicores: Int64 = 1_000_000_000

    public var description: String { "\(millicores)m" }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.millicores < rhs.millicores }
    /// Saturating: sums of stored values can never trap.
    public static func + (lhs: Self, rhs: Self) -> Self {
        let (sum, overflow) = lhs.millicores.addingReportingOverflow(rhs.millicores)
        return Self(millicores: overflow ? .max : sum)
    }
    public static let zero = Self(millicores: 0)
}

/// Memory or storage in bytes, written the Kubernetes way: `8Gi`, `512Mi`, `1G`, `1.5Gi` or `1048576`.
public struct ByteQuantity: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let bytes: Int64

    public init(bytes: Int64) {
        self.bytes = bytes
    }

    private static let binary: [(String, Int64)] = [("Ei", 1 << 60), ("Pi", 1 << 50), ("Ti", 1 << 40), ("Gi", 1 << 30), ("Mi", 1 << 20), ("Ki", 1 << 10)]
    private static let decimal: [(String, Int64)] = [("E", 1_000_000_000_000_000_000), ("P", 1_000_000_000_000_000), ("T", 1_000_000_000_000), ("G", 1_000_000_000), ("M", 1_000_000), ("k", 1_000)]

    public init(parsing text: String) throws {
        var number = Substring(text)
        var multiplier: Int64 = 1
        for (suffix, factor) in Self.binary + Self.decimal where text.hasSuffix(suffix) {
            number = text.dropLast(suffix.count)
            multiplier = factor
            break
        }
        guard !number.isEmpty, number.allSatisfy({ $0.isNumber || $0 == "." }),
              let value = Decimal(string: String(number), locale: Locale(identifier: "en_US_POSIX")) else {
            throw DomainError.invalidInput("'\(text.prefix(32))' is not a size; use a number with a unit like 512Mi, 8Gi or 1G.")
        }
        let total = value * Decimal(multiplier)
        guard total <= Decimal(Self.maximumBytes) else {
            throw DomainError.invalidInput("'\(text.prefix(32))' is too large.")
        }
        let rounded = NSDecimalNumber(decimal: total)
        guard rounded.doubleValue == rounded.doubleValue.rounded() else {
            throw DomainError.invalidInput("'\(text.prefix(32))' is not a whole number of bytes.")
        }
        bytes = rounded.int64Value
    }

    /// The largest binary unit that divides the value exactly (`8Gi`, `1536Mi`), else plain bytes.
    public var description: String {
        for (suffix, factor) in Self.binary where bytes != 0 && bytes % factor == 0 {
            return "\(bytes / factor)\(suffix)"
        }
        return "\(bytes)"
    }

    /// 1 EiB: far above any host, far below overflow when many are added up.
    public static let maximumBytes: Int64 = 1 << 60

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.bytes < rhs.bytes }
    /// Saturating: sums of stored values can never trap.
    public static func + (lhs: Self, rhs: Self) -> Self {
        let (sum, overflow) = lhs.bytes.addingReportingOverflow(rhs.bytes)
        return Self(bytes: overflow ? .max : sum)
    }
    public static let zero = Self(bytes: 0)
}
