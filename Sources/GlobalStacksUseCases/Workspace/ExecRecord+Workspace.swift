import Foundation
import GlobalStacksDomain

extension ExecRecord {
    /// The history entry of an exec starting now.
    static func starting(_ request: ExecRequest, in sandbox: Sandbox, by user: UserID) -> ExecRecord {
        ExecRecord(
            id: .generate(), sandboxID: sandbox.id, userID: user, command: request.command, workingDirectory: request.workingDirectory,
            startedAt: Date(), outcome: nil
        )
    }
}

extension ExecOutcome {
    /// How an exec ended, as the agent reported it.
    init(_ result: ExecResult) {
        self.init(
            endedAt: Date(), exitCode: result.exitCode, signal: result.signal, timedOut: result.timedOut,
            durationMilliseconds: result.durationMilliseconds, error: nil
        )
    }

    /// An exec that could not run or whose end was not seen, with the words its caller got.
    static func failure(_ error: any Error) -> ExecOutcome {
        let words = (error as? DomainError)?.message ?? "\(error)"
        return ExecOutcome(endedAt: Date(), exitCode: nil, signal: nil, timedOut: false, durationMilliseconds: nil, error: String(words.prefix(1_000)))
    }
}
