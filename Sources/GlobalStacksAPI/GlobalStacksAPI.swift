// The `Components`, `Operations` and `APIProtocol` types of this module are generated at build time by
// swift-openapi-generator from `openapi.yaml`: the shared public contract, unchanged, plus our additions.
