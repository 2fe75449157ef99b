import EventStore
import Foundation
import Testing
@testable import Projections
@testable import Runtime

/// `tacho replay --views` prints, for each second holding events, what `?at=` answers at
/// that second's end: the one event-time fold, tested here against a fresh filtered fold
/// and against the live host's `?at=` over the same log.
@Suite struct EventTimeSweepTests {
    let directory = HostTestDirectory()

    /// Steps, with the views the sweep gave for each, over `events` at offsets 0….
    static func sweep(_ events: [Event], stepNs: Int64 = 1_000_000_000) throws -> [(step: Int64, views: ProjectionSet)] {
        var index = StepIndex(stepNs: stepNs)
        for (offset, event) in events.enumerated() { index.add(timeNs: event.timeNs, offset: UInt64(offset)) }
        index.finish()
        var reads = 0
        var sweep = EventTimeSweep<ProjectionSet>(index: index) { offset in
            reads += 1
            return events[Int(offset)]
        }
        var out: [(Int64, ProjectionSet)] = []
        for (offset, event) in events.enumerated() { try sweep.add(event, offset: UInt64(offset)) { out.append(($0, $1)) } }
        try sweep.finish { out.append(($0, $1)) }
        #expect(reads <= index.late.count * out.count, "only late events are read back")
        return out
    }

    static func freshFold(_ events: [Event], atOrBefore timeNs: Int64) -> ProjectionSet {
        var views = ProjectionSet()
        for (offset, event) in events.enumerated() where event.timeNs <= timeNs { views.apply(event, offset: UInt64(offset)) }
        return views
    }

    /// Shuffled, late (by up to a minute or a day) and duplicate times.
    static func disordered(seed: UInt64, count: Int) -> [Event] {
        var generator = ReplayEventGenerator(seed: seed)
        var events = generator.events(count)
        for index in events.indices {
            switch generator.below(12) {
            case 0: events[index].timeNs -= Int64(generator.below(60)) * 1_000_000_000 + Int64(generator.below(1_000_000_000))
            case 1: events[index].timeNs -= Int64(generator.below(86_400)) * 1_000_000_000
            case 2: events[index].timeNs = events[generator.below(events.count)].timeNs
            default: break
            }
        }
        return events
    }

    @Test(arguments: [5 as UInt64, 91, 2026])
    func eachStepsViews_equalAFreshFoldOfEveryEventAtOrBeforeItsEnd_forShuffledLateAndDuplicateTimes(seed: UInt64) throws {
        let events = Self.disordered(seed: seed, count: 900)
        let steps = try Self.sweep(events)
        let expectedSteps = Set(events.map { StepIndex(stepNs: 1_000_000_000).step(of: $0.timeNs) }).sorted()
        #expect(steps.map(\.step) == expectedSteps, "seed \(seed): one line per second holding events, ascending")
        for (step, views) in steps {
            let end = (step + 1) * 1_000_000_000 - 1
            #expect(views == Self.freshFold(events, atOrBefore: end), "seed \(seed): second \(step) differs from the filtered fold")
        }
    }

    @Test func aLogInTimeOrder_readsNothingBack_andEndsWithTheFullFold() throws {
        var generator = ReplayEventGenerator(seed: 8)
        let events = generator.events(400).enumerated().sorted { ($0.element.timeNs, $0.offset) < ($1.element.timeNs, $1.offset) }.map(\.element)
        var index = StepIndex(stepNs: 1_000_000_000)
        for (offset, event) in events.enumerated() { index.add(timeNs: event.timeNs, offset: UInt64(offset)) }
        index.finish()
        #expect(index.late.isEmpty)
        let steps = try Self.sweep(events)
        var full = ProjectionSet()
        for (offset, event) in events.enumerated() { full.apply(event, offset: UInt64(offset)) }
        #expect(steps.last?.views == full)
    }

    /// One engine through two doors: the sweep's views (replay --views) equal the live
    /// host's `?at=` at each second's end, on the same log.
    @Test func sweepViews_equalTheHostsViewsAt_eachSecondsEnd() async throws {
        defer { directory.remove() }
        let events = Self.disordered(seed: 44, count: 600)
        let log = try directory.openLog()
        let host = try HostTest.Host(log: log, checkpoints: try directory.store(), options: HostTest.options(checkpointEveryEvents: 200))
        try await host.recover()
        let running = Task { try await host.run() }
        try await HostTest.appendAndSettle(events, chunk: 37, log: log, host: host)
        // The log as written (the host's rules append alerts of their own).
        let logged = try HostTest.readAll(log)
        #expect(logged.map(\.offset) == Array(0..<UInt64(logged.count)))
        let steps = try Self.sweep(logged.map(\.event))
        for (step, views) in steps.enumerated().filter({ $0.offset % 5 == 0 }).map(\.element) {
            let answer = try await host.views(atNs: (step + 1) * 1_000_000_000 - 1)
            #expect(answer.views == views.omittingLiveOnlyParts(), "second \(step): replay --views and ?at= differ")
        }
        try await log.close()
        try await running.value
    }
}
