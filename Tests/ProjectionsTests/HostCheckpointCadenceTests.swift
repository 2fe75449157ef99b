import EventStore
import Synchronization
import Testing
@testable import Projections
@testable import Runtime

/// A clock that moves only when told, so checkpoint intervals are tested without waiting.
final class ManualClock: Clock, Sendable {
    struct Instant: InstantProtocol {
        var offset: Duration
        func advanced(by duration: Duration) -> Instant { Instant(offset: offset + duration) }
        func duration(to other: Instant) -> Duration { other.offset - offset }
        static func < (lhs: Instant, rhs: Instant) -> Bool { lhs.offset < rhs.offset }
    }

    private let current = Mutex(Instant(offset: .zero))
    var now: Instant { current.withLock { $0 } }
    var minimumResolution: Duration { .nanoseconds(1) }

    func advance(by duration: Duration) {
        current.withLock { $0 = $0.advanced(by: duration) }
    }

    /// Returns once `advance` has moved the clock to `deadline`.
    func sleep(until deadline: Instant, tolerance: Duration?) async throws {
        while now < deadline {
            try Task.checkCancellation()
            await Task.yield()
        }
    }
}

@Suite struct HostCheckpointCadenceTests {
    let directory = HostTestDirectory()

    @Test func run_whenTheIntervalPasses_onTheInjectedClock_writesACheckpoint() async throws {
        defer { directory.remove() }
        var generator = ReplayEventGenerator(seed: 31)
        let log = try directory.openLog()
        var options = HostTest.options()
        options.checkpointInterval = .seconds(10)
        let clock = ManualClock()
        let host = try HostTest.Host(log: log, checkpoints: try directory.store(), options: options, clock: clock)
        try await host.recover()
        let running = Task { try await host.run() }

        try await HostTest.appendAndSettle(generator.events(100), log: log, host: host)
        #expect(await host.checkpointsWritten == 0)
        clock.advance(by: .seconds(11))
        try await HostTest.appendAndSettle(generator.events(100), log: log, host: host)
        #expect(await host.checkpointsWritten == 1)
        #expect(try directory.store().list().checkpoints.count == 1)
        try await log.close()
        try await running.value
    }

    @Test func run_everyNEvents_writesCheckpoints_andKeepsTheNewestFew() async throws {
        defer { directory.remove() }
        var generator = ReplayEventGenerator(seed: 32)
        let log = try directory.openLog()
        var options = HostTest.options(checkpointEveryEvents: 100)
        options.checkpointsKept = 2
        let host = try HostTest.Host(log: log, checkpoints: try directory.store(), options: options, clock: ManualClock())
        try await host.recover()
        let running = Task { try await host.run() }
        try await HostTest.appendAndSettle(generator.events(600), chunk: 50, log: log, host: host)
        let written = await host.checkpointsWritten
        #expect(written >= 4)
        let kept = try directory.store().list().checkpoints
        #expect(kept.count == 2)
        #expect(host.snapshot().lastCheckpoint?.nextOffset == kept.first?.nextOffset)
        try await log.close()
        try await running.value
    }

    @Test func updates_reachEverySubscriber_withTheBatchsEventTypes() async throws {
        defer { directory.remove() }
        let log = try directory.openLog()
        let host = try HostTest.Host(log: log, checkpoints: try directory.store(), options: HostTest.options(rules: .empty))
        try await host.recover()
        let first = host.updates()
        let second = host.updates()
        let running = Task { try await host.run() }
        let events = [
            Event(timeNs: 1_000, body: .op(Operation(name: "get", durationMs: 3, ok: true))),
            Event(timeNs: 2_000, body: .cache(CacheReport(cache: "c", hits: 1, misses: 1, evictions: 0, sizeBytes: 1, entries: 1, compressionRatio: 1, avgTTLms: 1))),
        ]
        _ = try await log.append(events)
        for stream in [first, second] {
            var iterator = stream.makeAsyncIterator()
            let update = await iterator.next()
            #expect(update == EngineUpdate(offset: 1, eventTypes: [.op, .cache]))
        }
        try await log.close()
        try await running.value
        var ended = first.makeAsyncIterator()
        while await ended.next() != nil {}
    }
}
