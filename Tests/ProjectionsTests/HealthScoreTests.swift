import Foundation
import EventStore
import Testing
@testable import Projections

@Suite struct HealthScoreTests {
    typealias F = PanelFixtures

    @Test func compute_withEveryComponent_weighsThemAsDesignSays() throws {
        // 0.25·0.95 + 0.15·0.5 + 0.20·(2.5/3) + 0.20·0.8 + 0.10·0.9 + 0.10·(1 − 1/5)
        //   = 0.2375 + 0.075 + 0.1666… + 0.16 + 0.09 + 0.08 = 0.80916…
        let inputs = HealthInputs(
            averageParseRate: 0.95, uptimeSeconds: 43_200, breakerHealth: 2.5 / 3,
            efficiency: 0.8, cacheHitRate: 0.9, errorPercent: 1)
        let (score, components) = HealthScore.compute(inputs)
        #expect(abs(try #require(score) - 80.916_666_67) < 1e-6)
        #expect(components.map(\.name) == ["parseRate", "uptime", "circuitBreakerHealth", "performanceEfficiency", "cacheHitRate", "errorRate"])
        #expect(components.allSatisfy { $0.included })
        #expect(abs(components[0].contribution - 23.75) < 1e-9)
        #expect(abs(components[5].contribution - 8) < 1e-9)
    }

    @Test func compute_withMissingCacheAndOptimizer_rescalesTheOtherWeights() throws {
        // Included weights 0.25 + 0.15 + 0.20 + 0.10 = 0.70.
        // (0.25·1 + 0.15·1 + 0.20·0.5 + 0.10·0) / 0.70 = 0.5 / 0.7 = 71.428…
        let inputs = HealthInputs(averageParseRate: 1, uptimeSeconds: 200_000, breakerHealth: 0.5, errorPercent: 7)
        let (score, components) = HealthScore.compute(inputs)
        #expect(abs(try #require(score) - 71.428_571_43) < 1e-6)
        let efficiency = try #require(components.first { $0.name == "performanceEfficiency" })
        #expect(!efficiency.included && efficiency.value == nil && efficiency.contribution == 0 && efficiency.weight == 0.20)
        let parse = try #require(components.first { $0.name == "parseRate" })
        #expect(abs(parse.effectiveWeight - 0.25 / 0.7) < 1e-12)
        #expect(HealthStatus(score: 71.4) == .degraded)
    }

    @Test func compute_withNoData_hasNoScore_andLeavesEveryComponentOut() {
        let (score, components) = HealthScore.compute(HealthInputs())
        #expect(score == nil)
        #expect(components.count == 6 && components.allSatisfy { !$0.included })
    }

    @Test func status_followsDesignThresholds() {
        #expect(HealthStatus(score: 90) == .excellent)
        #expect(HealthStatus(score: 89.9) == .good)
        #expect(HealthStatus(score: 75) == .good)
        #expect(HealthStatus(score: 74.9) == .degraded)
        #expect(HealthStatus(score: 50) == .degraded)
        #expect(HealthStatus(score: 49.9) == .critical)
    }

    @Test func view_fromProjections_computesInputsFromEvents() throws {
        // Connections: a closed at 0.9, b half-open at 0.7, c open (no report).
        // Parse 0.8; breakers (1 + 0.5)/3 = 0.5; efficiency 0.6; cache 80/100 = 0.8;
        // errors 1 of 4 = 25 % → 0; uptime 100 s / 86 400 s.
        var set = ProjectionSet()
        let events: [Event] = [
            F.report(0, "a", parseRate: 0.9),
            F.report(0, "b", parseRate: 0.7),
            F.breaker(1, "b", .open, .halfOpen),
            F.breaker(1, "c", .closed, .open),
            F.optimization(2, efficiency: 0.6),
            F.cache(3, "c1", hits: 80, misses: 20),
            F.op(97, ok: true), F.op(98, ok: true), F.op(99, ok: false), F.op(100, ok: true),
        ]
        for (i, e) in events.enumerated() { set.apply(e, offset: UInt64(i)) }
        let view = set.healthView()
        let uptime = 100.0 / 86_400
        let expected = (0.25 * 0.8 + 0.15 * uptime + 0.20 * 0.5 + 0.20 * 0.6 + 0.10 * 0.8 + 0.10 * 0) * 100
        #expect(view.score == (expected * 10).rounded() / 10)
        #expect(view.status == .degraded)
        #expect(view.inputs.errorPercent == 25)
        #expect(view.inputs.uptimeSeconds == 100)
        #expect(view.inputs.breakersClosed == 1 && view.inputs.breakersHalfOpen == 1 && view.inputs.breakersOpen == 1)
        #expect(view.asOf == "2026-01-01T00:01:40Z")
    }

    @Test func view_whenNoOperationsInLastMinute_leavesErrorRateOut() throws {
        var health = HealthProjection()
        health.apply(F.op(0, ok: false), offset: 0)
        #expect(health.errorPercentLastMinute == 100)
        health.apply(F.cpuTotal(61), offset: 1)
        #expect(health.errorPercentLastMinute == nil)
        let view = health.view(breakers: .init(), optimization: .init(), caches: .init())
        #expect(view.components.first { $0.name == "errorRate" }?.included == false)
        // Only uptime has data: 61 s of a day.
        #expect(view.score == ((61.0 / 86_400 * 100) * 10).rounded() / 10)
        #expect(view.status == .critical)
    }

    @Test func view_beforeAnyEvent_isUnknown() {
        let view = HealthProjection().view(breakers: .init(), optimization: .init(), caches: .init())
        #expect(view.score == nil && view.status == .unknown)
    }

    @Test func merge_addsOperationWindows_andWidensUptime() {
        var a = F.fold(HealthProjection.self, [F.op(10, ok: true), F.op(10, ok: false)])
        a.merge(F.fold(HealthProjection.self, [F.op(5, ok: true), F.op(11, ok: true)]))
        #expect(a.uptimeNs == 6_000_000_000)
        #expect(a.errorPercentLastMinute == 25)
    }

    @Test func uptime_isTheNewestUnbrokenStretch_soABackfillOrASkewedProducerDoesNotStretchIt() {
        let second: Int64 = 1_000_000_000
        let live: Int64 = 1_800_000_000 * second
        func metric(_ timeNs: Int64) -> Event {
            Event(timeNs: timeNs, body: .metric(MetricSample(name: "cpu_percent", labels: ["core": "total"], value: 1)))
        }
        var health = HealthProjection()
        // Two hours of live data, a reading every 10 s.
        for step in 0...720 { health.apply(metric(live + Int64(step) * 10 * second), offset: 0) }
        #expect(health.uptimeNs == 7200 * second)
        // Last year's incident imported beside it: uptime stays two hours.
        for step in 0..<100 { health.apply(metric(live - 365 * 86_400 * second + Int64(step) * second), offset: 0) }
        #expect(health.uptimeNs == 7200 * second)
        // A late reading just before the stretch began joins it.
        health.apply(metric(live - 60 * second), offset: 0)
        #expect(health.uptimeNs == 7260 * second)
        // After a silence longer than the gap, a new stretch starts.
        let resumed = live + 7200 * second + HealthProjection.uptimeGapNs + second
        health.apply(metric(resumed), offset: 0)
        health.apply(metric(resumed + 30 * second), offset: 0)
        #expect(health.uptimeNs == 30 * second)
    }

    @Test func checkpointWithoutStretch_decodes_withItsWholeSpanAsTheStretch() throws {
        let old = #"{"firstEventNs":1000000000,"lastEventNs":61000000000,"operations":"# + String(decoding: try JSONEncoder().encode(HealthProjection().operations), as: UTF8.self) + "}"
        let decoded = try JSONDecoder().decode(HealthProjection.self, from: Data(old.utf8))
        #expect(decoded.uptimeNs == 60_000_000_000)
    }
}
