import EventStore
import Foundation
import Testing
@testable import Projections

/// A seeded SplitMix64, so every failing run can be repeated from its seed.
struct PanelRandom {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
    mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }
}

@Suite struct SetReplayInvariantTests {
    typealias F = PanelFixtures

    /// A stream touching every panel projection, with occasional late events and gaps.
    static func stream(seed: UInt64, count: Int) -> [Event] {
        var random = PanelRandom(seed: seed)
        var seconds = 0.0
        var hits: [UInt64] = [0, 0]
        let connections = ["a", "b", "c"]
        let states: [BreakerState] = [.closed, .open, .halfOpen]
        var events: [Event] = []
        for _ in 0..<count {
            seconds += random.below(10) == 0 ? Double(random.below(5)) : 0.25
            let late = random.below(20) == 0 ? -Double(random.below(90)) : 0
            let t = seconds + late
            let connection = connections[random.below(connections.count)]
            switch random.below(11) {
            case 0: events.append(F.report(t, connection, parseRate: 0.8 + random.unit() * 0.2, latencyMs: random.unit() * 50))
            case 1: events.append(F.breaker(t, connection, states[random.below(3)], states[random.below(3)], failures: Int64(random.below(9))))
            case 2: events.append(F.alert(t, "al\(random.below(8))", [.critical, .warning, .info][random.below(3)]))
            case 3: events.append(F.ack(t, "al\(random.below(10))"))
            case 4: events.append(F.resolve(t, "al\(random.below(10))"))
            case 5: events.append(F.optimization(t, efficiency: random.unit()))
            case 6:
                let cache = random.below(2)
                hits[cache] = random.below(30) == 0 ? 0 : hits[cache] + UInt64(random.below(50))
                events.append(F.cache(t, "c\(cache)", hits: hits[cache], misses: UInt64(random.below(100))))
            case 7: events.append(F.batch(t, size: UInt64(1 + random.below(200)), optimal: random.below(2) == 0 ? 100 : nil, queueDepth: UInt64(random.below(50))))
            case 8: events.append(F.op(t, ok: random.below(10) != 0))
            case 9: events.append(F.cpuTotal(t, random.unit() * 100))
            default: events.append(F.event(t, .annotation(Annotation(text: "note"))))
            }
        }
        return events
    }

    @Test(arguments: [UInt64(1), 7, 42, 2026])
    func replay_fromCheckpointAtRandomCut_equalsFullReplay(seed: UInt64) throws {
        let events = Self.stream(seed: seed, count: 1500)
        var random = PanelRandom(seed: seed ^ 0xC0FFEE)
        let cut = random.below(events.count)
        let full = F.fold(ProjectionSet.self, events)
        let checkpoint = try F.encodeSorted(F.fold(ProjectionSet.self, Array(events[..<cut])))
        var resumed = try JSONDecoder().decode(ProjectionSet.self, from: checkpoint)
        for index in cut..<events.count { resumed.apply(events[index], offset: UInt64(index)) }
        #expect(resumed == full, "seed \(seed), cut \(cut)")
        #expect(try F.encodeSorted(resumed) == F.encodeSorted(full), "seed \(seed), cut \(cut)")
        #expect(try F.encodeSorted(resumed.healthView()) == F.encodeSorted(full.healthView()), "seed \(seed)")
        #expect(try F.encodeSorted(resumed.suggestionsView()) == F.encodeSorted(full.suggestionsView()), "seed \(seed)")
    }

    @Test func memory_staysBounded_overALongStream() {
        let set = F.fold(ProjectionSet.self, Self.stream(seed: 9, count: 20_000))
        #expect(set.alerts.resolved.count <= AlertsProjection.resolvedHistoryMax)
        #expect(set.optimization.history.count <= OptimizationProjection.historyMax)
        for record in set.breakers.connections.values {
            #expect(record.transitions.count <= CircuitBreakersProjection.transitionHistoryMax)
        }
        #expect(set.batching.recentQueueDepths.count <= BatchMetricsProjection.queueDepthHistoryMax)
    }
}
