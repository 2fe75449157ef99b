import EventStore
import Testing
@testable import Server

@Suite struct DemoWorkloadTests {
    static let startNs: Int64 = 1_700_000_000_000_000_000

    private func run(seed: UInt64, seconds: Int, vitals: Bool = true) -> [[Event]] {
        var demo = DemoWorkload(seed: seed, startTimeNs: Self.startNs, emitsHostVitals: vitals)
        return (0..<seconds).map { _ in demo.nextSecond() }
    }

    @Test func sameSeed_givesSameEvents_differentSeed_differentEvents() {
        let a = run(seed: 42, seconds: 150)
        let b = run(seed: 42, seconds: 150)
        let c = run(seed: 43, seconds: 150)
        #expect(a == b)
        #expect(a != c)
    }

    @Test func eachSecond_staysInItsWindow_isSorted_andWithinBudget() {
        for (second, events) in run(seed: 7, seconds: 120).enumerated() {
            let low = Self.startNs + Int64(second) * 1_000_000_000
            #expect(events.allSatisfy { $0.timeNs >= low && $0.timeNs < low + 1_000_000_000 })
            #expect(zip(events, events.dropFirst()).allSatisfy { $0.timeNs <= $1.timeNs })
            #expect(events.count <= DemoWorkload.eventsPerSecondMax)
            let ops = events.filter { $0.type == .op }.count
            #expect(ops >= 200 && ops <= DemoWorkload.opsPerSecondMax)
        }
    }

    @Test func everyEvent_passesIngestValidation_afterAJSONRoundTrip() throws {
        let events = run(seed: 3, seconds: 200).flatMap { $0 }
        let encoder = EventJSONEncoder()
        let ndjson = events.map { encoder.encode($0) }.joined(separator: "\n")
        let decoded = try EventJSONDecoder().decode(ndjson, defaultTimeNs: 0)
        #expect(decoded.count == events.count)
        #expect(Set(decoded.map(\.type)) == Set(EventType.allCases).subtracting([.alert, .alertAck, .alertResolve]))
    }

    @Test func breaker_tripsHalfOpensAndRecovers_duringTheScheduledErrorBurst() {
        let transitions = run(seed: 1, seconds: 160).flatMap { $0 }.compactMap { event -> BreakerTransition? in
            if case .breaker(let transition) = event.body { return transition }
            return nil
        }
        let cache = transitions.filter { $0.connection == "cache-redis" }.map { "\($0.from.rawValue)>\($0.to.rawValue)" }
        #expect(cache.first == "CLOSED>OPEN")
        #expect(cache.contains("OPEN>HALF_OPEN"))
        #expect(cache.last == "HALF_OPEN>CLOSED")
    }

    @Test func caches_warmUp_andCountersNeverDecrease() {
        var reports: [String: [CacheReport]] = [:]
        for event in run(seed: 5, seconds: 150).flatMap({ $0 }) {
            if case .cache(let report) = event.body { reports[report.cache, default: []].append(report) }
        }
        #expect(reports.count == 3)
        for (_, series) in reports {
            #expect(zip(series, series.dropFirst()).allSatisfy { $0.hits <= $1.hits && $0.misses <= $1.misses && $0.evictions <= $1.evictions })
            func ratio(_ a: CacheReport, _ b: CacheReport) -> Double {
                Double(b.hits - a.hits) / Double(b.hits - a.hits + b.misses - a.misses)
            }
            // Hit ratio over the first interval versus one just before the first incident.
            #expect(ratio(series[1], series[2]) < ratio(series[6], series[7]))
        }
    }

    @Test func latencySpike_isAnnotated_andSlowsTheTargetConnection() {
        let seconds = run(seed: 9, seconds: 70)
        let annotations = seconds.flatMap { $0 }.compactMap { event -> Annotation? in
            if case .annotation(let annotation) = event.body { return annotation }
            return nil
        }
        #expect(annotations.contains { $0.tags.contains("incident") && $0.text.contains("db-primary") })
        func primaryLatency(_ events: [Event]) -> Double {
            for event in events {
                if case .connection(let report) = event.body, report.connection == "db-primary" { return report.latencyMs }
            }
            return 0
        }
        #expect(primaryLatency(seconds[50]) > 3 * primaryLatency(seconds[30]))
    }

    @Test func optimizer_and_batcher_report() {
        let events = run(seed: 11, seconds: 100).flatMap { $0 }
        let optimizations = events.filter { $0.type == .optimization }
        #expect(optimizations.count == 3)
        #expect(events.filter { $0.type == .batch }.count >= 200)
    }

    @Test func withoutHostVitals_noVitalsMetrics() {
        let names: Set<String> = ["cpu_percent", "memory_bytes", "load_average"]
        let events = run(seed: 2, seconds: 5, vitals: false).flatMap { $0 }
        #expect(!events.contains { if case .metric(let m) = $0.body { names.contains(m.series.name) } else { false } })
        let withVitals = run(seed: 2, seconds: 1).flatMap { $0 }
        #expect(withVitals.filter { if case .metric(let m) = $0.body { m.series.name == "cpu_percent" } else { false } }.count == 5)
    }
}
