import EventStore

/// Folds StatsD lines between flushes into `metric` and `op` events, as
/// docs/ingest.md documents:
///
/// - counters (`c`): a cumulative `counter` series per name and tags, increments scaled
///   by 1/sample rate — cumulative since the server started, as Tacho counters are;
/// - gauges (`g`): the value set, or `+n`/`-n` added to the last one (0 when none);
/// - timers (`ms`): one `op` event per value, named by the metric, `durationMs` the
///   value, `protocol` `statsd`, `ok` true — so they feed the latency views;
/// - histograms (`h`, `d`): cumulative `<name>_count` and `<name>_sum` counters (scaled by
///   1/rate) and `<name>_min`/`<name>_max` gauges of the interval;
/// - sets (`s`): a gauge of the distinct members seen in the interval.
///
/// A series is written in a flush only when lines for it arrived in that interval.
/// Pure: no clock, no I/O; the service calls `add` and `flush(timeNs:)`.
struct StatsDAggregator {
    /// Distinct series kept (counter totals and gauge values live as long as the server);
    /// lines for new series past it are refused as malformed, so memory stays bounded.
    static let seriesMax = 100_000

    private struct Key: Hashable {
        let name: String
        let tags: [String]
        init(_ name: String, _ tags: [(String, String)]) {
            self.name = name
            self.tags = tags.map { "\($0.0)=\($0.1)" }.sorted()
        }
    }

    private struct Histogram {
        var count = 0.0
        var sum = 0.0
        var min = Double.infinity
        var max = -Double.infinity
    }

    private var counterTotals: [Key: Double] = [:]
    private var gauges: [Key: Double] = [:]
    private var histogramTotals: [Key: (count: Double, sum: Double)] = [:]
    private var tagsOf: [Key: [(String, String)]] = [:]
    private var touchedCounters: Set<Key> = []
    private var touchedGauges: Set<Key> = []
    private var intervalHistograms: [Key: Histogram] = [:]
    private var intervalSets: [Key: Set<String>] = [:]
    private var timings: [(name: String, durationMs: Double)] = []
    static let timingsPerFlushMax = 1_000_000

    /// Adds one line; false when it was dropped (a new series past `seriesMax`, or more
    /// timings than a flush holds).
    /// A line that would take a total past the largest finite number is dropped too: a
    /// stored value must be finite (events are written as JSON, which has no infinity).
    mutating func add(_ line: StatsDLine) -> Bool {
        let key = Key(line.name, line.tags)
        if tagsOf[key] == nil, tagsOf.count >= Self.seriesMax { return false }
        switch line.kind {
        case .counter:
            let total = (counterTotals[key] ?? 0) + line.value / line.sampleRate
            guard total.isFinite else { return false }
            counterTotals[key] = total
            touchedCounters.insert(key)
        case .gauge(let delta):
            let value = delta ? (gauges[key] ?? 0) + line.value : line.value
            guard value.isFinite else { return false }
            gauges[key] = value
            touchedGauges.insert(key)
        case .timer:
            guard timings.count < Self.timingsPerFlushMax else { return false }
            timings.append((line.name, line.value))
        case .histogram:
            var histogram = intervalHistograms[key] ?? Histogram()
            histogram.count += 1 / line.sampleRate
            histogram.sum += line.value / line.sampleRate
            histogram.min = Swift.min(histogram.min, line.value)
            histogram.max = Swift.max(histogram.max, line.value)
            // The flush adds the interval to the running totals: those must stay finite too.
            let total = histogramTotals[key] ?? (0, 0)
            guard (total.count + histogram.count).isFinite, (total.sum + histogram.sum).isFinite else { return false }
            intervalHistograms[key] = histogram
        case .set(let member):
            intervalSets[key, default: []].insert(member)
        }
        if tagsOf[key] == nil { tagsOf[key] = line.tags }
        return true
    }

    /// The events of the interval that ends now, stamped `timeNs`; clears the interval.
    /// Series whose name or tags break the event limits are dropped and counted in `refused`.
    mutating func flush(timeNs: Int64) -> (events: [Event], refused: Int) {
        var events: [Event] = []
        var refused = 0
        func emit(_ name: String, _ key: Key, _ value: Double, _ kind: MetricKind) {
            guard let series = try? ForeignSeries.key(name: name, labels: tagsOf[key] ?? []) else {
                refused += 1
                return
            }
            events.append(Event(timeNs: timeNs, body: .metric(MetricSample(series: series, value: value, kind: kind))))
        }
        for key in touchedCounters.sorted(by: Self.order) { emit(key.name, key, counterTotals[key] ?? 0, .counter) }
        for key in touchedGauges.sorted(by: Self.order) { emit(key.name, key, gauges[key] ?? 0, .gauge) }
        for key in intervalHistograms.keys.sorted(by: Self.order) {
            let interval = intervalHistograms[key]!
            var total = histogramTotals[key] ?? (0, 0)
            total.count += interval.count
            total.sum += interval.sum
            histogramTotals[key] = total
            emit(key.name + "_count", key, total.count, .counter)
            emit(key.name + "_sum", key, total.sum, .counter)
            emit(key.name + "_min", key, interval.min, .gauge)
            emit(key.name + "_max", key, interval.max, .gauge)
        }
        for key in intervalSets.keys.sorted(by: Self.order) { emit(key.name, key, Double(intervalSets[key]!.count), .gauge) }
        for timing in timings {
            guard !timing.name.isEmpty, timing.name.utf8.count <= EventLimits.nameBytesMax else {
                refused += 1
                continue
            }
            events.append(Event(timeNs: timeNs, body: .op(Operation(name: timing.name, protocol: "statsd", durationMs: timing.durationMs, ok: true))))
        }
        touchedCounters.removeAll(keepingCapacity: true)
        touchedGauges.removeAll(keepingCapacity: true)
        intervalHistograms.removeAll(keepingCapacity: true)
        intervalSets.removeAll(keepingCapacity: true)
        timings.removeAll(keepingCapacity: true)
        return (events, refused)
    }

    private static func order(_ a: Key, _ b: Key) -> Bool {
        a.name != b.name ? a.name < b.name : a.tags.lexicographicallyPrecedes(b.tags)
    }
}
