import EventStore
import Testing
@testable import Projections

@Suite struct FaultToleranceProjectionTests {
    typealias F = PanelFixtures

    @Test func missedSlots_countsExpectedIntervalsWithoutSample() {
        let second: Int64 = 1_000_000_000
        #expect(CollectionSlots.missedSlots(inGapNs: second, expectedIntervalNs: second) == 0)
        #expect(CollectionSlots.missedSlots(inGapNs: 1_500_000_000, expectedIntervalNs: second) == 0)
        #expect(CollectionSlots.missedSlots(inGapNs: 1_600_000_000, expectedIntervalNs: second) == 1)
        #expect(CollectionSlots.missedSlots(inGapNs: 3 * second, expectedIntervalNs: second) == 2)
        #expect(CollectionSlots.missedSlots(inGapNs: 10 * second, expectedIntervalNs: 5 * second) == 1)
    }

    @Test func apply_connectionReportsWithGap_countMissedSlots() {
        let state = F.fold(FaultToleranceProjection.self, [
            F.report(0, "a"), F.report(1, "a"), F.report(4, "a"), F.report(5, "a"),
        ])
        let view = state.view(breakers: .init())
        #expect(view.missedSlots == 2)
        #expect(view.sources.first { $0.source == "connection:a" }?.gaps == 1)
        #expect(view.sources.first { $0.source == "connection:a" }?.longestGapMs == 3000)
    }

    @Test func apply_hostVitals_countOnlyTotalCPUSamples() {
        let state = F.fold(FaultToleranceProjection.self, [
            F.cpuTotal(0), F.cpuTotal(1),
            F.event(2, .metric(MetricSample(name: "cpu_percent", labels: ["core": "0"], value: 1))),
            F.cpuTotal(3),
        ])
        #expect(state.hostVitals.sampleCount == 3)
        #expect(state.hostVitals.missedSlots == 1)
    }

    @Test func apply_withLongerExpectedInterval_doesNotCountSlowerReportsAsMissed() {
        var state = FaultToleranceProjection(expectedIntervalNs: 5_000_000_000)
        for (i, seconds) in [0.0, 5, 10, 20].enumerated() { state.apply(F.report(seconds, "a"), offset: UInt64(i)) }
        #expect(state.totalMissedSlots == 1)
    }

    @Test func apply_lateSample_neitherOpensNorClosesAGap() {
        let state = F.fold(FaultToleranceProjection.self, [F.cpuTotal(0), F.cpuTotal(1), F.cpuTotal(0.5), F.cpuTotal(2)])
        #expect(state.hostVitals.missedSlots == 0 && state.hostVitals.lateSampleCount == 1)
    }

    @Test func view_classifiesConnections_fromBreakerStateAndParseRate() {
        let breakers = F.fold(CircuitBreakersProjection.self, [
            F.report(0, "ok", parseRate: 0.95),
            F.report(0, "lossy", parseRate: 0.85),
            F.report(0, "probing", parseRate: 1),
            F.breaker(1, "probing", .open, .halfOpen),
            F.breaker(1, "down", .closed, .open),
        ])
        let view = FaultToleranceProjection().view(breakers: breakers, lastCheckpointOffset: 42, lastCheckpointTimeNs: F.at(9))
        #expect(view.health == .init(healthy: 1, degraded: 2, failed: 1))
        #expect(view.connections.map(\.status) == [.failed, .degraded, .healthy, .degraded])
        #expect(view.lastCheckpoint == "2026-01-01T00:00:09Z")
        #expect(view.lastCheckpointOffset == 42)
    }

    @Test func merge_addsMissedSlotsOfSameSource() {
        var a = F.fold(FaultToleranceProjection.self, [F.report(0, "a"), F.report(3, "a")])
        a.merge(F.fold(FaultToleranceProjection.self, [F.report(10, "a"), F.report(12, "a"), F.cpuTotal(0)]))
        #expect(a.totalMissedSlots == 3)
        #expect(a.hostVitals.sampleCount == 1)
    }

    @Test func encoding_roundTrips_withItsExpectedInterval() throws {
        var state = FaultToleranceProjection(expectedIntervalNs: 2_000_000_000)
        state.apply(F.report(0, "a"), offset: 0)
        #expect(try F.roundTrips(state))
    }
}
