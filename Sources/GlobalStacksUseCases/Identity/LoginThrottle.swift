import Foundation
import GlobalStacksDomain
import Synchronization

/// Limits sign-in (and setup and sign-up) attempts per account and per client address, in this process.
/// An attempt is counted when it starts, so parallel guesses cannot slip past the limit while bcrypt runs.
/// Behind a reverse proxy every client shares the proxy's address; see docs/decisions.md.
public final class LoginThrottle: Sendable {
    private struct Window {
        var startedAt: Date
        var attempts: Int
    }

    private struct State {
        var accounts: [String: Window] = [:]
        var addresses: [String: Window] = [:]
    }

    private let state = Mutex(State())
    private let attemptsPerAccount: Int
    private let attemptsPerAddress: Int
    private let window: TimeInterval
    /// Bounds memory under a flood of distinct names or addresses.
    private let maxTrackedKeys = 100_000

    public init(attemptsPerWindow: Int, window: TimeInterval) {
        self.attemptsPerAccount = attemptsPerWindow
        self.attemptsPerAddress = attemptsPerWindow * 4
        self.window = window
    }

    /// Counts an attempt, or throws 429 with the seconds to wait when the account or address is locked out.
    public func beginAttempt(account: String, address: String, at now: Date) throws {
        try state.withLock { state in
            if state.accounts.count + state.addresses.count > maxTrackedKeys {
                prune(&state, at: now)
                // Still full of live windows (a flood of distinct names): start over rather than grow without bound.
                if state.accounts.count + state.addresses.count > maxTrackedKeys { state = State() }
            }
            let accountWait = wait(state.accounts[account], limit: attemptsPerAccount, at: now)
            let addressWait = wait(state.addresses[address], limit: attemptsPerAddress, at: now)
            if let seconds = [accountWait, addressWait].compactMap({ $0 }).max() {
                throw DomainError(.tooManyRequests(retryAfterSeconds: seconds),
                                  "Too many sign-in attempts; try again in \(seconds) seconds.")
            }
            count(&state.accounts, key: account, at: now)
            count(&state.addresses, key: address, at: now)
        }
    }

    /// A successful sign-in clears the account's count (not the address's).
    public func succeeded(account: String) {
        state.withLock { _ = $0.accounts.removeValue(forKey: account) }
    }

    private func wait(_ entry: Window?, limit: Int, at now: Date) -> Int? {
        guard let entry, now.timeIntervalSince(entry.startedAt) < window, entry.attempts >= limit else { return nil }
        return max(1, Int((window - now.timeIntervalSince(entry.startedAt)).rounded(.up)))
    }

    private func count(_ windows: inout [String: Window], key: String, at now: Date) {
        if let entry = windows[key], now.timeIntervalSince(entry.startedAt) < window {
            windows[key]?.attempts = entry.attempts + 1
        } else {
            windows[key] = Window(startedAt: now, attempts: 1)
        }
    }

    private func prune(_ state: inout State, at now: Date) {
        state.accounts = state.accounts.filter { now.timeIntervalSince($0.value.startedAt) < window }
        state.addresses = state.addresses.filter { now.timeIntervalSince($0.value.startedAt) < window }
    }
}
