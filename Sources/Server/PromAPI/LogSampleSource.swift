import EventStore
import PromQL
import Synchronization

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
    /// True once the query's time is up: the scan stops with a timeout error.
    var isPastDeadline: @Sendable () -> Bool = { false }
    /// Set for a query tried on its connection's event loop: the samples are read from
    /// memory only, at most `samplesMax` of them, and what would need more refuses the
    /// attempt (the query is asked again off the loop).
    var held: HeldAttempt?
    /// With `held`: most series the query may select, and most it may be offered to
    /// choose them from, before the attempt is refused.
    var heldSeriesMax = Int.max
    static let heldOfferedMax = 2_048

    func select(_ matchers: [LabelMatcher], fromMs: Int64, toMs: Int64) throws -> [Series] {
        try gather(matchers, fromMs: fromMs, toMs: toMs).map { Series(labels: $0.labels, samples: $0.samples, staleMarksMs: $0.staleMarksMs) }
    }

    /// The series matching every matcher within the range, with their kinds.
    func gather(_ matchers: [LabelMatcher], fromMs: Int64, toMs: Int64) throws -> [GatheredSeries] {
        let fromNs = Self.nanoseconds(fromMs)
        // The whole last millisecond: events keep nanoseconds, samples milliseconds.
        let toNsBase = Self.nanoseconds(toMs)
        let toNs = toNsBase > Int64.max - 999_999 ? Int64.max : toNsBase + 999_999
        let filter = SeriesFilter(matchers: matchers)
        var collector = MetricSeriesCollector()
        // Series asked about and samples gathered since the deadline was last checked.
        var visited = 0
        let checkEvery = 4096
        do {
            let name = matchers.first { $0.name == PromQL.Labels.metricName && $0.op == .equal }?.value
            // `label=""` also matches series without the label: no hint from it.
            let labelsEqual = matchers.filter { $0.op == .equal && $0.name != PromQL.Labels.metricName && !$0.value.isEmpty }
                .map { Labels.Pair(key: $0.name, value: $0.value) }
            // A regular expression that refuses "" refuses series without the label:
            // the index may try it per value of the label.
            let labelValues = matchers.indices.filter { number in
                let matcher = matchers[number]
                return (matcher.op == .regexMatch || matcher.op == .regexNoMatch) && matcher.name != PromQL.Labels.metricName && !matcher.matchesEmpty
            }.map { number in LabelValueFilter(name: matchers[number].name) { value in try filter.matches(number, value) } }
            let eventSeries = EventSeries.mayMatch(metricName: name)
            // One way or the other, with the same closures written at the call: closures
            // passed straight to it keep what they change on the stack, where local
            // functions kept it in a box checked at every access (~10 % of a
            // 5,000-series range query).
            let scan: ((SeriesKey) throws -> Bool, SeriesSamplesVisitor) throws -> Void
            if held != nil {
                scan = { wants, visit in
                    try log.scanHeldMetrics(
                        fromNs: fromNs, toNs: toNs, eventSeries: eventSeries, name: name, labelsEqual: labelsEqual, labelValues: labelValues,
                        wants: wants, visit)
                }
            } else {
                scan = { wants, visit in
                    try log.scanMetrics(
                        fromNs: fromNs, toNs: toNs, eventsScannedMax: eventsScannedMax, eventSeries: eventSeries, name: name,
                        labelsEqual: labelsEqual, labelValues: labelValues, wants: wants, visit)
                }
            }
            var offered = 0
            var accepted = 0
            try scan({ key in
                visited += 1
                if visited >= checkEvery {
                    visited = 0
                    if isPastDeadline() { throw PromQLError.timedOut }
                }
                offered += 1
                if held != nil, offered > Self.heldOfferedMax { throw refusingHeld() }
                guard try filter.accepts(key) else { return false }
                accepted += 1
                if held != nil, accepted > heldSeriesMax { throw refusingHeld() }
                return true
            }, { key, kind, times, values in
                visited += times.count
                if visited >= checkEvery {
                    visited = 0
                    if isPastDeadline() { throw PromQLError.timedOut }
                }
                guard collector.sampleCount + times.count <= samplesMax else {
                    if held != nil { throw refusingHeld() }
                    throw PromQLError.tooManySamples
                }
                collector.add(key, kind: kind, timesNs: times, values: values)
            })
        } catch let error as MetricScanError {
            throw PromQLError.execution(error.description)
        } catch is MetricSamplesNotHeld {
            held?.refuse()
            throw PromQLError.execution("the samples are not all held in memory")
        }
        return collector.series().map {
            GatheredSeries(labels: $0.series.labels, samples: $0.series.samples, staleMarksMs: $0.series.staleMarksMs, isCounter: $0.isCounter)
        }
    }

    /// Refuses a query tried on an event loop: it would read more than it may there.
    private func refusingHeld() -> PromQLError {
        held?.refuse()
        return PromQLError.execution("the query reads more than an event loop may")
    }

    static func milliseconds(_ ns: Int64) -> Int64 { MetricSeriesCollector.milliseconds(ns) }

    static func nanoseconds(_ ms: Int64) -> Int64 {
        let (product, overflow) = ms.multipliedReportingOverflow(by: 1_000_000)
        return overflow ? (ms < 0 ? .min : .max) : product
    }
}

struct GatheredSeries {
    var labels: PromQL.Labels
    var samples: [Sample]
    var staleMarksMs: [Int64]
    var isCounter: Bool
}

/// Matches an event's series against the matchers once per distinct series, reading
/// the key's own name and labels (no conversion to PromQL's labels) and remembering
/// each matcher's answer per label value: series share values (a regex over 5,000
/// series of 500 instances runs 500 times).
private final class SeriesFilter {
    private let matchers: [LabelMatcher]
    /// A regular expression's answer per label value: values repeat across series
    /// (500 instances of 10 jobs), a match costs more than a lookup.
    private var answers: [[String: Bool]]

    init(matchers: [LabelMatcher]) {
        self.matchers = matchers
        self.answers = matchers.map { _ in [:] }
    }

    func accepts(_ key: SeriesKey) throws(PromQLError) -> Bool {
        for number in matchers.indices where try !matches(number, Self.value(of: matchers[number].name, in: key)) { return false }
        return true
    }

    /// Whether matcher `number` accepts a label value.
    func matches(_ number: Int, _ value: String) throws(PromQLError) -> Bool {
        let matcher = matchers[number]
        switch matcher.op {
        case .equal, .notEqual:
            return try matcher.matches(value)
        case .regexMatch, .regexNoMatch:
            // Refused by the pattern's prefix: cheaper than remembering the answer.
            if let quick = matcher.quickMatch(value) { return quick }
            if let known = answers[number][value] { return known }
            let matches = try matcher.matches(value)
            answers[number][value] = matches
            return matches
        }
    }

    /// The label's value in the key ("" when absent, as PromQL reads a missing label).
    static func value(of name: String, in key: SeriesKey) -> String {
        if name == PromQL.Labels.metricName { return key.name }
        for pair in key.labels.pairs where pair.key == name { return pair.value }
        return ""
    }
}

/// A query tried on its connection's event loop (`PromQueries.answerHeld`), refused as
/// soon as it would read a file or do more than the loop may: its error then is not
/// the query's, and it is asked again off the loop.
final class HeldAttempt: Sendable {
    private let refused = Atomic<Bool>(false)

    func refuse() { refused.store(true, ordering: .relaxed) }
    var isRefused: Bool { refused.load(ordering: .relaxed) }
}
