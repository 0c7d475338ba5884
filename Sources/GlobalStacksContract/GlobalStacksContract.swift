// The `Components` and `Operations` types of this module are generated at build time by swift-openapi-generator from
// `openapi.yaml`: the shared public contract plus our additions, with its closed allOfs merged. The server stubs
// (GlobalStacksAPI) and the client (GlobalStacksClient) are generated on these types, so the contract is compiled once.
