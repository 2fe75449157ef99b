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
    /// wanted series has (the query's equality matchers), `labelValues` labels every
    /// wanted series has with a value they accept (its regular expressions): hints that
    /// let an index ask `wants` about fewer series. Blocking file I/O: call from a thread of its own.
    func scanMetrics(
        fromNs: Int64, toNs: Int64, eventsScannedMax: Int, eventSeries: Bool, name: String?, labelsEqual: [Labels.Pair],
        labelValues: [LabelValueFilter], wants: (SeriesKey) throws -> Bool, _ visit: SeriesSamplesVisitor
    ) throws

    /// The minute rollups of one series over the minutes of `fromNs...toNs`, from the
    /// log (`MetricSampleScanner.minuteRollups`). Blocking file I/O.
    func minuteRollups(of key: SeriesKey, fromNs: Int64, toNs: Int64) throws -> SeriesMinutes?

    /// `scanMetrics` from memory only, for a caller on an event loop: throws
    /// `MetricSamplesNotHeld` where it would read a file (the default: always).
    func scanHeldMetrics(
        fromNs: Int64, toNs: Int64, eventSeries: Bool, name: String?, labelsEqual: [Labels.Pair],
        labelValues: [LabelValueFilter], wants: (SeriesKey) throws -> Bool, _ visit: SeriesSamplesVisitor
    ) throws
}

extension MetricScanning {
    public func scanHeldMetrics(
        fromNs: Int64, toNs: Int64, eventSeries: Bool, name: String?, labelsEqual: [Labels.Pair],
        labelValues: [LabelValueFilter], wants: (SeriesKey) throws -> Bool, _ visit: SeriesSamplesVisitor
    ) throws {
        throw MetricSamplesNotHeld()
    }
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
        labelValues: [LabelValueFilter], wants: (SeriesKey) throws -> Bool, _ visit: SeriesSamplesVisitor
    ) throws {
        try LogMetricScan.scan(
            samples: log.metricSamples, reader: { log.reader(fromTimeNs: $0) }, fromNs: fromNs, toNs: toNs, eventsScannedMax: eventsScannedMax,
            eventSeries: eventSeries, name: name, labelsEqual: labelsEqual, labelValues: labelValues, wants: wants, visit)
    }

    public func minuteRollups(of key: SeriesKey, fromNs: Int64, toNs: Int64) throws -> SeriesMinutes? {
        try log.metricSamples.minuteRollups(of: key, fromNs: fromNs, toNs: toNs)
    }

    /// The series indexes and decoded batches in memory only; Tacho's own events stand
    /// for series read from the log, so a query that may match them is never held.
    public func scanHeldMetrics(
        fromNs: Int64, toNs: Int64, eventSeries: Bool, name: String?, labelsEqual: [Labels.Pair],
        labelValues: [LabelValueFilter], wants: (SeriesKey) throws -> Bool, _ visit: SeriesSamplesVisitor
    ) throws {
        guard !eventSeries else { throw MetricSamplesNotHeld() }
        guard fromNs <= toNs else { return }
        try log.metricSamples.scan(
            fromNs: fromNs, toNs: toNs, name: name, labelsEqual: labelsEqual, labelValues: labelValues, heldOnly: true, wants: wants, visit: visit)
    }
}

/// A replay's PromQL reads the recording within its range `[from, to)`, every sample of
/// it whatever the cursor (as Prometheus serves a TSDB's blocks).
extension ReplayEngine: MetricScanning {
    public nonisolated func scanMetrics(
        fromNs: Int64, toNs: Int64, eventsScannedMax: Int, eventSeries: Bool, name: String?, labelsEqual: [Labels.Pair],
        labelValues: [LabelValueFilter], wants: (SeriesKey) throws -> Bool, _ visit: SeriesSamplesVisitor
    ) throws {
        let log = source.log
        try LogMetricScan.scan(
            samples: log.metricSamples, reader: { log.reader(fromTimeNs: $0) }, fromNs: max(fromNs, source.fromNs ?? .min),
            toNs: min(toNs, source.toNs.map { $0 - 1 } ?? .max), eventsScannedMax: eventsScannedMax, eventSeries: eventSeries, name: name,
            labelsEqual: labelsEqual, labelValues: labelValues, wants: wants, visit)
    }

    /// The recording's minutes within its range, whole minutes: a minute the range
    /// cuts holds the recording's samples of the whole minute.
    public nonisolated func minuteRollups(of key: SeriesKey, fromNs: Int64, toNs: Int64) throws -> SeriesMinutes? {
        try source.log.metricSamples.minuteRollups(
            of: key, fromNs: max(fromNs, source.fromNs ?? .min), toNs: min(toNs, source.toNs.map { $0 - 1 } ?? .max))
    }
}

/// The scan `MetricScanning` asks for, over the live log or a recording opened read-only.
enum LogMetricScan {
    static func scan(
        samples: MetricSampleScanner, reader makeReader: (Int64) -> LogReader, fromNs: Int64, toNs: Int64, eventsScannedMax: Int,
        eventSeries: Bool, name: String?, labelsEqual: [Labels.Pair], labelValues: [LabelValueFilter], wants: (SeriesKey) throws -> Bool,
        _ visit: SeriesSamplesVisitor
    ) throws {
        guard fromNs <= toNs else { return }
        var scanned = 0
        guard eventSeries else {
            // Metric samples only: the segments' series indexes choose the batches.
            try samples.scan(fromNs: fromNs, toNs: toNs, name: name, labelsEqual: labelsEqual, labelValues: labelValues, wants: wants, beforeBatch: { events in
                scanned += events
                guard scanned <= eventsScannedMax else { throw MetricScanError(eventsScannedMax: eventsScannedMax) }
            }, visit: visit)
            return
        }
        // Tacho's own events stand for series too: every batch from the first event at
        // or after `fromNs` to the end (events are not in time order across the log,
        // so no batch past the range proves the rest is).
        let reader = makeReader(fromNs)
        while let batch = try reader.nextIntact() {
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
