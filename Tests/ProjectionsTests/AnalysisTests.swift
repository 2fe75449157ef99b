import EventStore
import Foundation
import Testing

@testable import Projections

@Suite struct AnalysisTests {
    static let t0: Int64 = 1_700_000_040_000_000_000 // a whole minute

    static func op(_ second: Int64, _ ms: Double, ok: Bool = true, name: String = "GET /a", proto: String? = "http1") -> Event {
        Event(timeNs: t0 + second * 1_000_000_000, body: .op(Operation(name: name, protocol: proto, durationMs: ms, ok: ok)))
    }

    static func fold(_ events: [Event]) -> AnalysisReport {
        var analyzer = Analyzer()
        for (offset, event) in events.enumerated() { analyzer.add(event, offset: UInt64(offset)) }
        return analyzer.report()
    }

    @Test func report_countsEventsByType_andThroughputIncludesIdleSeconds() {
        let events = [Self.op(0, 1), Self.op(0, 2), Self.op(0, 3), Self.op(2, 4),
                      Event(timeNs: Self.t0 + 3_000_000_000, body: .annotation(Annotation(text: "end", tags: [])))]
        let report = Self.fold(events)
        #expect(report.eventCounts == ["op": 4, "annotation": 1])
        #expect(report.range.seconds == 4)
        #expect(report.throughput.operations == 4)
        #expect(report.throughput.meanPerSecond == 1)
        #expect(report.throughput.peakPerSecond == 3)
        #expect(report.throughput.lowestPerSecond == 0)
        #expect(report.throughput.lowestAt == EventTime.formatRFC3339(Self.t0 + 1_000_000_000))
    }

    @Test func report_latencyPercentiles_perOperationAndProtocol() {
        var events: [Event] = []
        for i in 0..<100 { events.append(Self.op(0, Double(i + 1), name: i < 50 ? "a" : "b", proto: i < 50 ? "grpc" : nil)) }
        let report = Self.fold(events)
        #expect(report.latency.overall.count == 100)
        #expect(abs(report.latency.overall.p50Ms - 50) <= 50 * LatencyScale.relativeErrorMax)
        #expect(abs(report.latency.overall.p99Ms - 99) <= 99 * LatencyScale.relativeErrorMax)
        #expect(report.latency.overall.maxMs == 100)
        #expect(report.latency.byOperation["a"]?.count == 50)
        #expect(report.latency.byProtocol["grpc"]?.count == 50)
        #expect(report.latency.byProtocol["unspecified"]?.count == 50)
    }

    @Test func report_errorRate_namesTheWorstMinute() {
        var events: [Event] = []
        for s in 0..<60 { events.append(Self.op(Int64(s), 1)) }
        for s in 60..<70 { events.append(Self.op(Int64(s), 1, ok: s % 2 == 0)) }
        let report = Self.fold(events)
        #expect(report.errors.failed == 5)
        #expect(report.errors.worstMinute?.minute == EventTime.formatRFC3339(Self.t0 + 60_000_000_000))
        #expect(report.errors.worstMinute?.errorPercent == 50)
    }

    @Test func report_breakerOpenTime_andFindingWithLatencyRise() {
        var events: [Event] = []
        for s in 0..<60 { events.append(Self.op(Int64(s), 20)) }
        events.append(Event(timeNs: Self.t0 + 62_000_000_000, body: .breaker(BreakerTransition(connection: "db-primary", from: .closed, to: .open, failures: 5))))
        for s in 62..<102 { events.append(Self.op(Int64(s), 400)) }
        events.append(Event(timeNs: Self.t0 + 102_000_000_000, body: .breaker(BreakerTransition(connection: "db-primary", from: .open, to: .halfOpen, failures: 5))))
        let report = Self.fold(events)
        let breaker = report.breakers["db-primary"]
        #expect(breaker?.transitions == 2)
        #expect(breaker?.opened == 1)
        #expect(breaker?.openSeconds == 40)
        #expect(report.findings.contains { $0.hasPrefix("db-primary was OPEN for 40 s starting") && $0.contains("p99 rose from") })
    }

    @Test func report_alertLifecycle_timesToAcknowledgeAndResolve() {
        let raise = AlertRaised(id: "x", severity: .critical, kind: "k", message: "m")
        let events = [
            Event(timeNs: Self.t0, body: .alert(raise)),
            Event(timeNs: Self.t0 + 10_000_000_000, body: .alertAck(AlertAck(id: "x", by: "me"))),
            Event(timeNs: Self.t0 + 30_000_000_000, body: .alertResolve(AlertResolve(id: "x"))),
        ]
        let report = Self.fold(events)
        #expect(report.alerts.raised == 1)
        #expect(report.alerts.alerts.first?.secondsToAcknowledge == 10)
        #expect(report.alerts.meanSecondsToResolve == 30)
    }

    @Test func report_cacheHitRate_fromCounterIncreases_withReset() {
        func cache(_ s: Int64, _ hits: UInt64, _ misses: UInt64) -> Event {
            Event(timeNs: Self.t0 + s * 1_000_000_000, body: .cache(CacheReport(
                cache: "c", hits: hits, misses: misses, evictions: 0, sizeBytes: 0, entries: 0, compressionRatio: 1, avgTTLms: 0)))
        }
        let report = Self.fold([cache(0, 100, 100), cache(1, 190, 110), cache(61, 10, 10)])
        #expect(report.cache.hits == 100)
        #expect(report.cache.misses == 20)
        #expect(report.cache.perMinute.map(\.value) == [0.9, 0.5])
    }

    @Test func report_encodesDeterministically() throws {
        let events = (0..<50).map { Self.op(Int64($0 % 7), Double($0), name: "op\($0 % 5)") }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        #expect(try encoder.encode(Self.fold(events)) == encoder.encode(Self.fold(events)))
    }
}
