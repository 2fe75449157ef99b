import EventStore
import Projections

/// Resident memory while folding a long metric stream over a fixed set of active
/// series, events built on the fly so only the fold's state grows.
enum MemoryBench {
    static func run(events: Int, seriesCount: Int, reportEvery: Int, withRollups: Bool) {
        let keys = Streams.metricKeys(seriesCount: seriesCount)
        var set = ProjectionSet()
        var rollups = SeriesProjection()
        let baselineKiB = Measure.residentKiB() ?? 0
        print("  RSS before folding (series keys built): \(baselineKiB) KiB")
        let clock = ContinuousClock()
        let start = clock.now
        var lastKiB = baselineKiB
        for index in 0..<events {
            let event = Streams.metricEvent(index, keys: keys)
            set.apply(event, offset: UInt64(index))
            if withRollups { rollups.apply(event, offset: UInt64(index)) }
            if (index + 1) % reportEvery == 0 || index + 1 == events {
                lastKiB = Measure.residentKiB() ?? 0
                let seconds = Measure.seconds(clock.now - start)
                print("  after \(index + 1) events: RSS \(lastKiB) KiB, growth \(lastKiB - baselineKiB) KiB, \(Measure.rate(Double(index + 1) / seconds))events/s so far")
            }
        }
        precondition(set.eventCount == UInt64(events), "every event must be folded")
        let perSeries = Double((lastKiB - baselineKiB) * 1024) / Double(seriesCount)
        Measure.line("RSS growth per active series (\(seriesCount) series\(withRollups ? ", with series rollups" : ""))", "\(Measure.fixed(perSeries, 0)) bytes", target: "≤ 2048 bytes, flat")
        if withRollups {
            print("  series rollups: \(rollups.seriesCount) series, tier footprint \(rollups.tierFootprintBytes) bytes")
        }
    }
}
