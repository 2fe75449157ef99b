import EventStore
import Projections

/// Resident memory while folding a long metric stream over a fixed set of active
/// series, events built on the fly so only the fold's state grows. Every view is
/// folded, the series rollups (`ProjectionSet.series`) among them.
enum MemoryBench {
    /// `retention` "live" is what the server keeps (`SeriesRetention.live`); "standard"
    /// keeps a day of minutes and a week of hours in memory, as before sealed segments
    /// had their own minute rollups: the comparison in one binary.
    static func run(events: Int, seriesCount: Int, reportEvery: Int, intervalSeconds: Int, retention: String) {
        let keys = Streams.metricKeys(seriesCount: seriesCount)
        var set = ProjectionSet()
        if retention == "standard" { set.series = SeriesProjection(retention: .standard, seriesMax: SeriesProjection.seriesMaxDefault) }
        print("  series tiers: \(retention) (\(set.series.retention.second.capacity) s, \(set.series.retention.minute.capacity) min, \(set.series.retention.hour.capacity) h)")
        let baselineKiB = Measure.residentKiB() ?? 0
        print("  one sample per series every \(intervalSeconds) s of event time")
        print("  RSS before folding (series keys built): \(baselineKiB) KiB")
        let clock = ContinuousClock()
        let start = clock.now
        var lastKiB = baselineKiB
        for index in 0..<events {
            let event = Streams.metricEvent(index, keys: keys, intervalSeconds: intervalSeconds)
            set.apply(event, offset: UInt64(index))
            if (index + 1) % reportEvery == 0 || index + 1 == events {
                lastKiB = Measure.residentKiB() ?? 0
                let seconds = Measure.seconds(clock.now - start)
                print("  after \(index + 1) events: RSS \(lastKiB) KiB, growth \(lastKiB - baselineKiB) KiB, \(Measure.rate(Double(index + 1) / seconds))events/s so far")
            }
        }
        precondition(set.eventCount == UInt64(events), "every event must be folded")
        let perSeries = Double((lastKiB - baselineKiB) * 1024) / Double(seriesCount)
        Measure.line("RSS growth per active series (\(seriesCount) series)", "\(Measure.fixed(perSeries, 0)) bytes", target: "≤ 2048 bytes, flat")
        print("  series rollups: \(set.series.seriesCount) series, tier footprint \(set.series.tierFootprintBytes) bytes")
    }
}
