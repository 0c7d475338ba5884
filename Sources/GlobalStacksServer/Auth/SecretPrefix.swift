/// The prefixes that tell the server's secrets apart: a person (and a secret scanner) sees what a leaked secret is.
enum SecretPrefix {
    static let apiKey = "gsk_"
    static let agentKey = "gsa_"
    static let provisioningToken = "gsp_"
    static let invitation = "gsi_"
    static let setupToken = "gss_"
    /// An extension invocation's API credential.
    static let invocation = "gse_"
    /// An agent's grant to fetch one artifact for one invocation.
    static let artifactGrant = "gsg_"
}
