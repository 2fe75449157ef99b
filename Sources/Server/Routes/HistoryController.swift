import EventStore
import Hummingbird
import Projections

/// `GET /api/v1/metrics/historical?range=&metric=&labels=` (statistics and insights
/// over a range) and `GET /api/v1/rollups?name=&labels=&from=&to=&step=` (rollups of
/// one metric series, for charts). Both end at `?at=`, else at the newest event, and
/// read the state's rollups, or the log where the state left them out.
public struct HistoryController<Context: RequestContext>: Sendable {
    let reader: any ViewReading
    /// Where a past moment's rollups are read from.
    let log: any MetricScanning

    /// The figures every server offers, before any metric series.
    public static var derivedMetrics: [String] { ["rps", "latency", "errors", "cpu", "memory"] }
    /// Series names listed in `availableMetrics` at most.
    public static var listedSeriesMax: Int { 200 }
    public static var seriesRangeDefaultNs: Int64 { 3600 * EventTime.nanosPerSecond }

    public init(reader: any ViewReading & MetricScanning) {
        self.reader = reader
        self.log = reader
    }

    public func addRoutes(to router: some RouterMethods<Context>) {
        router.get("/api/v1/metrics/historical", use: historical)
        router.get("/api/v1/rollups", use: series)
    }

    @Sendable func historical(_ request: Request, context: Context) async throws -> Response {
        let query = ViewQuery(request)
        let rangeText = query.text("range") ?? HistoricalRange.oneHour.rawValue
        guard let range = HistoricalRange(rawValue: rangeText) else {
            let allowed = HistoricalRange.allCases.map(\.rawValue).joined(separator: ", ")
            throw APIError.badRequest("query parameter 'range': '\(ViewQuery.shown(rangeText))' is not one of \(allowed)")
        }
        let metric = HistoricalMetric(parsing: query.text("metric") ?? "rps", labels: try Self.labels(query))
        let resolved = try await SnapshotRequest.resolve(request, reader: reader)
        let views = resolved.views
        let endNs = resolved.atNs ?? resolved.snapshot.eventTimeNs ?? EventTime.nowNs()
        let fromNs = endNs - range.durationNs
        let (series, names) = try await rollups(of: metric.seriesKey.map { [$0] } ?? [], fromNs: fromNs, resolved: resolved)
        let view = HistoricalAnalysis.analyze(
            metric: metric, range: range, endNs: endNs, series: series, throughput: views.throughput, latency: views.latency)
        return try JSONResponse.make(HistoricalAnswer(view: view, availableMetrics: Self.derivedMetrics + names.sorted()))
    }

    @Sendable func series(_ request: Request, context: Context) async throws -> Response {
        let query = ViewQuery(request)
        guard let name = query.text("name") else { throw APIError.badRequest("query parameter 'name' is required: the metric's name") }
        let labels = try Self.labels(query)
        let resolved = try await SnapshotRequest.resolve(request, reader: reader)
        let toNs = try query.timeNs("to") ?? resolved.atNs ?? resolved.snapshot.eventTimeNs ?? EventTime.nowNs()
        let fromNs = try query.timeNs("from") ?? toNs - Self.seriesRangeDefaultNs
        guard fromNs <= toNs else { throw APIError.badRequest("query parameter 'from' is after 'to'") }
        let stepNs = try Self.stepNs(query.text("step")) ?? EventTime.nanosPerSecond
        let key = SeriesKey(name: name, labels: Labels(labels))
        let (series, _) = try await rollups(of: [key], fromNs: fromNs, resolved: resolved)
        guard let result = series.queryResult(key: key, fromNs: fromNs, toNs: toNs, stepNs: stepNs) else {
            throw APIError.notFound("no series \(name)\(labels.isEmpty ? "" : " with labels \(labels.sorted { $0.key < $1.key })") holds data")
        }
        return try JSONResponse.make(result)
    }

    /// The rollups to answer from, and the series names to offer: the state's own, or,
    /// for a state that left them out (an `?at=` answer or a replay's cursor on a log of
    /// many series), those of `keys` folded from the log's samples from `fromNs` to the
    /// moment (every sample at or before it).
    func rollups(of keys: [SeriesKey], fromNs: Int64, resolved: SnapshotRequest) async throws -> (SeriesProjection, Set<String>) {
        let live = resolved.views.series
        let log = self.log
        let toNs = resolved.atNs ?? resolved.snapshot.eventTimeNs ?? .max
        if !live.isOmitted {
            var names = Set<String>()
            for key in live.keys where names.count < Self.listedSeriesMax { names.insert(key.name) }
            // The state keeps the last hour of minutes; the minutes before it are the log's.
            guard keys.count == 1, let key = keys.first else { return (live, names) }
            let ownStartNs = live.minuteTierStartNs(of: key)
            guard ownStartNs.map({ fromNs < $0 }) ?? true else { return (live, names) }
            let olderToNs = min(toNs, (ownStartNs ?? .max) == .max ? .max : ownStartNs! - 1)
            let older = try await BlockingWork.run { try log.minuteRollups(of: key, fromNs: fromNs, toNs: olderToNs) }
            // A series no older than the state's minutes answers from the state alone.
            guard let older, !older.units.isEmpty else { return (live, names) }
            return (live.history(of: key, fromNs: fromNs, toNs: toNs, older: older), names)
        }
        do {
            return try await BlockingWork.run {
                (try LogSeriesRollups.fold(log, keys: keys, fromNs: fromNs, toNs: toNs),
                 try LogSeriesRollups.names(log, fromNs: fromNs, toNs: toNs, limit: Self.listedSeriesMax))
            }
        } catch let error as MetricScanError {
            throw APIError.badRequest("the series of this range are read from the log for a past moment: \(error.description)")
        }
    }

    /// `labels=core=total,host=a`.
    static func labels(_ query: ViewQuery) throws -> [String: String] {
        guard let raw = query.text("labels") else { return [:] }
        var labels: [String: String] = [:]
        for pair in raw.split(separator: ",") {
            let parts = pair.split(separator: "=", maxSplits: 1)
            guard parts.count == 2, !parts[0].isEmpty else {
                throw APIError.badRequest("query parameter 'labels': '\(ViewQuery.shown(raw))' is not key=value pairs separated by commas")
            }
            labels[String(parts[0])] = String(parts[1])
        }
        return labels
    }

    /// `500ms`, `1s`, `5m`, `1h`, or integer nanoseconds.
    static func stepNs(_ raw: String?) throws -> Int64? {
        guard let raw else { return nil }
        let units: [(String, Int64)] = [("ms", 1_000_000), ("s", 1_000_000_000), ("m", 60_000_000_000), ("h", 3_600_000_000_000)]
        var value: Int64?
        if let nanos = Int64(raw) { value = nanos }
        for (suffix, scale) in units where value == nil && raw.hasSuffix(suffix) {
            let number = raw.dropLast(suffix.count)
            if suffix == "s", number.hasSuffix("m") { continue }
            if let count = Int64(number) { value = count.multipliedReportingOverflow(by: scale).overflow ? nil : count * scale }
        }
        guard let value, value > 0 else {
            throw APIError.badRequest("query parameter 'step': '\(ViewQuery.shown(raw))' is not a positive duration such as 1s, 5m or nanoseconds")
        }
        return value
    }
}

/// The historical view with the list of metrics a client may ask for next.
struct HistoricalAnswer: Encodable {
    let view: HistoricalView
    let availableMetrics: [String]

    enum CodingKeys: String, CodingKey { case availableMetrics }

    func encode(to encoder: any Encoder) throws {
        try view.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(availableMetrics, forKey: .availableMetrics)
    }
}
