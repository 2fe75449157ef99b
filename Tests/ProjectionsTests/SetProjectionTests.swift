import EventStore
import Foundation
import Testing
@testable import Projections

@Suite struct SetProjectionTests {
    typealias F = PanelFixtures

    static let stream: [Event] = [
        F.report(0, "a", parseRate: 0.95), F.report(0, "b", parseRate: 0.8),
        F.cpuTotal(0), F.cpuTotal(1), F.cpuTotal(4),
        F.breaker(1, "b", .closed, .open, failures: 3),
        F.alert(2, "b-open", .critical), F.ack(3, "b-open", by: "ops"),
        F.optimization(2, efficiency: 0.8),
        F.cache(2, "q", hits: 40, misses: 10), F.cache(3, "q", hits: 50, misses: 20),
        F.batch(3, size: 10, optimal: 20, queueDepth: 4),
        F.op(3, ok: true), F.op(4, ok: false),
        F.breaker(5, "b", .open, .halfOpen), F.report(5, "a", parseRate: 0.99),
        F.resolve(6, "b-open"),
    ]

    @Test func apply_tracksLastOffsetAndEventTime() {
        let set = F.fold(ProjectionSet.self, Self.stream, startOffset: 100)
        #expect(set.lastOffset == 100 + UInt64(Self.stream.count - 1))
        #expect(set.lastEventTimeNs == F.at(6))
        #expect(set.eventCount == UInt64(Self.stream.count))
    }

    /// `apply` matches an operation once and hands it to the projections that read
    /// operations; every projection's own `apply` must give the same state, so a
    /// projection that starts reading operations cannot be skipped unnoticed.
    @Test(arguments: [3 as UInt64, 41])
    func apply_equalsEveryProjectionsOwnApply_overEveryEventType(seed: UInt64) {
        var generator = ReplayEventGenerator(seed: seed)
        var matchedOnce = ProjectionSet()
        var eachOwn = ProjectionSet()
        for (offset, event) in generator.events(4_000).enumerated() {
            matchedOnce.apply(event, offset: UInt64(offset))
            eachOwn.applyToEach(event, offset: UInt64(offset))
        }
        #expect(matchedOnce.health == eachOwn.health, "seed \(seed)")
        #expect(matchedOnce.throughput == eachOwn.throughput, "seed \(seed)")
        #expect(matchedOnce.latency == eachOwn.latency, "seed \(seed)")
        #expect(matchedOnce.heatmap == eachOwn.heatmap, "seed \(seed)")
        #expect(matchedOnce.breakers == eachOwn.breakers && matchedOnce.topology == eachOwn.topology && matchedOnce.faultTolerance == eachOwn.faultTolerance)
        #expect(matchedOnce.alerts == eachOwn.alerts && matchedOnce.optimization == eachOwn.optimization && matchedOnce.batching == eachOwn.batching)
        #expect(matchedOnce.caches == eachOwn.caches && matchedOnce.vitals == eachOwn.vitals && matchedOnce.series == eachOwn.series)
    }

    @Test func apply_feedsEveryProjection() {
        let set = F.fold(ProjectionSet.self, Self.stream)
        #expect(set.breakers.record(for: "b")?.state == .halfOpen)
        #expect(set.topology.connections.count == 2)
        #expect(set.faultTolerance.hostVitals.missedSlots == 2)
        #expect(set.alerts.resolved.count == 1)
        #expect(set.optimization.current?.efficiency == 0.8)
        #expect(set.batching.batchCount == 1)
        #expect(set.caches.caches["q"]?.hits == 50)
        #expect(set.health.errorPercentLastMinute == 50)
    }

    @Test func encoding_twice_givesIdenticalBytes() throws {
        let set = F.fold(ProjectionSet.self, Self.stream)
        #expect(try F.encodeSorted(set) == F.encodeSorted(set))
    }

    @Test func checkpoint_thenTail_equalsStraightThrough() throws {
        let cut = 9
        let straight = F.fold(ProjectionSet.self, Self.stream)
        let head = F.fold(ProjectionSet.self, Array(Self.stream[..<cut]))
        var restored = try JSONDecoder().decode(ProjectionSet.self, from: JSONEncoder().encode(head))
        for (i, e) in Self.stream[cut...].enumerated() { restored.apply(e, offset: UInt64(cut + i)) }
        #expect(restored == straight)
        #expect(try F.encodeSorted(restored) == F.encodeSorted(straight))
    }

    @Test func encoding_isIndependentOfKeyInsertionHistory() throws {
        // The same per-source streams interleaved differently: every map is filled in
        // another order, and the states must still be equal and encode alike.
        let first: [Event] = [F.report(0, "z"), F.cache(0, "y", hits: 1, misses: 1), F.report(0, "a"), F.cache(0, "b", hits: 2, misses: 2)]
        let second: [Event] = [first[3], first[2], first[1], first[0]]
        let a = F.fold(ProjectionSet.self, first)
        let b = F.fold(ProjectionSet.self, second)
        #expect(a == b)
        // Foundation's JSONEncoder orders object keys by hash unless `.sortedKeys` is set,
        // so checkpoints must be written with it.
        #expect(try F.encodeSorted(a) == F.encodeSorted(b))
    }

    @Test func views_encodeDeterministically() throws {
        let set = F.fold(ProjectionSet.self, Self.stream)
        #expect(try F.encodeSorted(set.healthView()) == F.encodeSorted(set.healthView()))
        #expect(try F.encodeSorted(set.faultToleranceView()) == F.encodeSorted(set.faultToleranceView()))
        #expect(try F.encodeSorted(set.alerts.view()) == F.encodeSorted(set.alerts.view()))
        #expect(try F.encodeSorted(set.topologyView()) == F.encodeSorted(set.topologyView()))
        #expect(try F.encodeSorted(set.caches.view()) == F.encodeSorted(set.caches.view()))
        #expect(try F.encodeSorted(set.batching.view()) == F.encodeSorted(set.batching.view()))
        #expect(try F.encodeSorted(set.suggestionsView()) == F.encodeSorted(set.suggestionsView()))
    }

    @Test func merge_ofTwoShards_equalsFoldingBothSourcesWhereCountsAdd() {
        let shardA: [Event] = [F.report(0, "a"), F.cache(0, "qa", hits: 3, misses: 1), F.op(0, ok: true)]
        let shardB: [Event] = [F.report(1, "b"), F.cache(1, "qb", hits: 1, misses: 3), F.op(1, ok: false)]
        var merged = F.fold(ProjectionSet.self, shardA)
        merged.merge(F.fold(ProjectionSet.self, shardB))
        #expect(merged.breakers.connections.keys == ["a", "b"])
        #expect(merged.caches.totalHitRate == 0.5)
        #expect(merged.health.errorPercentLastMinute == 50)
        #expect(merged.eventCount == 6)
    }
}
