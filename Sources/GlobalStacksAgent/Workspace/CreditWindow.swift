import GlobalStacksAgentProtocol

/// Credit for one command's outgoing stream frames: a sender spends a frame's data length before writing it and
/// waits while the receiver has not given enough back, so a slow reader slows the writer instead of filling
/// memory. Closing it (the command was cancelled or its connection ended) ends every wait with an error.
actor CreditWindow {
    private var available: Int
    private let size: Int
    private var waiters: [(bytes: Int, continuation: CheckedContinuation<Void, any Error>)] = []
    private var closed = false

    init(bytes: Int = StreamFrame.initialWindowBytes) {
        available = bytes
        size = bytes
    }

    func spend(_ bytes: Int) async throws {
        guard !closed else { throw CancellationError() }
        if waiters.isEmpty && available >= bytes {
            available -= bytes
            return
        }
        try await withCheckedThrowingContinuation { continuation in
            waiters.append((bytes, continuation))
        }
    }

    /// Never more than the window: what the receiver gives beyond it is ignored.
    func grant(_ bytes: Int) {
        available = min(size, available + min(max(0, bytes), size))
        while let first = waiters.first, available >= first.bytes {
            available -= first.bytes
            waiters.removeFirst().continuation.resume()
        }
    }

    func close() {
        closed = true
        for waiter in waiters { waiter.continuation.resume(throwing: CancellationError()) }
        waiters.removeAll()
    }
}
