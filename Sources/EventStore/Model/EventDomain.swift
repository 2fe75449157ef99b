/// The values an event may hold: the same rules the JSON reader applies field by field
/// (`EventFieldReader`), stated once over a decoded event.
///
/// The log holds only events in this domain: `EventLog.append` refuses one outside it
/// (an internal producer's bug, never a client's input, which its parser refused
/// already), and the batch decoder reads a checksum-valid batch holding one as damage.
/// So whatever the log returns, `tacho export` writes and `tacho import` reads back
/// unchanged (a fuzz finding: a batch with a negative `tps` decoded, and its export was
/// refused on import).
public enum EventDomain {
    /// Fractions: a parse rate, an optimizer's efficiency.
    public static let fraction: ClosedRange<Double> = 0...1
    /// A connection's load, in percent.
    public static let percent: ClosedRange<Double> = 0...100
    /// Durations, rates, ratios, sizes held as numbers.
    public static let nonNegative: ClosedRange<Double> = 0...Double.greatestFiniteMagnitude
    /// Counts: exact in JSON only up to `Int64.max` (the reader's integers are `Int64`).
    public static let countMax = UInt64(Int64.max)

    /// Whether `body` is the common event that needs no closer look: a metric sample
    /// whose key was found in the domain when it was made, with a value in the domain
    /// (`MetricSample.isValueInDomain`). The
    /// log's append asks this first for every event; `violation(of:)` names the field
    /// of anything else.
    @inline(__always)
    static func isPlainMetricInDomain(_ body: EventBody) -> Bool {
        if case .metric(let sample) = body { return sample.series.isInEventDomain && MetricSample.isValueInDomain(sample.value) }
        return false
    }

    /// What is wrong with `body`, naming the field ("tps: -0.5 is out of range 0…"),
    /// or nil when it is in the domain.
    public static func violation(of body: EventBody) -> String? {
        var check = Check()
        switch body {
        case .metric(let sample):
            if !sample.series.isInEventDomain { check.series(name: sample.series.name, labels: sample.series.labels) }
            if !MetricSample.isValueInDomain(sample.value) {
                check.fail("value", "a NaN other than Prometheus's (0x7ff8000000000001) and its stale marker (0x7ff0000000000002)")
            }
        case .op(let op):
            check.name("name", op.name)
            check.optional("protocol", op.protocol, max: EventLimits.nameBytesMax)
            check.number("durationMs", op.durationMs, in: nonNegative)
        case .breaker(let transition):
            check.name("connection", transition.connection)
            if transition.failures < 0 { check.fail("failures", "\(transition.failures) is negative") }
            check.optional("reason", transition.reason, max: EventLimits.textBytesMax)
        case .connection(let report):
            check.name("connection", report.connection)
            check.strings("monitors", report.monitors, countMax: EventLimits.monitorsCountMax)
            check.number("load", report.load, in: percent)
            check.number("tps", report.tps, in: nonNegative)
            check.number("parseRate", report.parseRate, in: fraction)
            check.number("latencyMs", report.latencyMs, in: nonNegative)
        case .alert(let alert):
            check.name("id", alert.id)
            check.name("kind", alert.kind)
            check.text("message", alert.message, max: EventLimits.textBytesMax)
            check.optional("connection", alert.connection, max: EventLimits.nameBytesMax)
            check.optional("metric", alert.metric, max: EventLimits.nameBytesMax)
            if let data = alert.dataJSON { check.canonicalObject("data", data) }
            if let threshold = alert.threshold { check.number("threshold", threshold) }
            if let value = alert.value { check.number("value", value) }
        case .alertAck(let ack):
            check.name("id", ack.id)
            check.optional("by", ack.by, max: EventLimits.nameBytesMax)
        case .alertResolve(let resolve):
            check.name("id", resolve.id)
        case .optimization(let change):
            check.number("efficiency", change.efficiency, in: fraction)
            check.number("params.batchSize", change.params.batchSize, in: nonNegative)
            check.number("params.batchTimeoutMs", change.params.batchTimeoutMs, in: nonNegative)
            check.number("params.cacheTTLMultiplier", change.params.cacheTTLMultiplier, in: nonNegative)
            check.number("params.maxConcurrentOps", change.params.maxConcurrentOps, in: nonNegative)
            check.optional("reason", change.reason, max: EventLimits.textBytesMax)
        case .cache(let report):
            check.name("cache", report.cache)
            check.count("hits", report.hits)
            check.count("misses", report.misses)
            check.count("evictions", report.evictions)
            check.count("sizeBytes", report.sizeBytes)
            check.count("entries", report.entries)
            check.number("compressionRatio", report.compressionRatio, in: nonNegative)
            check.number("avgTTLms", report.avgTTLms, in: nonNegative)
        case .batch(let report):
            check.count("size", report.size)
            if let optimal = report.optimalSize { check.count("optimalSize", optimal) }
            check.number("latencyMs", report.latencyMs, in: nonNegative)
            check.count("queueDepth", report.queueDepth)
            check.count("priority.high", report.priority.high)
            check.count("priority.medium", report.priority.medium)
            check.count("priority.low", report.priority.low)
        case .annotation(let annotation):
            check.text("text", annotation.text, max: EventLimits.textBytesMax)
            check.strings("tags", annotation.tags, countMax: EventLimits.tagsCountMax)
        }
        return check.failure
    }

    /// What is wrong with a metric series key (checked once per series by the decoder).
    public static func violation(of series: SeriesKey) -> String? {
        series.isInEventDomain ? nil : seriesViolation(name: series.name, labels: series.labels)
    }

    /// What is wrong with a series' name and labels (`SeriesKey` finds it once).
    static func seriesViolation(name: String, labels: Labels) -> String? {
        var check = Check()
        check.series(name: name, labels: labels)
        return check.failure
    }

    /// The first failure found; later checks do nothing once one failed.
    private struct Check {
        var failure: String?

        mutating func fail(_ field: String, _ reason: String) {
            if failure == nil { failure = "\(field): \(reason)" }
        }

        mutating func number(_ field: String, _ value: Double, in range: ClosedRange<Double>? = nil) {
            guard value.isFinite else { return fail(field, "\(value) is not a finite number") }
            if let range, !range.contains(value) { fail(field, "\(value) is out of range \(range.lowerBound)…\(range.upperBound)") }
        }

        mutating func count(_ field: String, _ value: UInt64) {
            if value > EventDomain.countMax { fail(field, "\(value) is more than \(EventDomain.countMax)") }
        }

        // Field names are built only on failure: the log checks every appended event.
        mutating func text(_ field: @autoclosure () -> String, _ value: String, max: Int) {
            if value.utf8.count > max { fail(field(), "longer than \(max) bytes") }
        }

        mutating func name(_ field: String, _ value: String) {
            if value.isEmpty { return fail(field, "is empty") }
            text(field, value, max: EventLimits.nameBytesMax)
        }

        mutating func optional(_ field: String, _ value: String?, max: Int) {
            if let value { text(field, value, max: max) }
        }

        /// `data` is written into JSON as it is, so it must be what the reader makes of
        /// an object: canonical (keys sorted, no whitespace) and within its limit.
        mutating func canonicalObject(_ field: String, _ value: String) {
            guard value.utf8.count <= EventLimits.dataBytesMax else { return fail(field, "longer than \(EventLimits.dataBytesMax) bytes") }
            guard let parsed = try? JSONParser.parse(value), case .object = parsed else { return fail(field, "is not a JSON object") }
            var writer = JSONWriter()
            CanonicalJSON.write(parsed, to: &writer)
            if writer.string != value { fail(field, "is not in canonical form") }
        }

        mutating func strings(_ field: String, _ values: [String], countMax: Int) {
            if values.count > countMax { return fail(field, "more than \(countMax) elements") }
            for (index, value) in values.enumerated() { text("\(field)[\(index)]", value, max: EventLimits.nameBytesMax) }
        }

        mutating func series(name seriesName: String, labels: Labels) {
            name("name", seriesName)
            if labels.count > EventLimits.labelsCountMax { return fail("labels", "more than \(EventLimits.labelsCountMax) labels") }
            for pair in labels.pairs {
                if pair.key.isEmpty { return fail("labels", "a label name is empty") }
                text("labels.\(pair.key)", pair.key, max: EventLimits.nameBytesMax)
                text("labels.\(pair.key)", pair.value, max: EventLimits.nameBytesMax)
            }
        }
    }
}
