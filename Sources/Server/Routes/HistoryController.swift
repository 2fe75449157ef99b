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

    /// The rollups to answer from, and the series names to offer. For one series, the
    /// fold of every sample at or before the moment into day-long tiers
    /// (`SeriesRetention.standard`), read from the log: the last 5 min (seconds and
    /// minutes) folded from its samples, the minutes before from the log's minute
    /// rollups (`MetricScanning.minuteRollups`): the live state keeps only a minute of
    /// seconds and half an hour of minutes (`SeriesRetention.live`), and a snapshot or
    /// a replay's cursor on a log of many series none. With no series asked for, the
    /// state's own.
    func rollups(of keys: [SeriesKey], fromNs: Int64, resolved: SnapshotRequest) async throws -> (SeriesProjection, Set<String>) {
        let state = resolved.views.series
        let log = self.log
        let toNs = resolved.atNs ?? resolved.snapshot.eventTimeNs ?? .max
        var names = Set<String>()
        if !state.isOmitted {
            for key in state.keys where names.count < Self.listedSeriesMax { names.insert(key.name) }
            if keys.isEmpty { return (state, names) }
        }
        do {
            return try await BlockingWork.run { [names] in
                let recentFromNs = keys.count == 1 && toNs != .max ? max(fromNs, Self.minuteStartNs(toNs - Self.recentFoldSpanNs)) : fromNs
                let rollups = try LogSeriesRollups.fold(log, keys: keys, fromNs: recentFromNs, toNs: toNs)
                let names = state.isOmitted ? try LogSeriesRollups.names(log, fromNs: fromNs, toNs: toNs, limit: Self.listedSeriesMax) : names
                guard keys.count == 1, let key = keys.first else { return (rollups, names) }
                // The fold's minutes count from the minute it started at, the log's before.
                // The fold read every sample from `recentFromNs` to the moment, so the log's
                // minutes are read only before it: never the moment's own minute, whose
                // samples after the moment an `?at=` answer leaves out.
                let ownStartNs = rollups.minuteTierStartNs(of: key).map { max($0, recentFromNs) } ?? recentFromNs
                guard fromNs < ownStartNs else { return (rollups, names) }
                let olderToNs = min(toNs, ownStartNs - 1)
                guard let older = try log.minuteRollups(of: key, fromNs: fromNs, toNs: olderToNs), !older.units.isEmpty else {
                    return (rollups, names)
                }
                return (rollups.history(of: key, fromNs: fromNs, toNs: toNs, older: older, ownFromNs: ownStartNs), names)
            }
        } catch let error as MetricScanError {
            throw APIError.badRequest("the series of this range are read from the log: \(error.description)")
        }
    }

    /// How much of a range before the moment is folded from the log's samples (at 1 s);
    /// the minutes before come from the log's minute rollups.
    static var recentFoldSpanNs: Int64 { SeriesRetention.standard.second.spanNs }

    static func minuteStartNs(_ timeNs: Int64) -> Int64 {
        TimeUnits.unit(of: timeNs, widthNs: TimeUnits.nanosPerMinute) * TimeUnits.nanosPerMinute
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
