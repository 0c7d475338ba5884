/// Password hashing (bcrypt), a port: the server implements it on a thread pool of its own, the use cases only ask.
public protocol PasswordHashing: Sendable {
    func hash(_ password: String) async throws -> String
    /// Whether `password` matches `stored`. A missing account (nil) or a stored hash that is not a password's matches
    /// nothing, in the time a real comparison takes, so a miss cannot be told from a wrong password by timing.
    func verify(_ password: String, against stored: String?) async throws -> Bool
}
