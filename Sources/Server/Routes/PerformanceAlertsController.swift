import EventStore
import Hummingbird
import Projections

/// `GET /api/v1/alerts/performance?limit=&severity=&at=` (the threshold rules' alerts
/// with metric, threshold, current value, description and resolution) and
/// `POST /api/v1/alerts/performance/{id}/ack`, which appends `alert_ack` as the
/// fault-tolerance route does, for performance alerts only.
public struct PerformanceAlertsController<Context: RequestContext>: Sendable {
    let reader: any ViewReading
    let appender: any EventAppending
    let nowNs: @Sendable () -> Int64

    public init(reader: any ViewReading, appender: any EventAppending, nowNs: @escaping @Sendable () -> Int64 = { EventTime.nowNs() }) {
        self.reader = reader
        self.appender = appender
        self.nowNs = nowNs
    }

    public func addRoutes(to router: some RouterMethods<Context>) {
        router.get("/api/v1/alerts/performance", use: list)
    }

    /// Write routes; put them behind the bearer-token middleware.
    public func addWriteRoutes(to router: some RouterMethods<Context>) {
        router.post("/api/v1/alerts/performance/{id}/ack", use: acknowledge)
    }

    @Sendable func list(_ request: Request, context: Context) async throws -> Response {
        let query = ViewQuery(request)
        let limit = try query.integer("limit", in: 0...FaultToleranceController<Context>.alertsLimitMax) ?? AlertsProjection.defaultViewLimit
        let severity = try query.severity()
        let resolved = try await SnapshotRequest.resolve(request, reader: reader)
        return try JSONResponse.make(resolved.views.performanceAlertsView(limit: limit, severity: severity))
    }

    @Sendable func acknowledge(_ request: Request, context: Context) async throws -> Response {
        let id = try ActionAnswer.pathParameter("id", context)
        return try await FaultToleranceController<Context>.acknowledge(
            id: id, by: ViewQuery(request).text("by"), reader: reader, appender: appender, nowNs: nowNs,
            accepts: { $0.metric != nil && $0.threshold != nil })
    }
}
