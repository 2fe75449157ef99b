import EventStore
import Testing
@testable import Projections

/// The health score recorded as the series `tacho_health_score`: one sample each time
/// the newest event time crosses a 15 s boundary, emitted by the state with the rules'
/// alerts, so a replay of the log finds its samples there and appends no second copy.
@Suite struct HealthSampleTests {
    let directory = HostTestDirectory()
    static let startNs: Int64 = 1_699_999_995_000_000_000 // a multiple of 15 s
    static let secondNs: Int64 = 1_000_000_000

    @Test func aSampleIsDue_atTheIntervalsEnd_onlyWhenTheNewestTimeCrossesIt() {
        let start = Self.startNs
        #expect(HealthSample.due(newestNs: nil, eventTimeNs: start) == nil, "the first event")
        #expect(HealthSample.due(newestNs: start, eventTimeNs: start + 14 * Self.secondNs) == nil, "same interval")
        #expect(HealthSample.due(newestNs: start + 14 * Self.secondNs, eventTimeNs: start + 15 * Self.secondNs) == start + 15 * Self.secondNs)
        #expect(HealthSample.due(newestNs: start + 14 * Self.secondNs, eventTimeNs: start + 61 * Self.secondNs) == start + 60 * Self.secondNs,
                "a gap gives one sample, at the last boundary")
        #expect(HealthSample.due(newestNs: start + 20 * Self.secondNs, eventTimeNs: start + 3 * Self.secondNs) == nil, "a late event")
        #expect(HealthSample.due(newestNs: -16 * Self.secondNs, eventTimeNs: -Self.secondNs) == -15 * Self.secondNs, "before 1970")
    }

    @Test func recovery_recordsTheScoreEvery15s_asTheStateSawIt_andAReplayAppendsNoSecondCopy() async throws {
        defer { directory.remove() }
        // One operation a second for 61 s, one in ten failing, and a late one from before.
        var events = (0...60).map { second in
            Event(timeNs: Self.startNs + Int64(second) * Self.secondNs, body: .op(Operation(name: "GET /", durationMs: 5, ok: second % 10 != 3)))
        }
        events.insert(Event(timeNs: Self.startNs + 2 * Self.secondNs, body: .op(Operation(name: "GET /", durationMs: 5, ok: false))), at: 40)
        let log = try directory.openLog()
        _ = try await log.append(events)

        let first = try HostTest.Host(log: log, checkpoints: try directory.store(), options: HostTest.options())
        _ = try await first.recover()
        let logged = try HostTest.readAll(log)
        let samples = logged.filter { HealthSample.isSample($0.event) }
        #expect(samples.map(\.event.timeNs) == [15, 30, 45, 60].map { Self.startNs + $0 * Self.secondNs })
        // Each is the score of the state holding every event before the one past it.
        for sample in samples {
            guard case .metric(let metric) = sample.event.body else { continue }
            let crossing = try #require(events.firstIndex { $0.timeNs >= sample.event.timeNs })
            var state = HostTest.State(rules: .defaults)
            for (offset, event) in events[..<crossing].enumerated() { _ = state.apply(event, offset: UInt64(offset), evaluatingRules: false) }
            #expect(metric.value == state.views.figure(.healthScore), "at \(sample.event.timeNs)")
            #expect(metric.kind == .gauge && metric.series.labels.isEmpty)
        }

        // Replaying the log finds them and appends nothing; the state equals a fresh fold.
        let second = try HostTest.Host(log: log, checkpoints: try directory.store(), options: HostTest.options())
        let report = try await second.recover()
        #expect(report.alertsToAppend == 0)
        #expect(try HostTest.readAll(log) == logged)
        #expect(try await second.encodedState() == HostTest.bytes(HostTest.fold(logged)))
        try await log.close()
    }
}
