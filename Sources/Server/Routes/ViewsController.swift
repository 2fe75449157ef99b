import EventStore
import Hummingbird
import Projections

/// `GET /api/v1/views[?at=&limit=&severity=&heatmap=&heatmapRange=&heatmapBy=]`: every
/// dashboard view in one answer, all from one snapshot (live, or as of `?at=`), each
/// under the name the page uses and exactly as its own endpoint answers it; with
/// `heatmap=<metric>`, the heatmap the page shows too. The page loads and seeks with
/// it: one request and one fold to `?at=` instead of sixteen.
public struct ViewsController<Context: RequestContext>: Sendable {
    let reader: any ViewReading

    public init(reader: any ViewReading) {
        self.reader = reader
    }

    public func addRoutes(to router: some RouterMethods<Context>) {
        router.get("/api/v1/views", use: views)
    }

    @Sendable func views(_ request: Request, context: Context) async throws -> Response {
        let query = ViewQuery(request)
        let limit = try query.integer("limit", in: 0...FaultToleranceController<Context>.alertsLimitMax) ?? AlertsProjection.defaultViewLimit
        let severity = try query.severity()
        let heatmapName = query.text("heatmap")
        let heatmap = try heatmapName.map { name in
            guard let heatmap = try HeatmapQuery(query, metric: name, rangeKey: "heatmapRange", byKey: "heatmapBy") else {
                throw APIError.badRequest("query parameter 'heatmap': '\(ViewQuery.shown(name))' is not one of \(HeatmapMetric.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            return heatmap
        }
        let resolved = try await SnapshotRequest.resolve(request, reader: reader)
        let views = resolved.views
        let checkpoint = resolved.snapshot.lastCheckpoint
        var all = NamedViews()
        all["at"] = resolved.atNs.map(EventTime.formatRFC3339)
        all["offset"] = views.lastOffset
        all["health"] = views.healthView()
        all["faultTolerance"] = views.faultToleranceView(
            lastCheckpointOffset: checkpoint?.nextOffset, lastCheckpointTimeNs: checkpoint?.writtenAtNs)
        all["breakers"] = views.breakers.view()
        all["alerts"] = views.alerts.view(limit: limit, severity: severity)
        all["optimization"] = views.optimization.view()
        all["batch"] = views.batching.view()
        all["cache"] = views.caches.view()
        all["suggestions"] = views.suggestionsView()
        all["topology"] = views.topologyView()
        all["rps"] = views.throughput.view(atNs: resolved.atNs)
        all["latency"] = views.latency.view(atNs: resolved.atNs)
        all["protocols"] = views.latency.protocolsView(atNs: resolved.atNs)
        all["cpu"] = views.vitals.cpuView()
        all["memory"] = views.vitals.memoryView()
        all["connections"] = views.connectionMetricsView(nowNs: resolved.atNs)
        all["performanceAlerts"] = views.performanceAlertsView(limit: limit, severity: severity)
        if let heatmap { all["heatmap"] = heatmap.view(of: resolved) }
        return try JSONResponse.make(all)
    }
}

/// Named values of different types encoded as one JSON object (nil as null).
struct NamedViews: Encodable {
    private var values: [(String, any Encodable)] = []

    subscript(name: String) -> (any Encodable)? {
        get { values.first { $0.0 == name }?.1 }
        set { values.append((name, newValue.map { $0 } ?? Optional<Int>.none as any Encodable)) }
    }

    private struct Key: CodingKey {
        let stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        for (name, value) in values { try container.encode(value, forKey: Key(stringValue: name)) }
    }
}
