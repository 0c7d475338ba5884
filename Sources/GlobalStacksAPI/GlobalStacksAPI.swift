// The `APIProtocol` of this module and its registration are generated at build time by swift-openapi-generator from
// `openapi.yaml` (the shared public contract, unchanged, plus our additions), on the types of GlobalStacksContract.
