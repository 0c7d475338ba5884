import Foundation
import GlobalStacksDomain
import Hummingbird

/// A posted `application/x-www-form-urlencoded` form, read under a limit of its own.
struct ConsoleForm {
    static let maximumBytes = 64 * 1024

    private let fields: [String: String]

    init(fields: [String: String]) {
        self.fields = fields
    }

    static func read(_ request: Request) async throws -> ConsoleForm {
        let contentType = request.headers[.contentType]?.lowercased() ?? ""
        guard contentType.hasPrefix("application/x-www-form-urlencoded") else {
            throw DomainError.invalidInput("Send the form as application/x-www-form-urlencoded.")
        }
        let body = try await request.body.collect(upTo: maximumBytes)
        let text = String(buffer: body)
        guard !text.isEmpty else { return ConsoleForm(fields: [:]) }
        do {
            return ConsoleForm(fields: try URLEncodedFormDecoder().decode([String: String].self, from: text))
        } catch {
            throw DomainError.invalidInput("The form could not be read; reload the page and try again.")
        }
    }

    subscript(_ name: String) -> String? {
        fields[name].map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.flatMap { $0.isEmpty ? nil : $0 }
    }

    /// The password as typed (no trimming).
    func raw(_ name: String) -> String? { fields[name] }

    var csrfToken: String? { fields[ConsoleCSRF.fieldName] }
}

/// The contract's 422: a form field that is missing or not what the route takes.
struct UnprocessableForm: Error {
    let message: String
}
