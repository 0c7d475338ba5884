import Testing
@testable import GlobalStacksServer

@Suite("Start-up gate")
struct StartupGateTests {
    /// Services waiting before start-up ends all go on when it does; later ones go through at once; a service stopped
    /// while it waits returns instead of hanging the shutdown.
    @Test(.timeLimit(.minutes(1))) func theGateHoldsEveryServiceUntilItOpens() async throws {
        let gate = StartupGate()
        let through = Counter()
        let waiters = (0..<5).map { _ in Task { await gate.wait(); await through.increment() } }
        let stopped = Task { await gate.wait(); return Task.isCancelled }
        try await Task.sleep(for: .milliseconds(100))
        #expect(await through.value == 0, "nothing passes before the gate opens")
        stopped.cancel()
        #expect(await stopped.value, "a cancelled wait returns")
        gate.open()
        for waiter in waiters { await waiter.value }
        #expect(await through.value == 5)
        await gate.wait()
    }

    actor Counter {
        var value = 0
        func increment() { value += 1 }
    }
}
