import EventStore
import Foundation
import Testing
@testable import Projections

@Suite struct VitalsProjectionTests {
    let s = WindowFixtures.second
    let t0 = WindowFixtures.t0
    typealias F = WindowFixtures

    func cpu(_ core: String, _ v: Double, at t: Int64) -> Event { F.metric(at: t, "cpu_percent", ["core": core], v) }
    func mem(_ kind: String, _ v: Double, at t: Int64) -> Event { F.metric(at: t, "memory_bytes", ["kind": kind], v) }
    func load(_ period: String, _ v: Double, at t: Int64) -> Event { F.metric(at: t, "load_average", ["period": period], v) }

    @Test func apply_whenNoVitals_viewsAreEmpty() {
        let p = VitalsProjection()
        #expect(p.cpuView().total == nil && p.cpuView().cores.isEmpty && p.cpuView().loadAverage.isEmpty)
        #expect(p.memoryView().used == nil && p.memoryView().usedPercent == nil)
    }

    @Test func apply_whenCoresArriveOutOfOrder_listsThemNumerically() {
        let events = ["10", "2", "0", "1"].enumerated().map { cpu($1, Double($0), at: t0) } + [cpu("total", 55, at: t0)]
        let v = (F.fold(events) as VitalsProjection).cpuView()
        #expect(v.cores.map(\.core) == [0, 1, 2, 10])
        #expect(v.cores.map(\.utilization) == [2, 3, 1, 0])
        #expect(v.total == 55 && v.totalUtilization == 55)
    }

    @Test func apply_whenSampleIsOlderThanLatest_keepsTheNewerReading() {
        let v = (F.fold([cpu("total", 40, at: t0 + 5 * s), cpu("total", 90, at: t0)]) as VitalsProjection).cpuView()
        #expect(v.total == 40)
        #expect(v.asOf?.timeNs == t0 + 5 * s)
    }

    @Test func apply_whenMemoryKindsReported_givesBreakdownAndPercentages() {
        let gib = 1_073_741_824.0
        let events = [mem("total", 16 * gib, at: t0), mem("used", 4 * gib, at: t0), mem("available", 12 * gib, at: t0),
                      mem("buffers", 1 * gib, at: t0), mem("cached", 2 * gib, at: t0), mem("swap_used", 0, at: t0)]
        let v = (F.fold(events) as VitalsProjection).memoryView()
        #expect(v.total == 16 * gib && v.used == 4 * gib && v.swapUsed == 0)
        #expect(v.usedPercent == 25 && v.availablePercent == 75)
        #expect(v.bufferCache == 3 * gib)
        #expect(v.history.map(\.usedPercent) == [25])
    }

    @Test func apply_whenLoadAveragesReported_listsThemInPeriodOrder() {
        let v = (F.fold([load("15m", 0.5, at: t0), load("1m", 2, at: t0), load("5m", 1, at: t0)]) as VitalsProjection).cpuView()
        #expect(v.loadAverage == [2, 1, 0.5])
        #expect(v.load.fiveMinutes == 1)
    }

    @Test func ruleFigures_areTheNumbersTheViewsShow() {
        let gib = 1_073_741_824.0
        var set = ProjectionSet()
        #expect(set.figure(.cpuPercent) == nil && set.figure(.memoryAvailablePercent) == nil && set.figure(.loadAverage1m) == nil)
        let events = [cpu("total", 70, at: t0), cpu("total", 35, at: t0 + s), mem("total", 16 * gib, at: t0), mem("available", 4 * gib, at: t0 + s),
                      load("1m", 1.5, at: t0), load("5m", 1, at: t0)]
        for (offset, event) in events.enumerated() { set.apply(event, offset: UInt64(offset)) }
        #expect(set.figure(.cpuPercent) == set.vitals.cpuView().total && set.figure(.cpuPercent) == 35)
        #expect(set.figure(.memoryAvailablePercent) == set.vitals.memoryView().availablePercent && set.figure(.memoryAvailablePercent) == 25)
        #expect(set.figure(.loadAverage1m) == set.vitals.cpuView().load.oneMinute && set.figure(.loadAverage1m) == 1.5)
    }

    @Test func apply_whenLabelUnknown_countsIgnoredAndChangesNothing() {
        let p: VitalsProjection = F.fold([cpu("x", 1, at: t0), mem("weird", 1, at: t0), load("2m", 1, at: t0), F.metric(at: t0, "cpu_percent", [:], 3)])
        #expect(p.ignoredSamples == 4)
        #expect(p.cpuView().cores.isEmpty && p.cpuView().total == nil)
    }

    @Test func apply_whenSecondsPass_historyKeepsLastSixtySecondsWithNewestPerSecond() {
        var events: [Event] = []
        for i in 0..<100 {
            events.append(cpu("total", Double(i), at: t0 + Int64(i) * s))
            events.append(cpu("total", Double(i) + 0.5, at: t0 + Int64(i) * s + s / 2))
        }
        let h = (F.fold(events) as VitalsProjection).cpuView().history
        #expect(h.count == 60)
        #expect(h.first?.timeNs == t0 + 40 * s)
        #expect(h.first?.total == 40.5)
        #expect(h.last?.total == 99.5)
    }

    @Test func merge_keepsNewestReadingOfEachFigure() {
        var a: VitalsProjection = F.fold([cpu("total", 10, at: t0), cpu("0", 5, at: t0 + 3 * s), mem("used", 100, at: t0)])
        let b: VitalsProjection = F.fold([cpu("total", 20, at: t0 + s), cpu("0", 7, at: t0), cpu("1", 9, at: t0), mem("used", 50, at: t0 - s)])
        a.merge(b)
        #expect(a.cpuView().total == 20)
        #expect(a.cpuView().cores.map(\.utilization) == [5, 9])
        #expect(a.memoryView().used == 100)
    }

    @Test func encode_whenSameEvents_givesSameBytes_andSurvivesRoundTrip() throws {
        let events = [cpu("total", 10, at: t0), cpu("3", 5, at: t0), cpu("1", 6, at: t0 + s), mem("used", 100, at: t0), load("1m", 1, at: t0)]
        let a: VitalsProjection = F.fold(events), b: VitalsProjection = F.fold(events)
        #expect(try F.sortedJSON(a) == F.sortedJSON(b))
        let back = try F.roundTrip(a)
        #expect(back == a)
        #expect(back.cpuView() == a.cpuView() && back.memoryView() == a.memoryView())
    }
}
