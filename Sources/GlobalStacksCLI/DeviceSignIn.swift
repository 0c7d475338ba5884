import Foundation
import GlobalStacksClient
import GlobalStacksContract

/// `gstacks login --oidc`: the device-code sign-in as a person sees it. It shows the code and where to enter it,
/// waits (a spinner on a terminal) polling the server at the interval it gives, and finishes the sign-in once
/// approved; denial and expiry end it with the server's words. Ctrl-C stops waiting.
struct DeviceSignIn {
    let server: URL
    let provider: String?

    /// The new session and the account's email.
    func run() async throws -> (session: String, user: String) {
        let client = GlobalStacksClient(serverURL: server)
        let chosen = try await providerName(client)
        let started = try await client.beginDeviceLogin(provider: chosen)
        let address = started.verificationUriComplete ?? started.verificationUri
        Self.say("To sign in with \(chosen), open \(started.verificationUri) and enter the code \(started.userCode)")
        if started.verificationUriComplete != nil { Self.say("(or open \(address) directly)") }
        let spinner = Spinner()
        defer { spinner.stop() }
        var interval = max(1, started.interval)
        while true {
            try await Task.sleep(for: .seconds(interval))
            let status = try await client.pollDeviceLogin(token: started.token)
            interval = max(1, status.interval)
            switch status.status {
            case .pending:
                spinner.tick("Waiting for approval at \(chosen)… (code \(started.userCode))")
            case .approved:
                spinner.stop()
                let (signedIn, session) = try await client.finishDeviceLogin(provider: chosen, token: started.token)
                guard case .session(let cookie) = signedIn.credential else { throw CLIError(.failure, "The server set no session.") }
                return (cookie, session.user?.email ?? "unknown")
            case .denied, .expired:
                spinner.stop()
                throw CLIError(.failure, status.message ?? "The sign-in was \(status.status.rawValue).")
            }
        }
    }

    private func providerName(_ client: GlobalStacksClient) async throws -> String {
        if let provider { return provider }
        let providers = try await client.signInProviders()
        guard providers.count == 1, let only = providers.first else {
            throw CLIError(.usage, providers.isEmpty
                ? "This server signs in with passwords only."
                : "Choose a provider with --provider: \(providers.map(\.name).joined(separator: ", ")).")
        }
        return only.name
    }

    static func say(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }
}

/// A one-line spinner on standard error, only when it is a terminal.
final class Spinner: @unchecked Sendable {
    private let frames = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"]
    private var index = 0
    private var shown = false
    private let enabled = isatty(STDERR_FILENO) == 1

    func tick(_ text: String) {
        guard enabled else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K\(frames[index % frames.count]) \(text)".utf8))
        index += 1
        shown = true
    }

    func stop() {
        guard shown else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
        shown = false
    }
}
