import Foundation
import GlobalStacksDomain
import SQLKit

/// Typed column reads shared by every table decoder.
extension SQLRow {
    func string(_ column: String) throws -> String {
        try decode(column: column, as: String.self)
    }

    func optionalString(_ column: String) throws -> String? {
        try decode(column: column, as: String?.self)
    }

    func date(_ column: String) throws -> Date {
        Timestamp.date(try decode(column: column, as: Int64.self))
    }

    func optionalDate(_ column: String) throws -> Date? {
        try decode(column: column, as: Int64?.self).map(Timestamp.date)
    }

    func int(_ column: String) throws -> Int {
        try decode(column: column, as: Int.self)
    }

    func identifier<Entity>(_ column: String) throws -> Identifier<Entity> {
        Identifier(rawValue: try string(column))
    }

    func optionalIdentifier<Entity>(_ column: String) throws -> Identifier<Entity>? {
        try optionalString(column).map(Identifier.init(rawValue:))
    }

    /// A stored enum value; an unknown value means the row was written by something else.
    func enumValue<Value: RawRepresentable>(_ column: String, as type: Value.Type = Value.self) throws -> Value where Value.RawValue == String {
        let raw = try string(column)
        guard let value = Value(rawValue: raw) else {
            throw StoreError.corruptRow("\(column) = '\(raw)'")
        }
        return value
    }

    func slug(_ column: String) throws -> Slug {
        let raw = try string(column)
        guard let slug = Slug(rawValue: raw) else { throw StoreError.corruptRow("\(column) = '\(raw)'") }
        return slug
    }
}
