import EventStore
import Hummingbird
import Projections

/// `GET /api/v1/metrics/{rps,latency,protocols}` and
/// `GET /api/v1/metrics/heatmap/{latency|throughput|errors}?range=&by=`. Windows end at the newest event
/// folded, or at `?at=` when it is later (seconds with no operations then count as
/// zeros), so the same log always answers the same.
public struct MetricsController<Context: RequestContext>: Sendable {
    let reader: any ViewReading

    public init(reader: any ViewReading) {
        self.reader = reader
    }

    public func addRoutes(to router: some RouterMethods<Context>) {
        router.get("/api/v1/metrics/rps", use: rps)
        router.get("/api/v1/metrics/latency", use: latency)
        router.get("/api/v1/metrics/protocols", use: protocols)
        router.get("/api/v1/metrics/heatmap/{metric}", use: heatmap)
    }

    @Sendable func rps(_ request: Request, context: Context) async throws -> Response {
        let resolved = try await SnapshotRequest.resolve(request, reader: reader)
        return try JSONResponse.make(resolved.views.throughput.view(atNs: resolved.atNs))
    }

    @Sendable func latency(_ request: Request, context: Context) async throws -> Response {
        let resolved = try await SnapshotRequest.resolve(request, reader: reader)
        return try JSONResponse.make(resolved.views.latency.view(atNs: resolved.atNs))
    }

    @Sendable func protocols(_ request: Request, context: Context) async throws -> Response {
        let resolved = try await SnapshotRequest.resolve(request, reader: reader)
        return try JSONResponse.make(resolved.views.latency.protocolsView(atNs: resolved.atNs))
    }

    /// `range` as the history panel's (default 1h); `by=operation|protocol` for the
    /// throughput and error rows (default operation).
    @Sendable func heatmap(_ request: Request, context: Context) async throws -> Response {
        let name = try ActionAnswer.pathParameter("metric", context)
        let query = ViewQuery(request)
        guard let heatmap = try HeatmapQuery(query, metric: name, rangeKey: "range", byKey: "by") else {
            throw APIError.notFound("no heatmap '\(ViewQuery.shown(name))': one of \(HeatmapMetric.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let resolved = try await SnapshotRequest.resolve(request, reader: reader)
        return try JSONResponse.make(heatmap.view(of: resolved))
    }
}

/// A heatmap asked for: by its own path, or as the `heatmap` member of
/// `/api/v1/views` (so a seek of the page is one request).
struct HeatmapQuery {
    let metric: HeatmapMetric
    let range: HistoricalRange
    let grouping: HeatmapGrouping

    /// Nil when `metric` names no heatmap; bad range or grouping values throw.
    init?(_ query: ViewQuery, metric name: String, rangeKey: String, byKey: String) throws {
        guard let metric = HeatmapMetric(rawValue: name) else { return nil }
        let rangeText = query.text(rangeKey) ?? HistoricalRange.oneHour.rawValue
        guard let range = HistoricalRange(rawValue: rangeText) else {
            let allowed = HistoricalRange.allCases.map(\.rawValue).joined(separator: ", ")
            throw APIError.badRequest("query parameter '\(rangeKey)': '\(ViewQuery.shown(rangeText))' is not one of \(allowed)")
        }
        let groupingText = query.text(byKey) ?? HeatmapGrouping.operation.rawValue
        guard let grouping = HeatmapGrouping(rawValue: groupingText) else {
            throw APIError.badRequest("query parameter '\(byKey)': '\(ViewQuery.shown(groupingText))' is not one of operation, protocol")
        }
        (self.metric, self.range, self.grouping) = (metric, range, grouping)
    }

    /// Windows end at `?at=`, else at the newest event folded.
    func view(of resolved: SnapshotRequest) -> HeatmapView {
        let endNs = resolved.atNs ?? resolved.snapshot.eventTimeNs ?? EventTime.nowNs()
        return resolved.views.heatmap.view(metric: metric, range: range, grouping: grouping, endNs: endNs)
    }
}
