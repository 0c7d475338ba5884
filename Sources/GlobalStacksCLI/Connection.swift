import ArgumentParser
import Foundation
import GlobalStacksClient
import OpenAPIRuntime

/// Which context a command uses (`--context`, else `GSTACKS_CONTEXT`, else the current one).
public struct ContextOptions: ParsableArguments, Sendable {
    @Option(name: .customLong("context"), help: "The context to use (default: GSTACKS_CONTEXT, else the current one).")
    public var name: String?

    public init() {}

    /// The typed client of the selected context, signed in with its session; a request that has no answer within
    /// `timeout` fails (a call that waits for a command gives the command's own time and some).
    func client(timeout: Duration = .seconds(30)) throws -> (GlobalStacksClient, name: String, context: CLIContext) {
        let (name, context) = try ContextFile.load().selected(name)
        guard let url = URL(string: context.server) else { throw CLIError(.failure, "Context '\(name)' has no valid server address.") }
        return (GlobalStacksClient(serverURL: url, credential: .session(context.session), timeout: timeout), name, context)
    }
}

/// Runs a command's work and turns every failure into a message on standard error and an exit code (`CLIError(describing:)`).
func runCommand(_ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch let error as ExitCode {
        throw error
    } catch {
        throw fail(CLIError(describing: error))
    }
}

extension CLIError {
    /// A failure in the CLI's words: the server's own message for refusals (in the CLI's words where `CLIAdvice` knows
    /// it), which server could not be reached and why for transport failures, never a stack trace and never the
    /// request (it may hold a password or a token). `gstacks mcp` returns the same message as a tool error.
    init(describing error: any Error) {
        switch error {
        case let error as CLIError:
            self = error
        case let error as GlobalStacksClientError where error.status == 401:
            let advice = CLIAdvice.message(for: error.message)
            self.init(.notSignedIn, advice != error.message ? advice : "\(error.message) Sign in again with `gstacks login`.")
        case let error as GlobalStacksClientError:
            self.init(.failure, CLIAdvice.message(for: error.message))
        case let error as GlobalStacksTransportError:
            self.init(.failure, error.description)
        case let error as ClientError:
            // The facade lets none out; its description is the whole request, so it is never what is shown.
            self.init(.failure, "\(error.operationID) failed: \(error.causeDescription)")
        default:
            self.init(.failure, "\(error)")
        }
    }
}

private func fail(_ error: CLIError) -> ExitCode {
    FileHandle.standardError.write(Data("error: \(error.message)\n".utf8))
    return ExitCode(error.code.rawValue)
}
