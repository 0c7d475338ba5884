import Foundation
import GlobalStacksDomain
import SQLKit

extension SQLStore: DeviceLoginAuthority {
    private static let deviceLoginColumns = """
        id, provider, sealed_device_code, user_code, verification_uri, verification_uri_complete, expires_at, interval_seconds, next_poll_at,
        status, message, user_id
        """

    public func createDeviceLogin(_ login: DeviceLogin, tokenHash: String, at now: Date) async throws {
        try await engine.transaction { database in
            try await database.raw("""
                INSERT INTO device_logins (id, token_hash, provider, sealed_device_code, user_code, verification_uri, verification_uri_complete,
                                           expires_at, interval_seconds, next_poll_at, status, created_at)
                VALUES (\(bind: login.id), \(bind: tokenHash), \(bind: login.provider), \(bind: login.sealedDeviceCode), \(bind: login.userCode),
                        \(bind: login.verificationURI), \(bind: login.verificationURIComplete), \(bind: login.expiresAt.storedMilliseconds),
                        \(bind: login.interval), \(bind: login.nextPollAt.storedMilliseconds), \(bind: login.status.rawValue), \(bind: now.storedMilliseconds))
                """).run()
        }
    }

    public func deviceLogin(tokenHash: String) async throws -> DeviceLogin? {
        try await engine.read { database in
            try await database.raw("""
                SELECT \(unsafeRaw: Self.deviceLoginColumns) FROM device_logins WHERE token_hash = \(bind: tokenHash) AND consumed_at IS NULL
                """).first()?.deviceLogin()
        }
    }

    public func updateDeviceLogin(_ login: DeviceLogin) async throws {
        try await engine.transaction { database in
            try await database.raw("""
                UPDATE device_logins SET status = \(bind: login.status.rawValue), message = \(bind: login.message),
                    interval_seconds = \(bind: login.interval), next_poll_at = \(bind: login.nextPollAt.storedMilliseconds),
                    user_id = \(bind: login.userID?.rawValue)
                WHERE id = \(bind: login.id) AND status = 'pending'
                """).run()
        }
    }

    public func consumeDeviceLogin(tokenHash: String, at now: Date) async throws -> UserID? {
        try await engine.transaction { database in
            try await database.raw("""
                UPDATE device_logins SET consumed_at = \(bind: now.storedMilliseconds)
                WHERE token_hash = \(bind: tokenHash) AND status = 'approved' AND consumed_at IS NULL AND expires_at > \(bind: now.storedMilliseconds)
                RETURNING user_id
                """).first()?.optionalIdentifier("user_id")
        }
    }

    public func pruneDeviceLogins(before cutoff: Date) async throws {
        try await engine.transaction { database in
            try await database.raw("DELETE FROM device_logins WHERE expires_at < \(bind: cutoff.storedMilliseconds)").run()
        }
    }

    public func user(provider: String, subject: String) async throws -> User? {
        try await engine.read { database in
            try await database.raw("""
                SELECT \(unsafeRaw: Columns.user) FROM user_identities i JOIN users u ON u.id = i.user_id
                WHERE i.provider = \(bind: provider) AND i.subject = \(bind: subject)
                """).first()?.user()
        }
    }

    public func linkIdentity(provider: String, subject: String, to user: UserID, at now: Date) async throws {
        try await engine.transaction { database in
            try await database.raw("""
                INSERT INTO user_identities (provider, subject, user_id, created_at)
                VALUES (\(bind: provider), \(bind: subject), \(bind: user.rawValue), \(bind: now.storedMilliseconds))
                ON CONFLICT (provider, subject) DO NOTHING
                """).run()
        }
    }

    public func user(id: UserID) async throws -> User? {
        try await engine.read { database in
            try await database.raw("SELECT \(unsafeRaw: Columns.user) FROM users u WHERE u.id = \(bind: id.rawValue)").first()?.user()
        }
    }
}

extension SQLRow {
    func deviceLogin() throws -> DeviceLogin {
        DeviceLogin(
            id: try string("id"), provider: try string("provider"), userCode: try string("user_code"), verificationURI: try string("verification_uri"),
            verificationURIComplete: try optionalString("verification_uri_complete"), expiresAt: try date("expires_at"),
            interval: try int("interval_seconds"), nextPollAt: try date("next_poll_at"), status: try enumValue("status"),
            message: try optionalString("message"), userID: try optionalIdentifier("user_id"), sealedDeviceCode: try string("sealed_device_code")
        )
    }
}
