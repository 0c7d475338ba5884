import Foundation
import OpenAPIRuntime

/// Dates in the API as RFC 3339 with milliseconds (`2026-11-23T16:41:00.123Z`), the precision the store keeps,
/// so that sub-second orderings (a command's `sentAt` and `acknowledgedAt`) stay visible. Requests may send
/// dates with or without fractional seconds.
struct MillisecondDateTranscoder: DateTranscoder {
    private static let withMilliseconds = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
    private static let withoutFraction = Date.ISO8601FormatStyle()

    func encode(_ date: Date) throws -> String {
        date.formatted(Self.withMilliseconds)
    }

    func decode(_ text: String) throws -> Date {
        if let date = try? Self.withMilliseconds.parse(text) { return date }
        return try Self.withoutFraction.parse(text)
    }
}
