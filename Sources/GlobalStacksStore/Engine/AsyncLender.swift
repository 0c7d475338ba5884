import NIOConcurrencyHelpers

/// Lends each of a few items (database connections) to one task at a time, in arrival order, without blocking a thread
/// while others wait.
final class AsyncLender<Item: Sendable>: Sendable {
    private struct State {
        var idle: [Item]
        var waiting: [CheckedContinuation<Item, Never>] = []
    }

    private let state: NIOLockedValueBox<State>

    init(_ items: [Item]) {
        precondition(!items.isEmpty, "nothing to lend")
        state = NIOLockedValueBox(State(idle: items))
    }

    func withItem<T: Sendable>(_ body: (Item) async throws -> T) async throws -> T {
        let item = await borrow()
        defer { giveBack(item) }
        return try await body(item)
    }

    private func borrow() async -> Item {
        await withCheckedContinuation { (continuation: CheckedContinuation<Item, Never>) in
            let item = state.withLockedValue { state -> Item? in
                guard let item = state.idle.popLast() else {
                    state.waiting.append(continuation)
                    return nil
                }
                return item
            }
            if let item { continuation.resume(returning: item) }
        }
    }

    private func giveBack(_ item: Item) {
        let next = state.withLockedValue { state -> CheckedContinuation<Item, Never>? in
            guard !state.waiting.isEmpty else {
                state.idle.append(item)
                return nil
            }
            return state.waiting.removeFirst()
        }
        next?.resume(returning: item)
    }
}
