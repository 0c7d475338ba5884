/// Why the server will not start, in one sentence a person can act on; `gstacks server` logs it and exits 1.
public struct StartupRefusal: Error, CustomStringConvertible {
    public let description: String

    init(_ description: String) {
        self.description = description
    }
}
