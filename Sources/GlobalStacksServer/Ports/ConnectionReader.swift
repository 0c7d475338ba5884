import GlobalStacksDomain
import GlobalStacksUseCases

/// What a sandbox port sends, read by pulling: the connection's output is handed over one chunk at a time, and the
/// agent's credit comes back only as chunks are taken, so a slow client slows the sandbox's server instead of
/// filling memory.
actor ConnectionReader {
    enum Piece: Sendable {
        case bytes([UInt8])
        case stderr([UInt8])
        case ended(ExecResult?, (any Error)?)
    }

    private var waiting: CheckedContinuation<Piece, Never>?
    private var offered: (piece: Piece, taken: CheckedContinuation<Void, Never>)?
    private var finished: Piece?

    init(_ connection: any InteractiveExec) {
        Task {
            do {
                let result = try await connection.forwardOutput { channel, bytes in
                    await self.offer(channel == .stdout ? .bytes(bytes) : .stderr(bytes))
                }
                await self.finish(.ended(result, nil))
            } catch {
                await self.finish(.ended(nil, error))
            }
        }
    }

    /// The next piece; `.ended` once the connection ended (and every time after).
    func next() async -> Piece {
        if let offered {
            self.offered = nil
            offered.taken.resume()
            return offered.piece
        }
        if let finished { return finished }
        return await withCheckedContinuation { waiting = $0 }
    }

    private func offer(_ piece: Piece) async {
        if let waiting {
            self.waiting = nil
            waiting.resume(returning: piece)
            return
        }
        await withCheckedContinuation { offered = (piece, $0) }
    }

    private func finish(_ piece: Piece) {
        finished = piece
        if let waiting {
            self.waiting = nil
            waiting.resume(returning: piece)
        }
    }
}
