/// Where the evaluator reads series from.
///
/// Implementations must return each series once, with labels that include
/// `__name__`, its samples sorted by time with distinct timestamps, and only the
/// samples within `fromMs...toMs` (both ends included), and likewise its stale marks
/// (`Series.staleMarksMs`). Series with no sample or mark in the range may be left out.
public protocol SampleSource: Sendable {
    func select(_ matchers: [LabelMatcher], fromMs: Int64, toMs: Int64) throws -> [Series]
}

/// A source over series held in memory (tests, and sources that gather first).
public struct InMemorySampleSource: SampleSource {
    public let series: [Series]

    public init(_ series: [Series]) {
        self.series = series.sorted { $0.labels < $1.labels }
    }

    public func select(_ matchers: [LabelMatcher], fromMs: Int64, toMs: Int64) throws -> [Series] {
        try series.compactMap { series in
            guard try matchers.allSatisfy({ try $0.matches(series.labels) }) else { return nil }
            let low = series.samples.firstIndex(atOrAfterMs: fromMs)
            let high = series.samples.firstIndex(afterMs: toMs)
            let marks = series.staleMarksMs.filter { $0 >= fromMs && $0 <= toMs }
            guard low < high || !marks.isEmpty else { return nil }
            return Series(labels: series.labels, samples: Array(series.samples[low..<high]), staleMarksMs: marks)
        }
    }
}

extension Array where Element == Sample {
    /// The index of the first sample at or after `ms` (binary search over times).
    func firstIndex(atOrAfterMs ms: Int64) -> Int {
        withUnsafeBufferPointer { buffer in
            var low = 0
            var high = buffer.count
            while low < high {
                let mid = (low + high) >> 1
                if buffer[mid].timestampMs >= ms { high = mid } else { low = mid + 1 }
            }
            return low
        }
    }

    /// The index of the first sample after `ms`.
    func firstIndex(afterMs ms: Int64) -> Int {
        ms == .max ? count : firstIndex(atOrAfterMs: ms + 1)
    }
}

extension Array {
    /// The first index whose element satisfies `predicate`, for a predicate that is
    /// false then true along the array (binary search).
    func partitioningIndex(where predicate: (Element) -> Bool) -> Int {
        var low = 0
        var high = count
        while low < high {
            let mid = (low + high) / 2
            if predicate(self[mid]) { high = mid } else { low = mid + 1 }
        }
        return low
    }
}
