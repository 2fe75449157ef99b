import EventStore
import Projections

/// Series rollups folded from the log's samples of the series asked for, into the
/// day-long tiers (`SeriesRetention.standard`): the live state keeps a minute of
/// seconds and half an hour of minutes, view snapshots and `?at=` answers of many
/// series none (`SeriesProjection`), and a replay's cursor may have started from a
/// snapshot.
///
/// The fold takes, in log order, every sample of the series whose time is within
/// `fromNs - counterLookbackNs ... toNs`: the same buckets as the fold of every event at
/// or before `toNs`, except where the whole history matters: a counter's first increase
/// after a gap longer than the lookback (the sample before it is not read), and a
/// tier's eviction (this fold keeps the span from `fromNs` on in every tier).
enum LogSeriesRollups {
    /// Samples this far before the range are read for a counter's first increase in it,
    /// as PromQL looks back 5 minutes for an instant's sample.
    static let counterLookbackNs: Int64 = 5 * 60 * EventTime.nanosPerSecond
    /// Events one read may scan; past it the request is refused with what to narrow.
    static let eventsScannedMax = 20_000_000

    /// The rollups of `keys` over `fromNs...toNs`. Blocking file I/O: run off the
    /// cooperative pool.
    static func fold(_ log: any MetricScanning, keys: [SeriesKey], fromNs: Int64, toNs: Int64) throws -> SeriesProjection {
        var projection = SeriesProjection(retention: .standard, seriesMax: SeriesProjection.seriesMaxDefault)
        guard !keys.isEmpty, fromNs <= toNs else { return projection }
        let wanted = Set(keys)
        let name = wanted.count == 1 ? keys[0].name : nil
        let start = fromNs < Int64.min + counterLookbackNs ? Int64.min : fromNs - counterLookbackNs
        var offset: UInt64 = 0
        try log.scanMetrics(
            fromNs: start, toNs: toNs, eventsScannedMax: eventsScannedMax, eventSeries: false, name: name,
            labelsEqual: wanted.count == 1 ? keys[0].labels.pairs : [], labelValues: [], wants: { wanted.contains($0) }
        ) { key, kind, times, values in
            for index in 0..<times.count {
                // Offsets only order the fold here; the projection does not keep them.
                projection.apply(Event(timeNs: times[index], body: .metric(MetricSample(series: key, value: values[index], kind: kind))), offset: offset)
                offset += 1
            }
        }
        return projection
    }

    /// The names of the series with samples in `fromNs...toNs`, at most `limit`
    /// (from the segments' series indexes: no sample is decoded).
    static func names(_ log: any MetricScanning, fromNs: Int64, toNs: Int64, limit: Int) throws -> Set<String> {
        var names = Set<String>()
        try log.scanMetrics(
            fromNs: fromNs, toNs: toNs, eventsScannedMax: eventsScannedMax, eventSeries: false, name: nil, labelsEqual: [], labelValues: [],
            wants: { key in
                if names.count < limit { names.insert(key.name) }
                return false
            }
        ) { _, _, _, _ in }
        return names
    }
}
