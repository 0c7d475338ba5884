import Hummingbird

/// The session cookie every edge sets and clears the same way: `HttpOnly`, `SameSite=Lax`, `Secure` behind TLS.
enum SessionCookie {
    static let name = "globalstacks_session"

    static func set(_ token: String, maxAge: Int, secure: Bool) -> Cookie {
        Cookie(name: name, value: token, maxAge: maxAge, path: "/", secure: secure, httpOnly: true, sameSite: .lax)
    }

    static func cleared(secure: Bool) -> Cookie { set("", maxAge: 0, secure: secure) }
}
