import EventStore
import Foundation
import Testing
@testable import Projections

/// The protocols view, read from the latency projection's per-protocol windows.
@Suite struct ProtocolsViewTests {
    let s = WindowFixtures.second
    let t0 = WindowFixtures.t0
    typealias F = WindowFixtures

    /// `count` ops of `proto` in the first second, every `failEvery`-th failing, plus a
    /// tick in second 1 to complete second 0.
    func ops(_ proto: String?, _ count: Int, durationMs: Double = 2, failEvery: Int = 0) -> [Event] {
        (0..<count).map { i in
            F.op(at: t0 + Int64(i) * 1000, protocol: proto, durationMs: durationMs, ok: failEvery == 0 || (i + 1) % failEvery != 0)
        }
    }

    var tick: Event { F.op(at: t0 + s, protocol: "tick", durationMs: 0) }

    @Test func apply_whenTwoProtocols_sharesAndRatesFollowTheirCounts() {
        let p: LatencyProjection = F.fold(ops("http1", 30) + ops("http2", 90) + [tick])
        let v = p.protocolsView()
        let h1 = v.protocols.first { $0.name == "http1" }!
        let h2 = v.protocols.first { $0.name == "http2" }!
        #expect(v.requests == 120)
        #expect(h1.share == 0.25 && h1.percentage == 25)
        #expect(h2.share == 0.75)
        #expect(h1.rps == 0.5 && h2.rps == 1.5)
        #expect(v.distribution.map(\.name) == ["http1", "http2", "tick"])
        #expect(v.distribution.map(\.value) == [30, 90, 0])
    }

    @Test func apply_whenProtocolMissing_countsAsUnknown() {
        let v = (F.fold(ops(nil, 5) + [tick]) as LatencyProjection).protocolsView()
        #expect(v.protocols.map(\.name) == ["tick", "unknown"])
        #expect(v.protocols.first { $0.name == "unknown" }?.requests == 5)
    }

    @Test func apply_whenErrorRateAboveFivePercent_statusIsCritical() {
        let v = (F.fold(ops("grpc", 100, failEvery: 10) + [tick]) as LatencyProjection).protocolsView()
        let g = v.protocols.first { $0.name == "grpc" }!
        #expect(g.errors == 10 && g.errorRate == 10)
        #expect(g.status == .critical)
    }

    @Test func apply_whenErrorRateBetweenOneAndFivePercent_statusIsDegraded() {
        let v = (F.fold(ops("grpc", 100, failEvery: 50) + [tick]) as LatencyProjection).protocolsView()
        #expect(v.protocols.first { $0.name == "grpc" }?.status == .degraded)
    }

    @Test func apply_whenP99AboveOneHundredFiftyMs_statusIsDegraded_andAboveFiveHundredCritical() {
        let slow = (F.fold(ops("ws", 50, durationMs: 200) + [tick]) as LatencyProjection).protocolsView()
        #expect(slow.protocols.first { $0.name == "ws" }?.status == .degraded)
        let slower = (F.fold(ops("ws", 50, durationMs: 800) + [tick]) as LatencyProjection).protocolsView()
        #expect(slower.protocols.first { $0.name == "ws" }?.status == .critical)
        let fast = (F.fold(ops("ws", 50, durationMs: 3) + [tick]) as LatencyProjection).protocolsView()
        let w = fast.protocols.first { $0.name == "ws" }!
        #expect(w.status == .healthy)
        #expect(abs(w.p50 - 3) / 3 <= LatencyScale.relativeErrorMax && abs(w.avgLatency - 3) / 3 <= LatencyScale.relativeErrorMax)
    }

    @Test func view_whenTrafficStopped_protocolIsIdle_butSinceStartRemains() {
        let v = (F.fold(ops("http3", 10)) as LatencyProjection).protocolsView(atNs: t0 + 300 * s)
        let h3 = v.protocols.first { $0.name == "http3" }!
        #expect(h3.status == .idle && h3.requests == 0 && h3.rps == 0)
        #expect(h3.requestsSinceStart == 10 && h3.shareSinceStart == 1)
    }

    @Test func merge_whenShardsSplitTheStream_equalsTheWholeStream() {
        let events = ops("http1", 40, failEvery: 4) + ops("grpc", 25) + [tick]
        var a = LatencyProjection(), b = LatencyProjection()
        for (i, e) in events.enumerated() { if i % 2 == 0 { a.apply(e, offset: UInt64(i)) } else { b.apply(e, offset: UInt64(i)) } }
        a.merge(b)
        let whole: LatencyProjection = F.fold(events)
        #expect(a == whole)
        #expect(a.protocolsView() == whole.protocolsView())
    }

    @Test func encode_whenSameEvents_givesSameBytes_andSurvivesRoundTrip() throws {
        let events = ops("http1", 40, failEvery: 4) + ops("grpc", 25) + [tick]
        let a: LatencyProjection = F.fold(events), b: LatencyProjection = F.fold(events)
        #expect(try F.sortedJSON(a) == F.sortedJSON(b))
        let back = try F.roundTrip(a)
        #expect(back == a)
        #expect(back.protocolsView() == a.protocolsView())
    }

    @Test func aCheckpointWrittenWithTheProtocolsProjection_stillLoads_andGivesTheSameView() throws {
        var set = ProjectionSet()
        for (i, e) in (ops("http1", 40, failEvery: 4) + ops("grpc", 25) + [tick]).enumerated() { set.apply(e, offset: UInt64(i)) }
        var stored = try #require(try JSONSerialization.jsonObject(with: JSONEncoder().encode(set)) as? [String: Any])
        #expect(stored["protocols"] == nil)
        // What checkpoints held before the view was read from the latency projection.
        stored["protocols"] = ["byProtocol": ["maxKeys": 256, "keys": ["grpc"]], "headSecond": 1]
        let loaded = try JSONDecoder().decode(ProjectionSet.self, from: JSONSerialization.data(withJSONObject: stored))
        #expect(loaded == set)
        #expect(loaded.latency.protocolsView() == set.latency.protocolsView())
    }
}
