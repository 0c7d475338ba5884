/// The operations of `openapi.yaml` that anonymous callers may reach. Every other operation is refused with 401 by
/// `AuthenticationMiddleware` before its handler runs; `AuthenticationAccountingTests` walks the whole document and
/// fails when an operation is reachable anonymously without being listed here.
enum AnonymousOperations {
    static let ids: Set<String> = [
        "createSession",   // password sign-in, and finishing a device-code sign-in
        "listSignInProviders", // which identity providers a sign-in may use
        "beginDeviceLogin",    // OIDC device code: begin (the provider authenticates the person)
        "pollDeviceLogin",     // ... and poll, with the secret the beginning returned
        "completeSetup",   // the first admin, with the one-time setup token
        "signUp",          // self sign-up, when the server allows it
        "registerAgent",   // a host enrolling with its provisioning token
        "rotateAgentKey",  // an agent, with its current key
    ]
}
