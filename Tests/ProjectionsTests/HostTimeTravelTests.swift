import EventStore
import Foundation
import Testing
@testable import Projections
@testable import Runtime

@Suite struct HostTimeTravelTests {
    let directory = HostTestDirectory()

    /// The event-time contract (DESIGN.md): `?at=T` is the fold, in log order, of every
    /// event whose time is at or before T, wherever it sits in the log. Streams with
    /// shuffled, late (by up to a day) and duplicate times, appended live in chunks.
    @Test(arguments: [3 as UInt64, 77, 2026])
    func viewsAt_T_equalAFreshFoldOfEveryEventAtOrBeforeT_forShuffledLateAndDuplicateTimes(seed: UInt64) async throws {
        defer { directory.remove() }
        var generator = ReplayEventGenerator(seed: seed)
        let log = try directory.openLog()
        var options = HostTest.options(checkpointEveryEvents: 400)
        options.timeTravelCacheEveryEvents = 150
        let host = try HostTest.Host(log: log, checkpoints: try directory.store(), options: options)
        try await host.recover()
        let running = Task { try await host.run() }

        var events = generator.events(1_500)
        let dayNs: Int64 = 86_400 * 1_000_000_000
        for index in events.indices {
            switch generator.below(20) {
            case 0: events[index].timeNs -= Int64(generator.below(86_400)) * 1_000_000_000  // late, by up to a day
            case 1: events[index].timeNs = events[generator.below(events.count)].timeNs  // a duplicate time
            case 2: events[index].timeNs += dayNs  // a producer a day ahead
            default: break
            }
        }
        try await HostTest.appendAndSettle(events, chunk: 61, log: log, host: host)
        let logged = try HostTest.readAll(log)

        func freshFold(atOrBefore timeNs: Int64) -> ProjectionSet {
            var views = ProjectionSet()
            for item in logged where item.event.timeNs <= timeNs { views.apply(item.event, offset: item.offset) }
            return views
        }
        var probes = (0..<12).map { _ in logged[generator.below(logged.count)].event.timeNs }
        probes += [logged.map(\.event.timeNs).min()! - 1, logged.map(\.event.timeNs).max()!, .max]
        for timeNs in probes {
            let answer = try await host.views(atNs: timeNs)
            #expect(answer.views == freshFold(atOrBefore: timeNs).omittingLiveOnlyParts(), "seed \(seed): ?at=\(timeNs) differs from the filtered fold")
        }
        // Asked again in another order, from whatever the cache now holds: the same.
        for timeNs in probes.reversed() {
            let answer = try await host.views(atNs: timeNs)
            #expect(answer.views == freshFold(atOrBefore: timeNs).omittingLiveOnlyParts(), "seed \(seed): second ?at=\(timeNs) differs")
        }
        // Live = full replay = ?at= at the newest time.
        var full = ProjectionSet()
        for item in logged { full.apply(item.event, offset: item.offset) }
        #expect(host.snapshot().views == full, "seed \(seed): live differs from a full replay")
        #expect(try await host.views(atNs: .max).views == full.omittingLiveOnlyParts(), "seed \(seed): ?at=newest differs from live")
        try await log.close()
        try await running.value
    }

    @Test func viewsAt_insideAnOldIncident_importedAfterLiveData_seesTheIncident() async throws {
        defer { directory.remove() }
        let log = try directory.openLog()
        let nowNs: Int64 = 1_780_000_000_000_000_000
        let incidentNs = nowNs - 2 * 86_400 * 1_000_000_000
        // A collector stamps now first; the incident from two days ago arrives after it.
        _ = try await log.append([Event(timeNs: nowNs, body: .metric(MetricSample(name: "cpu_percent", labels: ["core": "total"], value: 5)))])
        _ = try await log.append([
            Event(timeNs: incidentNs, body: .breaker(BreakerTransition(connection: "db", from: .closed, to: .open, failures: 9, reason: "timeouts"))),
            Event(timeNs: incidentNs + 60_000_000_000, body: .breaker(BreakerTransition(connection: "db", from: .open, to: .halfOpen, failures: 9, reason: nil))),
        ])
        let host = try HostTest.Host(log: log, checkpoints: try directory.store(), options: HostTest.options())
        try await host.recover()
        let during = try await host.views(atNs: incidentNs + 1_000_000_000)
        #expect(during.views.breakers.record(for: "db")?.state == .open, "the breaker is open inside the incident")
        #expect(during.views.vitals.cpuTotal == nil, "the collector's later sample is not there yet")
        let after = try await host.views(atNs: incidentNs + 120_000_000_000)
        #expect(after.views.breakers.record(for: "db")?.state == .halfOpen)
        try await log.close()
    }

    @Test func viewsAt_beforeTheFirstEvent_isEmpty() async throws {
        defer { directory.remove() }
        let log = try directory.openLog()
        var generator = ReplayEventGenerator(seed: 5)
        let events = generator.events(50)
        _ = try await log.append(events)
        let host = try HostTest.Host(log: log, checkpoints: try directory.store(), options: HostTest.options())
        try await host.recover()
        let answer = try await host.views(atNs: events.map(\.timeNs).min()! - 1)
        #expect(answer.nextOffset == 0)
        #expect(answer.offset == nil)
        #expect(answer.views == ProjectionSet().omittingLiveOnlyParts())
        try await log.close()
    }

    @Test func viewsAt_fromACheckpoint_replaysOnlyFromIt_andMatchesAFullFold() async throws {
        defer { directory.remove() }
        let log = try directory.openLog()
        var generator = ReplayEventGenerator(seed: 8)
        var events: [Event] = []
        for _ in 0..<900 {
            var event = generator.next()
            event.timeNs = generator.timeNs
            events.append(event)
        }
        _ = try await log.append(events)
        let logged = try HostTest.readAll(log)
        let store = try directory.store()
        let prefix = HostTest.fold(logged[..<300])
        try store.save(try HostTest.bytes(prefix), nextOffset: 300, eventTimeNs: prefix.eventTimeNs)
        let host = try HostTest.Host(log: log, checkpoints: store, options: HostTest.options())

        let timeNs = logged[599].event.timeNs
        let cut = logged.firstIndex { $0.event.timeNs > timeNs }!
        var expected = ProjectionSet()
        for item in logged[..<cut] { expected.apply(item.event, offset: item.offset) }
        let answer = try await host.views(atNs: timeNs)
        #expect(answer.nextOffset == UInt64(cut))
        #expect(answer.views == expected.omittingLiveOnlyParts())
        #expect(host.cache.best(atOrBeforeNs: logged[299].event.timeNs)?.nextOffset == 300, "started from the checkpoint")
        try await log.close()
    }
}

/// The sorted-key JSON of a views value, to compare answers byte for byte.
func sortedJSON(_ views: ProjectionSet) throws -> [UInt8] {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    return Array(try encoder.encode(views))
}
