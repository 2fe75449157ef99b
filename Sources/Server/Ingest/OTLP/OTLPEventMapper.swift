import EventStore

/// Maps OTLP metrics to `metric` events, as the OpenTelemetry-to-Prometheus
/// compatibility specification does (docs/ingest.md has the table):
///
/// - names: characters other than `[a-zA-Z0-9_:]` become `_` (`http.server.duration` →
///   `http_server_duration`); a monotonic sum gets `_total` unless it has it;
/// - labels: the point's attributes, names normalised the same way, plus the resource's
///   `service.name`, `service.namespace`, `service.instance.id` and
///   `deployment.environment` (as `service_name`, …); other resource attributes are not
///   labels; attributes with array, map or bytes values are left out;
/// - gauges → gauges; monotonic sums → counters; non-monotonic sums (up-down counters)
///   → gauges; DELTA sums are accumulated per series into the running total;
/// - histograms → `_bucket{le=…}` (cumulative over bounds, `+Inf` = count), `_count`
///   and `_sum` counters, DELTA histograms accumulated per series;
/// - summaries → `{quantile=…}` gauges and `_count`, `_sum` counters;
/// - exponential histograms, points flagged "no recorded value" and non-finite values
///   are left out and counted; a point's `timeUnixNano` is its event time (0: arrival).
struct OTLPEventMapper {
    static let promotedResourceAttributes = ["service.name", "service.namespace", "service.instance.id", "deployment.environment"]

    /// Running totals of DELTA series before this request.
    let totals: OTLPDeltaTotals

    struct Mapped {
        var decoded = IngestPipeline.Decoded(events: [])
        /// The deltas of this request, added to `totals` once it is appended.
        var deltas: [SeriesKey: Double] = [:]
    }

    func map(_ metrics: OTLPMetrics, defaultTimeNs: Int64) throws(IngestInputError) -> Mapped {
        var mapped = Mapped()
        for (r, resource) in metrics.resources.enumerated() {
            let resourceLabels = resource.attributes
                .filter { Self.promotedResourceAttributes.contains($0.0) }
                .map { (Self.sanitize($0.0), $0.1) }
            for (m, metric) in resource.metrics.enumerated() {
                let location = "resourceMetrics[\(r)] metric[\(m)] '\(metric.name.prefix(80))'"
                let name = Self.sanitize(metric.name)
                var emitter = Emitter(location: location, resourceLabels: resourceLabels, defaultTimeNs: defaultTimeNs, totals: totals)
                switch metric.data {
                case .none:
                    continue
                case .gauge(let points):
                    for point in points { try emitter.number(name, point, kind: .gauge, delta: false) }
                case .sum(let points, let temporality, let monotonic):
                    let seriesName = monotonic && !name.hasSuffix("_total") ? name + "_total" : name
                    for point in points {
                        try emitter.number(seriesName, point, kind: monotonic ? .counter : .gauge, delta: temporality == .delta)
                    }
                case .histogram(let points, let temporality):
                    for point in points { try emitter.histogram(name, point, delta: temporality == .delta) }
                case .exponentialHistogram(let count):
                    emitter.skipped[.exponentialHistogram, default: 0] += count
                case .summary(let points):
                    for point in points { try emitter.summary(name, point) }
                }
                mapped.decoded.events += emitter.events
                for (reason, count) in emitter.skipped { mapped.decoded.skipped[reason, default: 0] += count }
                for (key, delta) in emitter.deltas { mapped.deltas[key, default: 0] += delta }
            }
        }
        return mapped
    }

    /// `[a-zA-Z0-9_:]` kept, everything else `_`; a leading digit gets a `_` before it.
    static func sanitize(_ name: String) -> String {
        var out = String(String.UnicodeScalarView(name.unicodeScalars.map { scalar in
            scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || scalar == "_" || scalar == ":") ? scalar : "_"
        }))
        if let first = out.unicodeScalars.first, ("0"..."9").contains(first) { out = "_" + out }
        return out
    }

    private struct Emitter {
        let location: String
        let resourceLabels: [(String, String)]
        let defaultTimeNs: Int64
        let totals: OTLPDeltaTotals
        var events: [Event] = []
        var skipped: [IngestSkipReason: Int] = [:]
        var deltas: [SeriesKey: Double] = [:]

        func key(_ name: String, _ attributes: [(String, String)], extra: [(String, String)] = []) throws(IngestInputError) -> SeriesKey {
            do {
                return try ForeignSeries.key(name: name, labels: attributes.map { (OTLPEventMapper.sanitize($0.0), $0.1) } + resourceLabels + extra)
            } catch {
                throw IngestInputError("OTLP \(location): \(error)")
            }
        }

        func time(_ timeNs: UInt64) throws(IngestInputError) -> Int64 {
            guard timeNs != 0 else { return defaultTimeNs }
            guard timeNs <= UInt64(Int64.max) else { throw IngestInputError("OTLP \(location): timeUnixNano \(timeNs) is out of range") }
            return Int64(timeNs)
        }

        /// A value, or for a DELTA series the running total it brings the series to; a
        /// stale marker for a point flagged "no recorded value" (the series ended, as
        /// Prometheus's OTLP translation reads the flag).
        mutating func emit(_ key: SeriesKey, _ value: Double, kind: MetricKind, timeNs: Int64, delta: Bool, stale: Bool = false) {
            if stale {
                events.append(Event(timeNs: timeNs, body: .metric(MetricSample.staleMarker(series: key, kind: kind))))
                return
            }
            // NaN and ±Inf are kept as Prometheus keeps them, but not in a running total.
            guard value.isFinite || !delta else {
                skipped[.nonFinite, default: 0] += 1
                return
            }
            var emitted = MetricSample.canonical(value)
            if delta {
                // A running total past the largest finite number is not stored (nor kept).
                let sum = (deltas[key] ?? 0) + value
                emitted = totals.total(of: key) + sum
                guard sum.isFinite, emitted.isFinite else {
                    skipped[.nonFinite, default: 0] += 1
                    return
                }
                deltas[key] = sum
            }
            events.append(Event(timeNs: timeNs, body: .metric(MetricSample(series: key, value: emitted, kind: kind))))
        }

        mutating func number(_ name: String, _ point: OTLPMetrics.NumberPoint, kind: MetricKind, delta: Bool) throws(IngestInputError) {
            emit(try key(name, point.attributes), point.value, kind: kind, timeNs: try time(point.timeNs), delta: delta, stale: point.noRecordedValue)
        }

        mutating func histogram(_ name: String, _ point: OTLPMetrics.HistogramPoint, delta: Bool) throws(IngestInputError) {
            let stale = point.noRecordedValue
            guard point.bucketCounts.isEmpty || point.bucketCounts.count == point.explicitBounds.count + 1 else {
                throw IngestInputError(
                    "OTLP \(location): \(point.bucketCounts.count) bucket counts for \(point.explicitBounds.count) bounds (expected bounds + 1)")
            }
            let timeNs = try time(point.timeNs)
            var cumulative: UInt64 = 0
            // A stale point ends every bucket of its bounds, whatever counts it holds.
            for (index, bound) in point.explicitBounds.enumerated() where stale || index < point.bucketCounts.count {
                if !stale { cumulative &+= point.bucketCounts[index] }
                let le = PrometheusExposition.format(bound)
                emit(try key(name + "_bucket", point.attributes, extra: [("le", le)]), Double(cumulative), kind: .counter, timeNs: timeNs, delta: delta,
                     stale: stale)
            }
            emit(try key(name + "_bucket", point.attributes, extra: [("le", "+Inf")]), Double(point.count), kind: .counter, timeNs: timeNs, delta: delta,
                 stale: stale)
            emit(try key(name + "_count", point.attributes), Double(point.count), kind: .counter, timeNs: timeNs, delta: delta, stale: stale)
            if let sum = point.sum {
                emit(try key(name + "_sum", point.attributes), sum, kind: .counter, timeNs: timeNs, delta: delta, stale: stale)
            } else if stale {
                emit(try key(name + "_sum", point.attributes), 0, kind: .counter, timeNs: timeNs, delta: delta, stale: true)
            }
        }

        mutating func summary(_ name: String, _ point: OTLPMetrics.SummaryPoint) throws(IngestInputError) {
            let stale = point.noRecordedValue
            let timeNs = try time(point.timeNs)
            for quantile in point.quantiles {
                let q = PrometheusExposition.format(quantile.quantile)
                emit(try key(name, point.attributes, extra: [("quantile", q)]), quantile.value, kind: .gauge, timeNs: timeNs, delta: false, stale: stale)
            }
            emit(try key(name + "_count", point.attributes), Double(point.count), kind: .counter, timeNs: timeNs, delta: false, stale: stale)
            emit(try key(name + "_sum", point.attributes), point.sum, kind: .counter, timeNs: timeNs, delta: false, stale: stale)
        }
    }
}
