import Foundation
import PostgresNIO

/// Reads `postgres://user:password@host:port/database?sslmode=…` into a client configuration.
enum PostgresURL {
    static func clientConfiguration(from text: String) throws -> PostgresClient.Configuration {
        guard let url = URLComponents(string: text), let scheme = url.scheme,
              ["postgres", "postgresql"].contains(scheme), let host = url.host, !host.isEmpty
        else {
            throw StoreError.invalidConfiguration("The database URL must look like postgres://user:password@host:5432/database.")
        }
        let user = url.user.flatMap { $0.removingPercentEncoding } ?? "postgres"
        let password = url.password.flatMap { $0.removingPercentEncoding }
        let database = url.path.isEmpty ? nil : String(url.path.dropFirst())
        let sslMode = url.queryItems?.first(where: { $0.name == "sslmode" })?.value ?? "prefer"
        let tls: PostgresClient.Configuration.TLS
        switch sslMode {
        case "disable": tls = .disable
        case "require", "verify-full": tls = .require(.makeClientConfiguration())
        case "prefer", "allow": tls = .prefer(.makeClientConfiguration())
        default:
            throw StoreError.invalidConfiguration("Unsupported sslmode '\(sslMode)'; use disable, prefer or require.")
        }
        return PostgresClient.Configuration(
            host: host, port: url.port ?? 5432, username: user, password: password, database: database, tls: tls
        )
    }
}
