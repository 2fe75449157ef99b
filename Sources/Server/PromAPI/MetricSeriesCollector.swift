import EventStore
import PromQL

/// Gathers `metric` events into PromQL series: named by the event's name and
/// labels, times in milliseconds (rounded down), in time order, one sample per
/// millisecond (the later in log order wins, a stale marker as a sample), and whether
/// any sample said counter. Stale markers become the series' `staleMarksMs`.
public struct MetricSeriesCollector {
    private var index: [SeriesKey: Int] = [:]
    private var gathered: [(key: SeriesKey, samples: [Sample], isCounter: Bool, hasStaleMarkers: Bool)] = []
    public private(set) var sampleCount = 0

    public init() {}

    public mutating func add(timeNs: Int64, _ sample: MetricSample) {
        sample.visitAsRun(timeNs: timeNs) { add($0, kind: $1, timesNs: $2, values: $3) }
    }

    /// Adds a run of one series' samples, in log order: one lookup for the run.
    public mutating func add(_ key: SeriesKey, kind: MetricKind, timesNs: UnsafeBufferPointer<Int64>, values: UnsafeBufferPointer<Double>) {
        assert(timesNs.count == values.count, "a time per value")
        sampleCount += timesNs.count
        let position: Int
        if let known = index[key] {
            position = known
        } else {
            position = gathered.count
            index[key] = position
            gathered.append((key, [], false, false))
        }
        if kind == .counter { gathered[position].isCounter = true }
        var hasStaleMarkers = false
        for slot in 0..<timesNs.count {
            hasStaleMarkers = hasStaleMarkers || MetricSample.isStaleMarker(values[slot])
            gathered[position].samples.append(Sample(timestampMs: Self.milliseconds(timesNs[slot]), value: values[slot]))
        }
        if hasStaleMarkers { gathered[position].hasStaleMarkers = true }
    }

    /// Every series, sorted by labels.
    public func series() -> [(series: Series, isCounter: Bool)] {
        gathered.map { entry in
            let labels = Self.labels(entry.key)
            let ordered = Self.ordered(entry.samples)
            guard entry.hasStaleMarkers else { return (Series(labels: labels, samples: ordered), entry.isCounter) }
            // Markers are ordered and deduplicated with the samples, then set apart.
            var samples: [Sample] = []
            var marks: [Int64] = []
            samples.reserveCapacity(ordered.count)
            for sample in ordered {
                if MetricSample.isStaleMarker(sample.value) { marks.append(sample.timestampMs) } else { samples.append(sample) }
            }
            return (Series(labels: labels, samples: samples, staleMarksMs: marks), entry.isCounter)
        }.sorted { $0.series.labels < $1.series.labels }
    }

    /// The key's labels and its name as `__name__` (which replaces a label of that
    /// name), empty values left out, as `PromQL.Labels(name:_:)` makes them; built from
    /// the key's pairs, already sorted and unique, without a dictionary per series.
    public static func labels(_ key: SeriesKey) -> PromQL.Labels {
        let metricName = PromQL.Labels.metricName
        var pairs: [(name: String, value: String)] = []
        pairs.reserveCapacity(key.labels.count + 1)
        var named = key.name.isEmpty
        for pair in key.labels.pairs where !pair.value.isEmpty && pair.key != metricName {
            if !named, metricName < pair.key {
                pairs.append((metricName, key.name))
                named = true
            }
            pairs.append((pair.key, pair.value))
        }
        if !named { pairs.append((metricName, key.name)) }
        return PromQL.Labels(sortedPairs: pairs)
    }

    static func ordered(_ samples: [Sample]) -> [Sample] {
        var isSorted = true
        for (a, b) in zip(samples, samples.dropFirst()) where a.timestampMs >= b.timestampMs {
            isSorted = false
            break
        }
        if isSorted { return samples }
        let sorted = samples.enumerated().sorted { a, b in
            a.element.timestampMs != b.element.timestampMs ? a.element.timestampMs < b.element.timestampMs : a.offset < b.offset
        }.map(\.element)
        var out: [Sample] = []
        out.reserveCapacity(sorted.count)
        for sample in sorted {
            if let last = out.last, last.timestampMs == sample.timestampMs { out[out.count - 1] = sample } else { out.append(sample) }
        }
        return out
    }

    public static func milliseconds(_ ns: Int64) -> Int64 {
        ns >= 0 ? ns / 1_000_000 : (ns - 999_999) / 1_000_000
    }
}
