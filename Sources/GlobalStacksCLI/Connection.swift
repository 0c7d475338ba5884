import ArgumentParser
import Foundation
import GlobalStacksClient
import OpenAPIRuntime

/// Which context a command uses (`--context`, else `GSTACKS_CONTEXT`, else the current one).
public struct ContextOptions: ParsableArguments {
    @Option(name: .customLong("context"), help: "The context to use (default: GSTACKS_CONTEXT, else the current one).")
    public var name: String?

    public init() {}

    /// The typed client of the selected context, signed in with its session.
    func client() throws -> (GlobalStacksClient, name: String, context: CLIContext) {
        let (name, context) = try ContextFile.load().selected(name)
        guard let url = URL(string: context.server) else { throw CLIError(.failure, "Context '\(name)' has no valid server address.") }
        return (GlobalStacksClient(serverURL: url, credential: .session(context.session)), name, context)
    }
}

/// Runs a command's work and turns every failure into a message on standard error and an exit code: the server's
/// own message for refusals (in the CLI's words where `CLIAdvice` knows it), which server could not be reached and
/// why for transport failures, never a stack trace and never the request (it may hold a password or a token).
func runCommand(_ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch let error as CLIError {
        throw fail(error)
    } catch let error as GlobalStacksClientError where error.status == 401 {
        let advice = CLIAdvice.message(for: error.message)
        throw fail(CLIError(.notSignedIn, advice != error.message ? advice : "\(error.message) Sign in again with `gstacks login`."))
    } catch let error as GlobalStacksClientError {
        throw fail(CLIError(.failure, CLIAdvice.message(for: error.message)))
    } catch let error as GlobalStacksTransportError {
        throw fail(CLIError(.failure, error.description))
    } catch let error as ClientError {
        // The facade lets none out; its description is the whole request, so it is never what is shown.
        throw fail(CLIError(.failure, "\(error.operationID) failed: \(error.causeDescription)"))
    } catch let error as ExitCode {
        throw error
    } catch {
        throw fail(CLIError(.failure, "\(error)"))
    }
}

private func fail(_ error: CLIError) -> ExitCode {
    FileHandle.standardError.write(Data("error: \(error.message)\n".utf8))
    return ExitCode(error.code.rawValue)
}
