/// Domain values in the shape of the API contract: one extension per area, beside the area's handler
/// (`API/<Area>/APIMapping+<Area>.swift`).
enum APIMapping {}
