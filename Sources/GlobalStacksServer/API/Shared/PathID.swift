import GlobalStacksDomain

/// An id from the request path; anything that cannot be an id is simply not found (before any database read).
func pathID<Entity>(_ value: String, _ what: String) throws -> Identifier<Entity> {
    guard let id = Identifier<Entity>(path: value) else {
        throw DomainError.notFound("No \(what) '\(value.prefix(64))'.")
    }
    return id
}
