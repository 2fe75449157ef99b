import EventStore
import Foundation
import Projections

/// A day of one series' minutes on a log of many series, two ways in one run: through
/// the sealed segments' minute rollups (`MetricSampleScanner.minuteRollups`, what
/// `/api/v1/rollups` reads before the live state's half hour) and by folding every
/// sample of the series (what `?at=` did before, `LogSeriesRollups.fold`'s way: every
/// batch holding the series read and decoded). The decoded-sample cache is off, so
/// both read the files.
enum RollupReadBench {
    static func run(seriesCount: Int, hours: Int, intervalSeconds: Int, segmentBytes: Int, runs: Int, directory: String) async throws {
        let keys = Streams.metricKeys(seriesCount: seriesCount)
        var options = LogOptions()
        options.retentionAgeNs = nil
        options.fsync = .never
        options.segmentBytesMax = UInt64(segmentBytes)
        options.decodedSampleCacheBytes = 0
        let log = try EventLog.open(directory: directory, options: options)
        let rounds = hours * 3600 / intervalSeconds
        let clock = ContinuousClock()
        let written = try await clock.measure {
            for round in 0..<rounds {
                var batch: [Event] = []
                batch.reserveCapacity(keys.count)
                for slot in 0..<keys.count { batch.append(Streams.metricEvent(round * keys.count + slot, keys: keys, intervalSeconds: intervalSeconds)) }
                _ = try await log.append(batch)
            }
            await log.waitForMaintenance()
        }
        let segments = log.segments()
        print("  \(rounds * keys.count) samples (\(seriesCount) series, every \(intervalSeconds) s, \(hours) h) in \(segments.count) segments, written and sealed in \(Measure.fixed(Measure.seconds(written), 1)) s")
        let key = keys[keys.count / 2 + 8].key  // a counter
        let fromNs = Streams.startTimeNs
        let toNs = Streams.startTimeNs + Int64(hours) * 3600 * 1_000_000_000
        let samples = log.metricSamples
        var minuteCount = 0
        let throughRollups = Measure.median(runs) {
            minuteCount = (try? samples.minuteRollups(of: key, fromNs: fromNs, toNs: toNs))??.units.count ?? -1
        }
        var folded = 0
        let throughSamples = Measure.median(runs) {
            var projection = SeriesProjection(retention: .standard, seriesMax: 1)
            var offset: UInt64 = 0
            _ = try? samples.scan(fromNs: fromNs, toNs: toNs, name: key.name, labelsEqual: key.labels.pairs, wants: { $0 == key }) { series, kind, times, values in
                for i in 0..<times.count {
                    projection.apply(Event(timeNs: times[i], body: .metric(MetricSample(series: series, value: values[i], kind: kind))), offset: offset)
                    offset += 1
                }
            }
            folded = Int(offset)
        }
        var statistics = MinuteRollupStatistics()
        _ = try samples.minuteRollups(of: key, fromNs: fromNs, toNs: toNs, statistics: &statistics)
        print("  series \(key): \(minuteCount) minutes, \(folded) samples; segments read through rollup files \(statistics.segmentsFromFiles), by their samples \(statistics.segmentsFromSamples)")
        Measure.line("a day of one series' minutes, through the segments' rollups", "\(Measure.fixed(throughRollups * 1000, 1)) ms (median of \(runs))")
        Measure.line("the same, folding every sample of the series (peer)", "\(Measure.fixed(throughSamples * 1000, 1)) ms (median of \(runs))")
        try await log.close()
    }
}
