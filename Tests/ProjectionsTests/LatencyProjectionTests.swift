import EventStore
import Foundation
import Testing
@testable import Projections

@Suite struct LatencyProjectionTests {
    let s = WindowFixtures.second
    let t0 = WindowFixtures.t0
    typealias F = WindowFixtures

    /// Latencies 1...n ms, one per op, spread over `seconds` seconds, then one op in
    /// the next second so the last of them is complete.
    func uniform(_ n: Int, seconds: Int = 10, name: String = "GET /", proto: String? = "http1", start: Int64? = nil) -> [Event] {
        let base = start ?? t0
        var events: [Event] = []
        for i in 1...n {
            let offsetNs: Int64 = Int64(i - 1) * Int64(seconds) * s / Int64(n)
            events.append(F.op(at: base + offsetNs, name: name, protocol: proto, durationMs: Double(i), ok: i % 10 != 0))
        }
        events.append(F.op(at: base + Int64(seconds) * s, name: "tick", protocol: nil, durationMs: 0))
        return events
    }

    func near(_ got: Double, _ exact: Double, _ bound: Double = LatencyScale.relativeErrorMax) -> Bool {
        abs(got - exact) / exact <= bound
    }

    @Test func apply_whenOpsWithKnownUniformLatency_windowPercentilesAreWithinBound() {
        let v = (F.fold(uniform(1000)) as LatencyProjection).view()
        let w = v.operations.first { $0.name == "GET /" }!.window
        #expect(w.count == 1000)
        #expect(near(w.p50, 500) && near(w.p95, 950) && near(w.p99, 990) && near(w.p999, 999))
        #expect(w.errors == 100)
    }

    @Test func apply_whenOpsWithKnownUniformLatency_sinceStartPercentilesAreWithinHdrBound() {
        let v = (F.fold(uniform(1000)) as LatencyProjection).view()
        let g = v.operations.first { $0.name == "GET /" }!.sinceStart
        // Two significant digits: within 1 %.
        #expect(near(g.p50, 500, 0.01) && near(g.p99, 990, 0.01) && near(g.p999, 999, 0.01))
        #expect(g.count == 1000 && g.errors == 100)
        #expect(near(g.maxMs, 1000, 0.01))
    }

    @Test func sinceStartMean_isExact_andAStateStoredWithoutTheSumKeepsTheHistogramsEstimate() throws {
        let p: LatencyProjection = F.fold(uniform(1000))
        // 1...1000 ms and the 0 ms tick: the exact mean of "GET /" is 500.5 ms (HDR's was within 1 %).
        #expect(p.view().operations.first { $0.name == "GET /" }!.sinceStart.meanMs == 500.5)
        #expect(p.view().sinceStart.meanMs == 500_500.0 / 1001)
        // A state stored before the sum existed: the histogram's estimate, through records and merges.
        var json = try #require(try JSONSerialization.jsonObject(with: JSONEncoder().encode(p)) as? [String: Any])
        var overall = try #require(json["overall"] as? [String: Any])
        #expect(overall["sumMicros"] as? Int == 500_500_000)
        overall["sumMicros"] = nil
        json["overall"] = overall
        var old = try JSONDecoder().decode(LatencyProjection.self, from: JSONSerialization.data(withJSONObject: json))
        let estimate = old.view().sinceStart.meanMs
        #expect(estimate != 500_500.0 / 1001 && abs(estimate - 500_500.0 / 1001) / 500 < 0.01)
        old.apply(F.op(at: t0 + 11 * s, durationMs: 3), offset: 5000)
        old.merge(p)
        #expect(old.overall.sumMicros == nil && abs(old.view().sinceStart.meanMs - 500.0) / 500 < 0.01)
    }

    @Test func apply_whenOpsLeaveTheWindow_windowEmpties_butSinceStartKeepsThem() {
        var p: LatencyProjection = F.fold(uniform(100))
        p.apply(F.op(at: t0 + 200 * s, durationMs: 7), offset: 1000)
        p.apply(F.op(at: t0 + 201 * s, name: "tick", durationMs: 0), offset: 1001)
        let v = p.view()
        #expect(v.window.count == 1) // the 7 ms op; the tick at t0+201 is in the second still filling
        #expect(near(v.p99, 7))
        #expect(v.sinceStart.count == 103)
    }

    @Test func apply_whenOpIsOlderThanWindow_goesToSinceStartOnly() {
        var p: LatencyProjection = F.fold(uniform(10, start: t0 + 500 * s))
        let windowBefore = p.view().window
        p.apply(F.op(at: t0, durationMs: 900), offset: 99)
        let v = p.view()
        #expect(v.window == windowBefore)
        #expect(v.lateEvents == 1)
        #expect(v.sinceStart.count == 12)
        #expect(near(v.sinceStart.maxMs, 900, 0.01))
    }

    @Test func view_groupsByOperationAndProtocol_withUnknownForMissingProtocol() {
        let events = uniform(10, name: "a", proto: "grpc") + uniform(10, name: "b", proto: nil, start: t0)
        let v = (F.fold(events) as LatencyProjection).view()
        #expect(v.operations.map(\.name) == ["a", "b", "tick"])
        #expect(v.protocols.map(\.name) == ["grpc", "unknown"])
        #expect(v.protocols.first { $0.name == "unknown" }!.sinceStart.count == 12)
    }

    @Test func apply_whenMoreNamesThanMaximum_extraNamesGoToOther() {
        var p = LatencyProjection()
        for i in 0..<(LatencyProjection.operationNamesMax + 10) {
            p.apply(F.op(at: t0, name: "op-\(i)", durationMs: 1), offset: UInt64(i))
        }
        #expect(p.byOperation.count == LatencyProjection.operationNamesMax + 1)
        #expect(p.byOperation["other"]?.totals.count == 10)
    }

    @Test func view_distribution_putsEachOpInItsFixedBucket() {
        let durations: [Double] = [0.5, 1.5, 3, 7, 20, 40, 80, 200, 400, 800, 5000, 0.2]
        var events = durations.map { F.op(at: t0, durationMs: $0) }
        events.append(F.op(at: t0 + s, durationMs: 0))
        let v = (F.fold(events) as LatencyProjection).view()
        #expect(v.distribution.map(\.label) == ["0-1ms", "1-2ms", "2-5ms", "5-10ms", "10-25ms", "25-50ms", "50-100ms", "100-250ms", "250-500ms", "500-1000ms", "1000ms+"])
        #expect(v.distribution.map(\.count) == [2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1])
        #expect(v.sinceStart.distribution?.map(\.count) == [3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1])
        #expect(abs(v.distribution.map(\.percent).reduce(0, +) - 100) < 1e-9)
    }

    @Test func merge_whenShardsSplitTheStream_equalsTheWholeStream() throws {
        let events = uniform(500, name: "x", proto: "http2") + uniform(300, name: "y", proto: "http1")
        var a = LatencyProjection(), b = LatencyProjection()
        for (i, e) in events.enumerated() { if i % 3 == 0 { a.apply(e, offset: UInt64(i)) } else { b.apply(e, offset: UInt64(i)) } }
        a.merge(b)
        let whole: LatencyProjection = F.fold(events)
        #expect(a.view() == whole.view())
        #expect(a == whole)
    }

    /// A stored histogram whose counts do not fit its buckets (a checkpoint written
    /// wrongly or forged; found by fuzzing) is refused at decode, not trapped on at the
    /// next operation recorded.
    @Test func decode_ofAHistogramWhoseCountsDoNotFitItsBuckets_isRefused() throws {
        let p: LatencyProjection = F.fold(uniform(200, name: "x", proto: "grpc"))
        let data = try JSONEncoder().encode(p)
        #expect(try JSONDecoder().decode(LatencyProjection.self, from: data) == p)
        var json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        var overall = try #require(json["overall"] as? [String: Any])
        let histogram = try #require(overall["sinceStart"] as? [String: Any])
        let counts = try #require(histogram["counts"] as? [Any])
        for (field, value) in [("counts", Array(counts.prefix(counts.count / 2)) as Any), ("bucketCount", 1 as Any), ("_totalCount", 7 as Any)] {
            var forged = histogram
            forged[field] = value
            overall["sinceStart"] = forged
            json["overall"] = overall
            let bytes = try JSONSerialization.data(withJSONObject: json)
            #expect(throws: DecodingError.self, "\(field)") { try JSONDecoder().decode(LatencyProjection.self, from: bytes) }
        }
    }

    @Test func encode_whenSameEvents_givesSameBytes_andSurvivesRoundTrip() throws {
        let events = uniform(200, name: "x", proto: "grpc") + uniform(50, name: "a", proto: nil)
        let a: LatencyProjection = F.fold(events), b: LatencyProjection = F.fold(events)
        #expect(try F.sortedJSON(a) == F.sortedJSON(b))
        var back = try F.roundTrip(a)
        #expect(back == a)
        var direct = a
        back.apply(F.op(at: t0 + 11 * s, durationMs: 3), offset: 999)
        direct.apply(F.op(at: t0 + 11 * s, durationMs: 3), offset: 999)
        #expect(try F.sortedJSON(back) == F.sortedJSON(direct))
        #expect(back.view() == direct.view())
    }
}
