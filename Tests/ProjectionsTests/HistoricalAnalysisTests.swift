import EventStore
import Foundation
import Testing
@testable import Projections

@Suite struct HistoricalAnalysisTests {
    let s = WindowFixtures.second
    let m = 60 * WindowFixtures.second
    let t0 = WindowFixtures.t0
    typealias F = WindowFixtures

    func summarize(_ values: [Double], metric: HistoricalMetric = .throughput) -> HistoricalView {
        let points = values.enumerated().map { (t0 + Int64($0.offset) * m, $0.element) }
        return HistoricalAnalysis.summarize(metric: metric, range: .oneHour, fromNs: t0, toNs: t0 + 3600 * s, stepNs: m, points: points)
    }

    @Test func summarize_givesAveragePeakLowAndPopulationStandardDeviation() {
        let v = summarize([2, 4, 4, 4, 5, 5, 7, 9])
        #expect(v.average == 5 && v.standardDeviation == 2)
        #expect(v.peak == 9 && v.peakAt?.timeNs == t0 + 7 * m)
        #expect(v.low == 2 && v.lowAt?.timeNs == t0)
        #expect(v.sampleCount == 8 && v.timeSeries.count == 8)
    }

    @Test func summarize_whenSpike_saysPeakWithDeviationsAboveMean() {
        let v = summarize(Array(repeating: 100, count: 20) + [1240] + Array(repeating: 100, count: 9))
        let peak = v.insights.first { $0.type == "peak" }!.message
        #expect(peak.hasPrefix("Peak of 1,240 ops/s at 00:20:00, 5.4 standard deviations above the mean"))
    }

    @Test func summarize_whenRising_saysTrendingUpByFittedPercent() {
        // A straight line from 50 to 56: +12 %.
        let v = summarize((0...6).map { 50 + Double($0) }, metric: .cpu)
        #expect(v.insights.contains { $0.type == "trend" && $0.message == "CPU trending up 12 % over the range." })
    }

    @Test func summarize_whenFlat_saysSteady_andStable() {
        let v = summarize([30, 30, 30, 30], metric: .cpu)
        #expect(v.standardDeviation == 0)
        #expect(v.insights.map(\.message) == ["CPU held steady at 30.0 % over 4 points.", "CPU stable over the range (+0.0 %)."])
    }

    @Test func summarize_whenNoData_saysSoAndLeavesStatsOut() {
        let v = summarize([])
        #expect(v.average == nil && v.peak == nil && v.sampleCount == 0)
        #expect(v.insights == [.init(type: "info", message: "No Throughput data in the last 1h.")])
    }

    @Test func analyze_cpu_readsTheTotalCPUSeriesAtTheRangeStep() {
        let events = (0..<(15 * 60)).map { F.metric(at: t0 + Int64($0) * s, "cpu_percent", ["core": "total"], $0 < 450 ? 20 : 40) }
        let series: SeriesProjection = F.fold(events)
        let v = HistoricalAnalysis.analyze(metric: .cpu, range: .fifteenMinutes, endNs: t0 + 15 * m - 1, series: series,
                                           throughput: ThroughputProjection(), latency: LatencyProjection())
        // The 1 s tier holds 5 minutes only, so 15 minutes come from the 1 min tier.
        #expect(v.sampleCount == 15)
        // Rollups keep Float32 means: equal to 30 within Float32 precision.
        #expect(abs(v.average! - 30) < 1e-4)
        #expect(v.low == 20 && v.peak == 40)
    }

    @Test func analyze_throughput_usesPerMinuteRates_fromFirstObservedMinute() {
        var events: [Event] = []
        for minute in 0..<10 { for k in 0..<(minute < 5 ? 60 : 120) { events.append(F.op(at: t0 + Int64(minute) * m + Int64(k) * s / 2)) } }
        let throughput: ThroughputProjection = F.fold(events)
        let v = HistoricalAnalysis.analyze(metric: .throughput, range: .oneHour, endNs: t0 + 10 * m, series: SeriesProjection(),
                                           throughput: throughput, latency: LatencyProjection())
        #expect(v.sampleCount == 10)
        #expect(v.timeSeries.map(\.value) == Array(repeating: 1, count: 5) + Array(repeating: 2, count: 5))
        #expect(v.average == 1.5)
    }

    @Test func analyze_latency_andErrorRate_usePerMinuteHistory() {
        var events: [Event] = []
        for minute in 0..<3 { for k in 0..<100 { events.append(F.op(at: t0 + Int64(minute) * m + Int64(k) * s / 2, durationMs: Double(minute + 1) * 10, ok: k >= minute)) } }
        let latency: LatencyProjection = F.fold(events)
        let lat = HistoricalAnalysis.analyze(metric: .latency, range: .fifteenMinutes, endNs: t0 + 5 * m, series: SeriesProjection(),
                                             throughput: ThroughputProjection(), latency: latency)
        #expect(lat.timeSeries.count == 3)
        for (value, exact) in zip(lat.timeSeries.map(\.value), [10.0, 20, 30]) {
            #expect(abs(value - exact) / exact <= LatencyScale.relativeErrorMax)
        }
        let err = HistoricalAnalysis.analyze(metric: .errorRate, range: .fifteenMinutes, endNs: t0 + 5 * m, series: SeriesProjection(),
                                             throughput: ThroughputProjection(), latency: latency)
        #expect(err.timeSeries.map(\.value) == [0, 1, 2])
    }

    @Test func metric_parsing_mapsDashboardNamesAndFallsBackToSeries() {
        #expect(HistoricalMetric(parsing: "rps") == .throughput)
        #expect(HistoricalMetric(parsing: "latency") == .latency)
        #expect(HistoricalMetric(parsing: "queue_depth", labels: ["q": "a"]) == .series(name: "queue_depth", labels: ["q": "a"]))
        #expect(HistoricalRange(rawValue: "7d")?.durationNs == 7 * 24 * 3600 * s)
    }

    @Test func format_groupsThousands_andRoundsDecimals() {
        #expect(HistoricalAnalysis.format(1240) == "1,240")
        #expect(HistoricalAnalysis.format(1_234_567.8) == "1,234,568")
        #expect(HistoricalAnalysis.format(12.345) == "12.3")
        #expect(HistoricalAnalysis.format(-3.14159, decimals: 2) == "-3.14")
        #expect(HistoricalAnalysis.clock(t0 + 3600 * s + 3 * m + 7 * s, withDate: false) == "01:03:07")
    }
}
