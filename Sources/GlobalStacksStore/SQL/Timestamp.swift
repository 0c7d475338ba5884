import Foundation

/// Times are stored as whole milliseconds since 1970 on both engines.
struct Timestamp {
    let milliseconds: Int64

    init(_ date: Date) {
        self.milliseconds = Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
    }

    static func date(_ milliseconds: Int64) -> Date {
        Date(timeIntervalSince1970: Double(milliseconds) / 1000)
    }
}

extension Date {
    /// The value stored in a BIGINT time column.
    var storedMilliseconds: Int64 { Timestamp(self).milliseconds }

    /// This date as the store keeps it (millisecond precision), so values compare equal after a round trip.
    public var truncatedToStoredPrecision: Date { Timestamp.date(storedMilliseconds) }
}

extension Optional where Wrapped == Date {
    var storedMilliseconds: Int64? { self?.storedMilliseconds }
}
