/// The prefixes that tell the server's secrets apart: a person (and a secret scanner) sees what a leaked secret is.
public enum SecretPrefix {
    public static let apiKey = "gsk_"
    public static let agentKey = "gsa_"
    public static let provisioningToken = "gsp_"
    public static let invitation = "gsi_"
    public static let setupToken = "gss_"
    /// An extension invocation's API credential.
    public static let invocation = "gse_"
    /// An agent's grant to fetch one artifact for one invocation.
    public static let artifactGrant = "gsg_"
    /// Reaches one sandbox (the E2B-compatible API's `envdAccessToken`).
    public static let sandboxAccess = "gsx_"
}
