import EventStore
import PromQL

/// Gathers `metric` events into PromQL series: named by the event's name and
/// labels, times in milliseconds (rounded down), in time order, one sample per
/// millisecond (the later in log order wins, a stale marker as a sample), and whether
/// any sample said counter. Stale markers become the series' `staleMarksMs`.
public struct MetricSeriesCollector {
    private var index: [SeriesKey: Int] = [:]
    /// Per series, in the order first seen: parallel arrays, so that a run's append
    /// touches one array of samples, not a tuple inside an array.
    private var keys: [SeriesKey] = []
    private var samples: [[Sample]] = []
    private var isCounter: [Bool] = []
    private var hasStaleMarkers: [Bool] = []
    /// The series the next run is guessed to be: batches written time-major (every
    /// series at one time, then the next time) hand their runs over in the same series
    /// order batch after batch, so the one after the last run's is tried before the
    /// dictionary (hashing and probing were ~12 % of a 5,000-series range query).
    private var nextGuess = 0
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
        if nextGuess < keys.count, keys[nextGuess] == key {
            position = nextGuess
        } else if let known = index[key] {
            position = known
        } else {
            position = keys.count
            index[key] = position
            keys.append(key)
            samples.append([])
            isCounter.append(false)
            hasStaleMarkers.append(false)
        }
        nextGuess = position + 1
        if kind == .counter { isCounter[position] = true }
        var stale = false
        samples.withUnsafeMutableBufferPointer { series in
            for slot in 0..<timesNs.count {
                stale = stale || MetricSample.isStaleMarker(values[slot])
                series[position].append(Sample(timestampMs: Self.milliseconds(timesNs[slot]), value: values[slot]))
            }
        }
        if stale { hasStaleMarkers[position] = true }
    }

    /// Every series, sorted by labels.
    public func series() -> [(series: Series, isCounter: Bool)] {
        keys.indices.map { position in
            let labels = Self.labels(keys[position])
            let ordered = Self.ordered(samples[position])
            guard hasStaleMarkers[position] else { return (Series(labels: labels, samples: ordered), isCounter[position]) }
            // Markers are ordered and deduplicated with the samples, then set apart.
            var kept: [Sample] = []
            var marks: [Int64] = []
            kept.reserveCapacity(ordered.count)
            for sample in ordered {
                if MetricSample.isStaleMarker(sample.value) { marks.append(sample.timestampMs) } else { kept.append(sample) }
            }
            return (Series(labels: labels, samples: kept, staleMarksMs: marks), isCounter[position])
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
