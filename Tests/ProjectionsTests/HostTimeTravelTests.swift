import EventStore
import Foundation
import Testing
@testable import Projections

@Suite struct HostTimeTravelTests {
    let directory = HostTestDirectory()

    @Test(arguments: [3 as UInt64, 77])
    func viewsAt_T_equalTheLiveStateObservedWhenTheLogEndedAt_T(seed: UInt64) async throws {
        defer { directory.remove() }
        var generator = ReplayEventGenerator(seed: seed)
        let log = try directory.openLog()
        var options = HostTest.options(checkpointEveryEvents: 400)
        options.timeTravelCacheEveryEvents = 150
        let host = try HostTest.Host(log: log, checkpoints: try directory.store(), options: options)
        try await host.recover()
        let running = Task { try await host.run() }

        var observed: [(timeNs: Int64, views: ProjectionSet, nextOffset: UInt64)] = []
        for _ in 0..<6 {
            // Strictly later than anything before, so the log "ends at T" at each chunk end.
            _ = generator.next(maxStepMs: 1)
            var chunk = (0..<250).map { _ in generator.next() }
            chunk[0].timeNs = max(chunk[0].timeNs, (observed.last?.timeNs ?? .min) + 1)
            let endNs = chunk.map(\.timeNs).max()!
            let boundary = Event(timeNs: endNs, body: .annotation(Annotation(text: "chunk end")))
            try await HostTest.appendAndSettle(chunk + [boundary], log: log, host: host)
            let live = host.snapshot()
            observed.append((live.eventTimeNs!, live.views, live.nextOffset))
            while generator.timeNs <= endNs + 1_000_000 { _ = generator.next(maxStepMs: 1_000) }
        }

        // Later chunks may hold late events at or before an earlier T; the answer at T
        // is still the prefix that ended there, because the next chunk starts after T.
        for (timeNs, views, nextOffset) in observed.reversed() {
            let answer = try await host.views(atNs: timeNs)
            #expect(answer.nextOffset == nextOffset, "seed \(seed) at \(timeNs)")
            #expect(answer.views == views, "seed \(seed) at \(timeNs)")
            #expect(try sortedJSON(answer.views) == sortedJSON(views))
        }
        #expect(host.cache.count > 1, "replays keep snapshots for scrubbing")
        try await log.close()
        try await running.value
    }

    @Test func viewsAt_beforeTheFirstEvent_isEmpty() async throws {
        defer { directory.remove() }
        let log = try directory.openLog()
        var generator = ReplayEventGenerator(seed: 5)
        let events = generator.events(50)
        _ = try await log.append(events)
        let host = try HostTest.Host(log: log, checkpoints: try directory.store(), options: HostTest.options())
        try await host.recover()
        let answer = try await host.views(atNs: events[0].timeNs - 1)
        #expect(answer.nextOffset == 0)
        #expect(answer.offset == nil)
        #expect(answer.views == ProjectionSet())
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
        #expect(answer.views == expected)
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
