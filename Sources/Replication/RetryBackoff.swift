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

/// A run of failures that may last `waitMs` at most (`tacho restore`, which must end):
/// each failure waits the backoff's delay; one past the bound is thrown.
struct BoundedOutage {
    let waitMs: Int
    private var backoff = RetryBackoff()
    private var startedAt: ContinuousClock.Instant?

    init(waitMs: Int) {
        self.waitMs = waitMs
    }

    /// Whether the next failure starts the outage.
    var isFirstFailure: Bool { startedAt == nil }

    /// After a call that succeeded: the next failure starts a new outage.
    mutating func succeeded() {
        startedAt = nil
        _ = backoff.succeeded()
    }

    /// After a call that failed: throws `error` once the outage has lasted `waitMs`,
    /// otherwise waits before the retry.
    mutating func failed(_ error: any Error) async throws {
        let now = ContinuousClock.now
        let start = startedAt ?? now
        startedAt = start
        if now - start >= .milliseconds(waitMs) { throw error }
        await backoff.wait()
        try Task.checkCancellation()
    }
}
