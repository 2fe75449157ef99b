import EventStore
import Foundation
import Testing
@testable import Projections

@Suite struct SeriesProjectionTests {
    let s = WindowFixtures.second
    let t0 = WindowFixtures.t0
    typealias F = WindowFixtures
    let cpu = SeriesKey(name: "cpu_percent", labels: Labels(["core": "total"]))

    func g(_ t: Int64, _ v: Double, _ name: String = "cpu_percent", _ labels: [String: String] = ["core": "total"]) -> Event {
        F.metric(at: t, name, labels, v)
    }

    func c(_ t: Int64, _ v: Double) -> Event { F.metric(at: t, "requests_total", [:], v, kind: .counter) }

    @Test func apply_whenSamplesInOneSecond_rollsUpMinMaxMeanCountLast() {
        let p: SeriesProjection = F.fold([g(t0, 4), g(t0 + s / 4, 1), g(t0 + s / 2, 7)])
        let points = p.query(name: "cpu_percent", labels: cpu.labels, fromNs: t0, toNs: t0 + s, stepNs: s)
        #expect(points.count == 1)
        let pt = points[0]
        #expect(pt.min == 1 && pt.max == 7 && pt.mean == 4 && pt.last == 7 && pt.count == 3)
        #expect(pt.rate == nil)
        #expect(pt.time == "2026-01-01T00:00:00Z")
    }

    @Test func merge_ofShardsWithDisjointSeries_equalsFoldingBoth() {
        let eu = (0..<5).map { g(t0 + Int64($0) * s, Double($0), "requests", ["region": "eu"]) }
        let us = (0..<5).map { g(t0 + Int64($0) * s + s / 2, Double($0 * 2), "requests", ["region": "us"]) }
        var merged: SeriesProjection = F.fold(eu)
        merged.merge(F.fold(us))
        let both: SeriesProjection = F.fold(eu + us)
        #expect(merged == both)
        #expect(merged.seriesCount == 2)
    }

    @Test func merge_ofASeriesBothShardsHold_keepsTheNewerAndCountsTheOthersSamplesDropped() {
        var older: SeriesProjection = F.fold([g(t0, 1), g(t0 + s, 2)])
        let newer: SeriesProjection = F.fold([g(t0 + 5 * s, 9)])
        older.merge(newer)
        #expect(older.seriesCount == 1)
        #expect(older.state(of: cpu) == newer.state(of: cpu))
        #expect(older.droppedSamples == 2)
    }

    @Test func query_whenStepCoarserThanTier_groupsBucketsAndSkipsEmptySteps() {
        let events = (0..<10).map { g(t0 + Int64($0) * s, Double($0)) } + [g(t0 + 25 * s, 100)]
        let p: SeriesProjection = F.fold(events)
        let points = p.query(name: "cpu_percent", labels: cpu.labels, fromNs: t0, toNs: t0 + 29 * s, stepNs: 5 * s)
        #expect(points.map(\.timeNs) == [t0, t0 + 5 * s, t0 + 25 * s])
        #expect(points.map(\.mean) == [2, 7, 100])
        #expect(points.map(\.count) == [5, 5, 1])
        #expect(points[1].min == 5 && points[1].max == 9 && points[1].last == 9)
    }

    @Test func query_whenRangeOlderThanSecondTier_fallsBackToMinuteTier() throws {
        // One sample a second for 20 minutes: the 1 s tier (5 min) no longer holds the start.
        let events = (0..<1200).map { g(t0 + Int64($0) * s, Double($0 / 60)) }
        var p = SeriesProjection(retention: .standard, seriesMax: 10)
        for (offset, event) in events.enumerated() { p.apply(event, offset: UInt64(offset)) }
        let r = try #require(p.queryResult(key: cpu, fromNs: t0, toNs: t0 + 1200 * s, stepNs: s))
        #expect(r.tierWidthNs == 60 * s && r.stepNs == 60 * s)
        #expect(r.points.count == 20)
        #expect(r.points.map(\.mean) == (0..<20).map(Double.init))
        #expect(r.points.allSatisfy { $0.count == 60 })
        let recent = try #require(p.queryResult(key: cpu, fromNs: t0 + 1100 * s, toNs: t0 + 1200 * s, stepNs: s))
        #expect(recent.tierWidthNs == s && recent.points.count == 100)
    }

    @Test func query_whenRangeOlderThanMinuteTier_fallsBackToHourTier() throws {
        let r0 = SeriesRetention(secondBuckets: 10, minuteBuckets: 10, hourBuckets: 24)
        var p = SeriesProjection(retention: r0, seriesMax: 10)
        for i in 0..<(3 * 60) { p.apply(g(t0 + Int64(i) * 60 * s, Double(i / 60)), offset: UInt64(i)) }
        let r = try #require(p.queryResult(key: cpu, fromNs: t0, toNs: t0 + 3 * 3600 * s, stepNs: s))
        #expect(r.tierWidthNs == 3600 * s)
        #expect(r.points.map(\.mean) == [0, 1, 2])
    }

    @Test func apply_whenCounterGrows_rateIsIncreasePerSecond() {
        let events = (0..<10).map { c(t0 + Int64($0) * s, Double($0) * 50) }
        let p: SeriesProjection = F.fold(events)
        let points = p.query(name: "requests_total", labels: .empty, fromNs: t0, toNs: t0 + 9 * s, stepNs: 5 * s)
        // First step: increases 50 × 4 (the first sample has none) over 5 s; second: 50 × 5.
        #expect(points.map(\.rate) == [40, 50])
    }

    @Test func apply_whenCounterResets_countsRestartFromZero() {
        let p: SeriesProjection = F.fold([c(t0, 100), c(t0 + s, 130), c(t0 + 2 * s, 10), c(t0 + 3 * s, 25)])
        let points = p.query(name: "requests_total", labels: .empty, fromNs: t0, toNs: t0 + 3 * s, stepNs: s)
        #expect(points.map(\.rate) == [0, 30, 10, 15])
    }

    @Test func apply_whenCounterSampleOutOfOrder_addsNoIncrease() {
        let p: SeriesProjection = F.fold([c(t0, 100), c(t0 + 2 * s, 130), c(t0 + s, 110), c(t0 + 3 * s, 140)])
        let points = p.query(name: "requests_total", labels: .empty, fromNs: t0, toNs: t0 + 3 * s, stepNs: s)
        #expect(points.map(\.rate) == [0, 0, 30, 10])
    }

    @Test func apply_whenSeriesMaxReached_dropsSamplesOfNewSeriesOnly() {
        var p = SeriesProjection(retention: .standard, seriesMax: 2)
        for (i, name) in ["a", "b", "c", "a", "d"].enumerated() { p.apply(g(t0, 1, name, [:]), offset: UInt64(i)) }
        #expect(p.seriesCount == 2)
        #expect(p.droppedSamples == 2)
        #expect(p.state(of: SeriesKey(name: "a"))?.seconds.bucket(atUnit: t0 / s)?.count == 2)
    }

    @Test func apply_whenSampleOlderThanEveryTier_countsLate_andChangesNoBucket() {
        let r0 = SeriesRetention(secondBuckets: 5, minuteBuckets: 2, hourBuckets: 1)
        var p = SeriesProjection(retention: r0, seriesMax: 10)
        p.apply(g(t0 + 7200 * s, 1), offset: 0)
        let before = p.state(of: cpu)
        p.apply(g(t0, 99), offset: 1)
        #expect(p.lateSamples == 1)
        #expect(p.state(of: cpu) == before)
    }

    @Test func apply_whenSampleBeforeFirstBucket_prependsWhileTierHasRoom() {
        let p: SeriesProjection = F.fold([g(t0 + 10 * s, 1), g(t0 + 7 * s, 2)])
        let state = p.state(of: cpu)!
        #expect(state.seconds.count == 4)
        #expect(state.seconds.bucket(atUnit: t0 / s + 7)?.last == 2)
        #expect(state.seconds.bucket(atUnit: t0 / s + 8)?.isEmpty == true)
    }

    @Test func apply_whenSeriesRunsLongerThanTiers_memoryStaysBounded() {
        let r0 = SeriesRetention(secondBuckets: 30, minuteBuckets: 5, hourBuckets: 2)
        var p = SeriesProjection(retention: r0, seriesMax: 10)
        for i in 0..<5000 { p.apply(g(t0 + Int64(i) * 3 * s, Double(i)), offset: UInt64(i)) }
        let state = p.state(of: cpu)!
        #expect(state.seconds.count == 30 && state.minutes.count == 5 && state.hours.count == 2)
        #expect(state.seconds.bucket(atUnit: (t0 + 4999 * 3 * s) / s)?.last == 4999)
        // Each tier's storage stops at its capacity (not at the next power of two).
        #expect(state.seconds.footprintBytes <= (30 + 2) * MemoryLayout<Rollup>.stride)
        let standard: SeriesProjection = F.fold((0..<400).map { g(t0 + Int64($0) * s, Double($0)) })
        #expect(standard.state(of: cpu)!.seconds.footprintBytes <= (300 + 2) * MemoryLayout<Rollup>.stride)
        // A jump longer than a tier resets it instead of walking through the gap.
        p.apply(g(t0 + 400 * 86_400 * s, 1), offset: 9999)
        #expect(p.state(of: cpu)!.seconds.count == 1)
    }

    @Test func apply_whenYoungSeries_footprintIsSmall_andFullFootprintMatchesRetention() {
        let p: SeriesProjection = F.fold((0..<60).map { g(t0 + Int64($0) * s, 1) })
        // 60 one-second buckets (array capacity may round up) plus one minute and one hour bucket.
        #expect(p.tierFootprintBytes <= 100 * MemoryLayout<Rollup>.stride)
        #expect(MemoryLayout<Rollup>.stride == 24)
        #expect(SeriesRetention.standard.bytesPerSeriesFull == (300 + 1440 + 168) * 24)
    }

    @Test func apply_whenValueBeyondFloatRange_clampsToLargestFinite() throws {
        let p: SeriesProjection = F.fold([g(t0, 1e300), g(t0, -1e300)])
        let pt = p.query(name: "cpu_percent", labels: cpu.labels, fromNs: t0, toNs: t0, stepNs: s)[0]
        #expect(pt.max == Double(Float.greatestFiniteMagnitude))
        #expect(pt.min == -Double(Float.greatestFiniteMagnitude))
        #expect(try F.roundTrip(p) == p)
    }

    @Test func encode_whenSeriesArriveInDifferentOrder_givesEqualStateAndSameBytes() throws {
        let a1 = (0..<20).map { g(t0 + Int64($0) * s, Double($0), "a", ["x": "1"]) }
        let b1 = (0..<20).map { c(t0 + Int64($0) * s, Double($0 * $0)) }
        let interleaved = zip(a1, b1).flatMap { [$0, $1] }
        let first: SeriesProjection = F.fold(b1 + a1)
        let second: SeriesProjection = F.fold(interleaved)
        #expect(first == second)
        #expect(try F.sortedJSON(first) == F.sortedJSON(second))
        var back = try F.roundTrip(first)
        #expect(back == first)
        var direct = second
        back.apply(g(t0 + 30 * s, 5, "new"), offset: 100)
        direct.apply(g(t0 + 30 * s, 5, "new"), offset: 100)
        back.apply(c(t0 + 30 * s, 1000), offset: 101)
        direct.apply(c(t0 + 30 * s, 1000), offset: 101)
        #expect(back == direct)
        #expect(try F.sortedJSON(back) == F.sortedJSON(direct))
    }

    /// What a view snapshot and a `?at=` answer hold: only the series other views read,
    /// folded on as a fresh fold of the same events would hold them.
    @Test func omitted_keepsOnlyTheSeriesViewsRead_foldsOnLikeAFreshFold_andRoundTrips() throws {
        func pair(_ second: Int) -> [Event] {
            let t = t0 + Int64(second) * s
            return [g(t, Double(second)), g(t, Double(second + 1), "http_connections", ["state": "active"])]
        }
        let before: [Event] = (0..<10).flatMap(pair)
        let after: [Event] = (10..<20).flatMap(pair)
        let folded: SeriesProjection = F.fold(before)
        var omitted = folded.omitted()
        #expect(omitted.isOmitted)
        #expect(omitted.keys.map { $0.name } == ["http_connections"])
        for (n, event) in after.enumerated() { omitted.apply(event, offset: UInt64(100 + n)) }
        let full: SeriesProjection = F.fold(before + after)
        #expect(omitted == full.omitted())
        #expect(omitted != full)
        #expect(try F.roundTrip(omitted) == omitted)
        #expect(try CompactDecoder.decode(SeriesProjection.self, from: try CompactEncoder.encode(omitted)) == omitted)
        // A restart from it goes on live: the kept series whole, the others from there on.
        var restarted = omitted.restarted()
        restarted.apply(g(t0 + 30 * s, 5), offset: 200)
        #expect(!restarted.isOmitted && restarted.seriesCount == 2)
        #expect(restarted.state(of: cpu)?.seconds.count == 1)
    }

    @Test func decode_ofAnOmittedProjectionHoldingOtherSeries_isRefused() throws {
        let full: SeriesProjection = F.fold([g(t0, 1)])
        var json = try #require(String(data: try JSONEncoder().encode(full), encoding: .utf8))
        json.removeLast()
        json += #","omitted":true}"#
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(SeriesProjection.self, from: Data(json.utf8)) }
    }

    @Test func query_whenSeriesUnknownOrRangeEmpty_returnsNoPoints() {
        let p: SeriesProjection = F.fold([g(t0, 1)])
        #expect(p.query(name: "nope", labels: .empty, fromNs: t0, toNs: t0 + s, stepNs: s).isEmpty)
        #expect(p.query(name: "cpu_percent", labels: cpu.labels, fromNs: t0 + s, toNs: t0, stepNs: s).isEmpty)
        #expect(p.keys(named: "cpu_percent") == [cpu])
    }
}
