/// The retry state of a loop that talks to NATS (the publisher, the follower): the
/// wait before the next try, doubling from 250 ms up to 2 s while calls fail, and
/// whether an outage is on, so that its start and end are each logged once.
struct RetryBackoff {
    static let firstDelayMs = 250
    static let delayMsMax = 2000

    private(set) var delayMs = firstDelayMs
    private(set) var failing = false

    /// After a call that succeeded; true when it ended an outage.
    mutating func succeeded() -> Bool {
        defer {
            failing = false
            delayMs = Self.firstDelayMs
        }
        return failing
    }

    /// After a call that failed; true when it started an outage.
    mutating func failed() -> Bool {
        defer { failing = true }
        return !failing
    }

    /// Waits the current delay (cancellation ends it early), then doubles it up to the maximum.
    mutating func wait() async {
        try? await Task.sleep(for: .milliseconds(delayMs))
        delayMs = min(delayMs * 2, Self.delayMsMax)
    }
}
