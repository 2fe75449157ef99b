import EventStore
import PromQL

/// Gathers `metric` events into PromQL series: named by the event's name and
/// labels, times in milliseconds (rounded down), in time order, one sample per
/// millisecond (the later in log order wins), and whether any sample said counter.
public struct MetricSeriesCollector {
    private var index: [SeriesKey: Int] = [:]
    private var gathered: [(key: SeriesKey, samples: [Sample], isCounter: Bool)] = []
    public private(set) var sampleCount = 0

    public init() {}

    public mutating func add(timeNs: Int64, _ sample: MetricSample) {
        sampleCount += 1
        let point = Sample(timestampMs: Self.milliseconds(timeNs), value: sample.value)
        if let position = index[sample.series] {
            gathered[position].samples.append(point)
            if sample.kind == .counter { gathered[position].isCounter = true }
        } else {
            index[sample.series] = gathered.count
            gathered.append((sample.series, [point], sample.kind == .counter))
        }
    }

    /// Every series, sorted by labels.
    public func series() -> [(series: Series, isCounter: Bool)] {
        gathered.map { entry in
            (Series(labels: Self.labels(entry.key), samples: Self.ordered(entry.samples)), entry.isCounter)
        }.sorted { $0.series.labels < $1.series.labels }
    }

    public static func labels(_ key: SeriesKey) -> PromQL.Labels {
        var dictionary: [String: String] = [:]
        for pair in key.labels.pairs { dictionary[pair.key] = pair.value }
        return PromQL.Labels(name: key.name, dictionary)
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
