import EventStore

/// The circuit breaker of one simulated connection: trips after `failureThreshold`
/// failures while closed, cools down open, probes half-open, and closes again once
/// the trouble is over.
struct DemoBreaker {
    static let failureThreshold: Int64 = 25
    static let openSeconds = 10
    static let halfOpenSeconds = 3
    /// Failures are counted over a fixed window while closed, so the background error
    /// rate never trips the breaker but a burst does within a second or two.
    static let failureWindowSeconds = 10

    private(set) var state: BreakerState = .closed
    private(set) var failures: Int64 = 0
    private var enteredSecond = 0

    /// Records an operation's outcome; returns the transition it caused, if any.
    mutating func record(ok: Bool, connection: String, second: Int) -> BreakerTransition? {
        guard state == .closed, !ok else { return nil }
        failures += 1
        guard failures >= Self.failureThreshold else { return nil }
        return move(to: .open, connection: connection, second: second, reason: "failure threshold of \(Self.failureThreshold) reached")
    }

    /// Advances time: an open breaker goes half-open after its cool-down, a half-open
    /// one closes if the trouble is over or opens again if not.
    mutating func tick(second: Int, troubled: Bool, connection: String) -> BreakerTransition? {
        switch state {
        case .closed:
            if second - enteredSecond >= Self.failureWindowSeconds {
                failures = 0
                enteredSecond = second
            }
            return nil
        case .open where second - enteredSecond >= Self.openSeconds:
            return move(to: .halfOpen, connection: connection, second: second, reason: "cool-down of \(Self.openSeconds) s elapsed")
        case .halfOpen where second - enteredSecond >= Self.halfOpenSeconds:
            if troubled {
                return move(to: .open, connection: connection, second: second, reason: "probe request failed")
            }
            let transition = move(to: .closed, connection: connection, second: second, reason: "probe requests succeeded")
            failures = 0
            return transition
        case .open, .halfOpen:
            return nil
        }
    }

    private mutating func move(to next: BreakerState, connection: String, second: Int, reason: String) -> BreakerTransition {
        let transition = BreakerTransition(connection: connection, from: state, to: next, failures: failures, reason: reason)
        state = next
        enteredSecond = second
        return transition
    }
}
