import EventStore
import PromQL

/// PromQL's samples read from the log: every `metric` event whose time is within
/// the range asked for, as a series named by the event's name and labels. Event
/// times (nanoseconds) become milliseconds, rounded down. Two samples of a series
/// in the same millisecond keep the later one in log order.
struct LogSampleSource: SampleSource {
    let log: any MetricScanning
    /// Most samples one read may gather (`--query.max-samples`).
    let samplesMax: Int
    /// Most events one read may scan to find them.
    let eventsScannedMax: Int

    func select(_ matchers: [LabelMatcher], fromMs: Int64, toMs: Int64) throws -> [Series] {
        try gather(matchers, fromMs: fromMs, toMs: toMs).map { Series(labels: $0.labels, samples: $0.samples) }
    }

    /// The series matching every matcher within the range, with their kinds.
    func gather(_ matchers: [LabelMatcher], fromMs: Int64, toMs: Int64) throws -> [GatheredSeries] {
        let fromNs = Self.nanoseconds(fromMs)
        // The whole last millisecond: events keep nanoseconds, samples milliseconds.
        let toNsBase = Self.nanoseconds(toMs)
        let toNs = toNsBase > Int64.max - 999_999 ? Int64.max : toNsBase + 999_999
        let filter = SeriesFilter(matchers: matchers)
        var index: [SeriesKey: Int] = [:]
        var out: [GatheredSeries] = []
        var gathered = 0
        do {
            try log.scanMetrics(fromNs: fromNs, toNs: toNs, eventsScannedMax: eventsScannedMax) { timeNs, sample in
                guard filter.accepts(sample.series) else { return }
                gathered += 1
                guard gathered <= samplesMax else { throw PromQLError.tooManySamples }
                let point = Sample(timestampMs: Self.milliseconds(timeNs), value: sample.value)
                if let position = index[sample.series] {
                    out[position].samples.append(point)
                    if sample.kind == .counter { out[position].isCounter = true }
                } else {
                    index[sample.series] = out.count
                    out.append(GatheredSeries(labels: filter.labels(sample.series), samples: [point], isCounter: sample.kind == .counter))
                }
            }
        } catch let error as MetricScanError {
            throw PromQLError.execution(error.description)
        }
        for position in out.indices { out[position].samples = Self.ordered(out[position].samples) }
        return out.sorted { $0.labels < $1.labels }
    }

    /// Time order, one sample per millisecond: the later in log order wins.
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

    static func milliseconds(_ ns: Int64) -> Int64 {
        ns >= 0 ? ns / 1_000_000 : (ns - 999_999) / 1_000_000
    }

    static func nanoseconds(_ ms: Int64) -> Int64 {
        let (product, overflow) = ms.multipliedReportingOverflow(by: 1_000_000)
        return overflow ? (ms < 0 ? .min : .max) : product
    }
}

struct GatheredSeries {
    var labels: PromQL.Labels
    var samples: [Sample]
    var isCounter: Bool
}

/// Matches an event's series against the matchers once per distinct series.
private final class SeriesFilter: @unchecked Sendable {
    // Used from one thread at a time: the reader calls `include` synchronously.
    private let matchers: [LabelMatcher]
    private var decided: [SeriesKey: Bool] = [:]
    private var converted: [SeriesKey: PromQL.Labels] = [:]

    init(matchers: [LabelMatcher]) { self.matchers = matchers }

    func labels(_ key: SeriesKey) -> PromQL.Labels {
        if let labels = converted[key] { return labels }
        var dictionary: [String: String] = [:]
        for pair in key.labels.pairs { dictionary[pair.key] = pair.value }
        let labels = PromQL.Labels(name: key.name, dictionary)
        converted[key] = labels
        return labels
    }

    func accepts(_ key: SeriesKey) -> Bool {
        if let answer = decided[key] { return answer }
        let candidate = labels(key)
        let answer = matchers.allSatisfy { $0.matches(candidate) }
        decided[key] = answer
        return answer
    }
}
