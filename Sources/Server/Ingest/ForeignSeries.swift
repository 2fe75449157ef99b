import EventStore

/// Series keys and event times built from a foreign format's samples, under the same
/// limits the native JSON ingest enforces (`EventLimits`), so no format can put into
/// the log what `POST /api/v1/events` would refuse.
enum ForeignSeries {
    /// A series key from a name and labels as a producer sent them. A label with an
    /// empty value is dropped (in Prometheus's model an empty value is an absent
    /// label); a repeated label name, an empty or over-long name or value, or more
    /// than `EventLimits.labelsCountMax` labels is refused with what is wrong.
    static func key(name: String, labels: [(String, String)]) throws(ForeignSeriesError) -> SeriesKey {
        guard !name.isEmpty else { throw ForeignSeriesError("the metric name is empty") }
        guard name.utf8.count <= EventLimits.nameBytesMax else {
            throw ForeignSeriesError("the metric name is longer than \(EventLimits.nameBytesMax) bytes")
        }
        var pairs: [Labels.Pair] = []
        pairs.reserveCapacity(labels.count)
        for (key, value) in labels where !value.isEmpty {
            guard !key.isEmpty else { throw ForeignSeriesError("a label name is empty") }
            guard key.utf8.count <= EventLimits.nameBytesMax else {
                throw ForeignSeriesError("label name '\(key.prefix(40))…' is longer than \(EventLimits.nameBytesMax) bytes")
            }
            guard value.utf8.count <= EventLimits.nameBytesMax else {
                throw ForeignSeriesError("the value of label '\(key)' is longer than \(EventLimits.nameBytesMax) bytes")
            }
            pairs.append(Labels.Pair(key: key, value: value))
        }
        guard pairs.count <= EventLimits.labelsCountMax else {
            throw ForeignSeriesError("\(pairs.count) labels, more than the limit of \(EventLimits.labelsCountMax)")
        }
        pairs.sort { $0.key < $1.key }
        for (previous, next) in zip(pairs, pairs.dropFirst()) where previous.key == next.key {
            throw ForeignSeriesError("label '\(next.key)' is given twice")
        }
        return SeriesKey(name: name, labels: Labels(sortedPairs: pairs))
    }

    /// Nanoseconds since the epoch from a count of `unitNs`-long units (1_000_000 for
    /// milliseconds); nil when the result does not fit an Int64.
    static func timeNs(_ count: Int64, unitNs: Int64) -> Int64? {
        let (scaled, overflow) = count.multipliedReportingOverflow(by: unitNs)
        return overflow ? nil : scaled
    }
}

struct ForeignSeriesError: Error, Sendable, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
