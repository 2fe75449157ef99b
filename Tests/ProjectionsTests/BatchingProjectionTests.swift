import EventStore
import Testing
@testable import Projections

@Suite struct BatchingProjectionTests {
    typealias F = PanelFixtures

    @Test func apply_batches_trackCurrentAverageMinMaxAndLatency() {
        let view = F.fold(BatchMetricsProjection.self, [
            F.batch(0, size: 10, optimal: 40, latencyMs: 2, queueDepth: 5),
            F.batch(1, size: 30, latencyMs: 4, queueDepth: 3),
            F.batch(2, size: 20, latencyMs: 6, queueDepth: 1),
        ]).view()
        #expect(view.currentSize == 20)
        #expect(view.avgSize == 20)
        #expect(view.minSize == 10 && view.maxSize == 30)
        #expect(view.optimalSize == 40)
        #expect(view.avgLatencyMs == 4)
        #expect(view.queueDepth == 1)
        #expect(view.batches == 3 && view.totalItems == 60)
    }

    /// The size-vs-optimal chart's history comes from the server: per second of the last
    /// ten minutes, the mean size and the mean optimal size reported (none: absent).
    @Test func view_history_isTheMeanSizeAndOptimalSizePerSecond_overTheLastTenMinutes() throws {
        var events = [F.batch(0, size: 99, optimal: 99)]
        events += [F.batch(700, size: 10, optimal: 40), F.batch(700.5, size: 30, optimal: 20), F.batch(702, size: 8)]
        let view = F.fold(BatchMetricsProjection.self, events).view()
        #expect(view.history.map(\.timeNs) == [F.at(700), F.at(702)], "the second at 0 s is out of the window")
        let first = try #require(view.history.first)
        #expect(first.size == 20 && first.batches == 2 && first.optimalSize == 30)
        #expect(view.history.last?.optimalSize == nil && view.history.last?.size == 8)
    }

    @Test func view_throughput_isItemsPerSecondOverTheLastMinute() {
        let early = F.fold(BatchMetricsProjection.self, [F.batch(0, size: 10), F.batch(1, size: 10)])
        // Two seconds covered so far.
        #expect(early.view().throughput == 10)
        var events = [F.batch(0, size: 600)]
        events += (100..<160).map { F.batch(Double($0), size: 6) }
        let later = F.fold(BatchMetricsProjection.self, events).view()
        #expect(later.throughputWindowSeconds == 60)
        #expect(later.throughput == 6)
    }

    @Test func apply_lateBatch_addsToTotals_butNotToCurrentNorWindow() {
        let view = F.fold(BatchMetricsProjection.self, [
            F.batch(100, size: 10, queueDepth: 2),
            F.batch(1, size: 50, queueDepth: 9),
        ]).view()
        #expect(view.currentSize == 10 && view.queueDepth == 2)
        #expect(view.maxSize == 50 && view.totalItems == 60)
        #expect(view.throughput == 10.0 / 60)
    }

    @Test func view_priorityDistribution_givesTotalsAndShares() throws {
        let view = F.fold(BatchMetricsProjection.self, [
            F.batch(0, size: 4, priority: PriorityCounts(high: 1, medium: 2, low: 1)),
            F.batch(1, size: 4, priority: PriorityCounts(high: 1, medium: 0, low: 3)),
        ]).view()
        #expect(view.priorityDistribution == PriorityCounts(high: 2, medium: 2, low: 4))
        let shares = try #require(view.priorityShares)
        #expect(shares.high == 0.25 && shares.medium == 0.25 && shares.low == 0.5)
    }

    @Test func apply_risingQueueDepths_markQueueGrowing() {
        let growing = F.fold(BatchMetricsProjection.self, [
            F.batch(0, size: 1, queueDepth: 1), F.batch(1, size: 1, queueDepth: 4), F.batch(2, size: 1, queueDepth: 9),
        ])
        #expect(growing.isQueueGrowing && growing.queueDepthTrend == 8)
        let falling = F.fold(BatchMetricsProjection.self, [
            F.batch(0, size: 1, queueDepth: 9), F.batch(1, size: 1, queueDepth: 4), F.batch(2, size: 1, queueDepth: 10),
        ])
        #expect(!falling.isQueueGrowing)
    }

    @Test func merge_addsTotals_andKeepsLaterCurrent() {
        var a = F.fold(BatchMetricsProjection.self, [F.batch(1, size: 10, queueDepth: 1)])
        a.merge(F.fold(BatchMetricsProjection.self, [F.batch(2, size: 30, queueDepth: 7)]))
        let view = a.view()
        #expect(view.currentSize == 30 && view.queueDepth == 7 && view.avgSize == 20 && view.minSize == 10)
        #expect(view.throughput == 20)
    }

    @Test func encoding_isDeterministic_andRoundTrips() throws {
        let state = F.fold(BatchMetricsProjection.self, [F.batch(1, size: 10, optimal: 12, queueDepth: 1)])
        #expect(try F.encodeSorted(state) == F.encodeSorted(state))
        #expect(try F.roundTrips(state))
    }
}
