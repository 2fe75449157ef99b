import EventStore
import Foundation
import Testing
@testable import Projections

@Suite struct ThroughputProjectionTests {
    let s = WindowFixtures.second
    let t0 = WindowFixtures.t0
    typealias F = WindowFixtures

    /// `perSecond[i]` operations in second i, spread over the second.
    func stream(_ perSecond: [Int], from start: Int64? = nil, failEvery: Int = 0) -> [Event] {
        let base = start ?? t0
        var events: [Event] = []
        for (i, n) in perSecond.enumerated() {
            for k in 0..<n {
                let ok = failEvery == 0 || (k + 1) % failEvery != 0
                events.append(F.op(at: base + Int64(i) * s + Int64(k) * s / Int64(max(n, 1)), ok: ok))
            }
        }
        return events
    }

    @Test func apply_whenNoEvents_viewIsZero() {
        let v = ThroughputProjection().view()
        #expect(v.current == 0 && v.average == 0 && v.total == 0 && v.timeline.isEmpty)
        #expect(v.trend.percentChange == nil)
    }

    @Test func apply_whenSecondCompletes_currentIsItsCount() {
        let p: ThroughputProjection = F.fold(stream([3, 5, 1]))
        let v = p.view()
        // Second 2 is still filling: current is second 1.
        #expect(v.current == 5)
        #expect(v.total == 9)
        #expect(v.average == 4)
        #expect(v.asOf?.timeNs == t0 + 2 * s)
    }

    @Test func apply_whenSecondPasses_withNoOps_recordsZeroInTimeline() {
        let p: ThroughputProjection = F.fold(stream([2, 0, 0, 4, 1]))
        let v = p.view()
        #expect(v.timeline.count == 60)
        #expect(v.timeline.suffix(4).map(\.count) == [2, 0, 0, 4])
        #expect(v.timeline.suffix(4).map(\.rps) == [2, 0, 0, 4])
        #expect(v.lowest == 0)
        #expect(v.peak == 4)
        #expect(v.peakAt?.timeNs == t0 + 3 * s)
        // Mean over the 4 observed complete seconds, not over 60.
        #expect(v.average == 1.5)
    }

    @Test func view_whenReadLaterThanLastEvent_countsPassedSecondsAsZero() {
        let p: ThroughputProjection = F.fold(stream([10, 10]))
        let v = p.view(atNs: t0 + 30 * s)
        #expect(v.current == 0)
        #expect(v.windowCount == 20)
        #expect(v.average == 20.0 / 30.0)
        #expect(p.view(atNs: t0 + 200 * s).windowCount == 0)
    }

    @Test func apply_whenOpIsOlderThanWindow_countsInTotalAndHistoryButNotWindow() {
        var p: ThroughputProjection = F.fold(stream([1], from: t0 + 300 * s))
        let windowBefore = p.view().timeline
        p.apply(F.op(at: t0 + 10 * s), offset: 99)
        let v = p.view()
        #expect(v.total == 2)
        #expect(v.lateEvents == 1)
        #expect(v.timeline == windowBefore)
        #expect(v.history.map(\.count).reduce(0, +) == 2)
    }

    @Test func apply_whenOpIsFarInFuture_movesWindow_andLaterNormalOpsAreLate() {
        var p: ThroughputProjection = F.fold(stream([5, 5]))
        p.apply(F.op(at: t0 + 10 * 365 * 86_400 * s), offset: 10)
        p.apply(F.op(at: t0 + 2 * s), offset: 11)
        let v = p.view()
        #expect(v.total == 12)
        #expect(v.windowCount == 0)
        #expect(v.lateEvents == 1)
        #expect(v.timeline.count == 60)
    }

    @Test func apply_whenFailuresOccur_countsErrorsAndErrorPercent() {
        let p: ThroughputProjection = F.fold(stream([10, 10, 1], failEvery: 5))
        let v = p.view()
        #expect(v.errors == 4)
        #expect(v.windowErrors == 4)
        #expect(v.errorPercent == 20)
    }

    @Test func view_whenTrafficDoubles_trendIsUpHundredPercent() {
        let p: ThroughputProjection = F.fold(stream(Array(repeating: 2, count: 60) + Array(repeating: 4, count: 60) + [1]))
        let t = p.view().trend
        #expect(t.previousAverage == 2)
        #expect(t.currentAverage == 4)
        #expect(t.percentChange == 100)
        #expect(t.direction == "up")
    }

    @Test func view_whenPreviousWindowNotFullyObserved_trendIsUnknown() {
        let p: ThroughputProjection = F.fold(stream(Array(repeating: 2, count: 90)))
        #expect(p.view().trend.percentChange == nil)
        #expect(p.view().trend.direction == "unknown")
    }

    @Test func apply_whenMinutesPass_historyHoldsPerMinuteCounts() {
        let events = [F.op(at: t0), F.op(at: t0 + 59 * s), F.op(at: t0 + 60 * s), F.op(at: t0 + 3 * 60 * s)]
        let h = (F.fold(events) as ThroughputProjection).view().history
        #expect(h.map(\.count) == [2, 1, 1])
        #expect(h.map(\.timeNs) == [t0, t0 + 60 * s, t0 + 180 * s])
        #expect(h[0].rps == 2.0 / 60)
    }

    @Test func apply_whenBusiestSecondLeavesWindow_peakSinceStartRemembersIt() {
        let p: ThroughputProjection = F.fold(stream([50] + Array(repeating: 1, count: 100)))
        let v = p.view()
        #expect(v.peak == 1)
        #expect(v.peakSinceStart == 50)
        #expect(v.peakSinceStartAt?.timeNs == t0)
        #expect(v.peakSinceStartAt?.time == "2026-01-01T00:00:00Z")
    }

    @Test func merge_whenShardsSplitTheStream_countsAdd() {
        let events = stream([4, 6, 8, 2, 1], failEvery: 3)
        var a = ThroughputProjection(), b = ThroughputProjection()
        for (i, e) in events.enumerated() { if i % 2 == 0 { a.apply(e, offset: UInt64(i)) } else { b.apply(e, offset: UInt64(i)) } }
        a.merge(b)
        let whole: ThroughputProjection = F.fold(events)
        #expect(a.view() == whole.view())
        #expect(a.seconds == whole.seconds && a.minutes == whole.minutes && a.totals == whole.totals)
    }

    @Test func encode_whenSameEvents_givesSameBytes_andSurvivesRoundTrip() throws {
        let events = stream([3, 0, 7, 2], failEvery: 2) + [F.op(at: t0 - 1000 * s)]
        let a: ThroughputProjection = F.fold(events)
        let b: ThroughputProjection = F.fold(events)
        #expect(try F.sortedJSON(a) == F.sortedJSON(a))
        #expect(try F.sortedJSON(a) == F.sortedJSON(b))
        var back = try F.roundTrip(a)
        #expect(back == a)
        var direct = a
        back.apply(F.op(at: t0 + 5 * s), offset: 100)
        direct.apply(F.op(at: t0 + 5 * s), offset: 100)
        #expect(try F.sortedJSON(back) == F.sortedJSON(direct))
    }

    @Test func apply_whenOtherEventTypes_ignoresThem() {
        let p: ThroughputProjection = F.fold([F.metric(at: t0, "cpu_percent", ["core": "total"], 5)])
        #expect(p == ThroughputProjection())
    }
}
