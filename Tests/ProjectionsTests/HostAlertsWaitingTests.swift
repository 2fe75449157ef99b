import EventStore
import Foundation
import Testing
@testable import Projections
@testable import Runtime

/// The published snapshot counts the alerts the host raised and has not appended yet,
/// so "the views cover the log and nothing is left to append" is one read
/// (`Engine.waitUntilIdle`, `/metrics`' `tacho_alert_events_waiting`). Read apart, an
/// idle check could see the outbox empty before a fold and the views at the log's end
/// after it, while the fold's alert was still on its way to the log.
@Suite struct HostAlertsWaitingTests {
    let directory = HostTestDirectory()

    /// The real log, whose appends of raised alerts wait until the test lets them go.
    final class HeldAlertsLog: HostLog {
        let log: EventLog
        let entered: AsyncStream<Void>
        private let enteredContinuation: AsyncStream<Void>.Continuation
        private let releases: AsyncStream<Void>
        private let releasesContinuation: AsyncStream<Void>.Continuation

        init(log: EventLog) {
            self.log = log
            (entered, enteredContinuation) = AsyncStream.makeStream()
            (releases, releasesContinuation) = AsyncStream.makeStream()
        }

        var highWaterMark: UInt64 { log.highWaterMark }
        func makeReader(fromOffset offset: UInt64) throws -> any HostLogReader { try log.makeReader(fromOffset: offset) }
        func follow(fromOffset offset: UInt64) throws -> any HostLogTail { try log.follow(fromOffset: offset) }

        /// Called by the host only, one call at a time.
        func appendEmitted(_ events: [Event]) async throws {
            enteredContinuation.yield()
            var iterator = releases.makeAsyncIterator()
            _ = await iterator.next()
            try await log.appendEmitted(events)
        }

        func release() { releasesContinuation.yield() }
    }

    @Test func aFoldedBatchsAlert_isCountedWaiting_untilTheLogHoldsIt() async throws {
        defer { directory.remove() }
        let log = try directory.openLog()
        let held = HeldAlertsLog(log: log)
        let host = try HostTest.Host(log: held, checkpoints: try directory.store(), options: HostTest.options())
        try await host.recover()
        #expect(host.snapshot().alertsWaiting == 0)
        let running = Task { try await host.run() }
        let updates = host.updates()
        var entered = held.entered.makeAsyncIterator()

        // The default rules raise an alert for an opened breaker.
        let opening = Event(timeNs: 1_700_000_000_000_000_000, body: .breaker(BreakerTransition(connection: "db", from: .closed, to: .open, failures: 5)))
        _ = try await log.append([opening])
        _ = await entered.next()
        let folded = host.snapshot()
        #expect(folded.nextOffset == log.highWaterMark, "the views cover the log...")
        #expect(folded.alertsWaiting == 1, "...and the alert the batch raised is not in it yet")

        held.release()
        try await HostTest.settle(log: log, host: host, updates: updates)
        let settled = host.snapshot()
        #expect(settled.alertsWaiting == 0)
        #expect(settled.nextOffset == 2)
        #expect(try HostTest.readAll(log).map(\.event.type) == [.breaker, .alert])
        try await log.close()
        try await running.value
    }
}
