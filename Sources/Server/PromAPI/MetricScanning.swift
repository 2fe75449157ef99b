import EventStore

/// What the Prometheus API reads from the log: metric samples by event time.
public protocol MetricScanning: Sendable {
    /// Calls `visit` with the samples of every `metric` event of a series `wants`
    /// accepts whose time is within `fromNs...toNs`, a series' samples in log order,
    /// wherever they sit in the log (a late backfill included), in runs per series and
    /// batch (`SeriesSamplesVisitor`). Throws `MetricScanError` rather
    /// than answer from part of the range when more than `eventsScannedMax` events
    /// would have to be read. With `eventSeries`, also the samples Tacho's own events
    /// stand for (`EventSeries`). `name` and `labelsEqual`, when given, are what every
    /// wanted series has (the query's equality matchers): a hint that lets an index
    /// ask `wants` about fewer series. Blocking file I/O: call from a thread of its own.
    func scanMetrics(
        fromNs: Int64, toNs: Int64, eventsScannedMax: Int, eventSeries: Bool, name: String?, labelsEqual: [Labels.Pair],
        wants: (SeriesKey) throws -> Bool, _ visit: SeriesSamplesVisitor
    ) throws
}

public struct MetricScanError: Error, CustomStringConvertible {
    public let eventsScannedMax: Int
    public var description: String {
        "the query's time range needs more than \(eventsScannedMax) events of the log read; narrow the range"
    }
}

extension Engine: MetricScanning {
    public func scanMetrics(
        fromNs: Int64, toNs: Int64, eventsScannedMax: Int, eventSeries: Bool, name: String?, labelsEqual: [Labels.Pair],
        wants: (SeriesKey) throws -> Bool, _ visit: SeriesSamplesVisitor
    ) throws {
        guard fromNs <= toNs else { return }
        var scanned = 0
        guard eventSeries else {
            // Metric samples only: the segments' series indexes choose the batches.
            try log.metricSamples.scan(fromNs: fromNs, toNs: toNs, name: name, labelsEqual: labelsEqual, wants: wants, beforeBatch: { events in
                scanned += events
                guard scanned <= eventsScannedMax else { throw MetricScanError(eventsScannedMax: eventsScannedMax) }
            }, visit: visit)
            return
        }
        // Tacho's own events stand for series too: every batch from the first event at
        // or after `fromNs` to the end (events are not in time order across the log,
        // so no batch past the range proves the rest is).
        let reader = log.reader(fromTimeNs: fromNs)
        while let batch = try Self.next(reader) {
            scanned += batch.events.count
            guard scanned <= eventsScannedMax else { throw MetricScanError(eventsScannedMax: eventsScannedMax) }
            for event in batch.events where event.timeNs >= fromNs && event.timeNs <= toNs {
                if case .metric(let sample) = event.body {
                    if try wants(sample.series) { try sample.visitAsRun(timeNs: event.timeNs, visit) }
                } else {
                    try EventSeries.samples(of: event) { sample in
                        if try wants(sample.series) { try sample.visitAsRun(timeNs: event.timeNs, visit) }
                    }
                }
            }
        }
    }
}
