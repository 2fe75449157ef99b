import EventStore

/// What the Prometheus API reads from the log: metric samples by event time.
public protocol MetricScanning: Sendable {
    /// Calls `visit` with the time and sample of every `metric` event whose time is
    /// within `fromNs...toNs`, in log order, wherever it sits in the log (a late
    /// backfill included). Throws `MetricScanError` rather than answer from part of
    /// the range when more than `eventsScannedMax` events would have to be read. With
    /// `eventSeries`, also the samples Tacho's own events stand for (`EventSeries`).
    func scanMetrics(fromNs: Int64, toNs: Int64, eventsScannedMax: Int, eventSeries: Bool, _ visit: (Int64, MetricSample) throws -> Void) throws
}

public struct MetricScanError: Error, CustomStringConvertible {
    public let eventsScannedMax: Int
    public var description: String {
        "the query's time range needs more than \(eventsScannedMax) events of the log read; narrow the range"
    }
}

extension Engine: MetricScanning {
    public func scanMetrics(fromNs: Int64, toNs: Int64, eventsScannedMax: Int, eventSeries: Bool, _ visit: (Int64, MetricSample) throws -> Void) throws {
        guard fromNs <= toNs else { return }
        // From the first event at or after `fromNs` to the end: events are not in time
        // order across the log, so no batch past the range proves the rest is.
        let reader = log.reader(fromTimeNs: fromNs)
        var scanned = 0
        while let batch = try Self.next(reader) {
            scanned += batch.events.count
            guard scanned <= eventsScannedMax else { throw MetricScanError(eventsScannedMax: eventsScannedMax) }
            for event in batch.events where event.timeNs >= fromNs && event.timeNs <= toNs {
                if case .metric(let sample) = event.body {
                    try visit(event.timeNs, sample)
                } else if eventSeries {
                    try EventSeries.samples(of: event) { try visit(event.timeNs, $0) }
                }
            }
        }
    }
}
