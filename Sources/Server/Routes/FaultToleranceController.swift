import EventStore
import Hummingbird
import Projections

/// `GET /api/v1/fault-tolerance/{status,circuit-breakers,alerts}` and
/// `POST /api/v1/fault-tolerance/alerts/{id}/ack`, which appends `alert_ack`.
public struct FaultToleranceController<Context: RequestContext>: Sendable {
    let reader: any ViewReading
    let appender: any EventAppending
    let nowNs: @Sendable () -> Int64

    /// Alerts listed at most per request, whatever `?limit=` asks.
    public static var alertsLimitMax: Int { 10_000 }

    public init(reader: any ViewReading, appender: any EventAppending, nowNs: @escaping @Sendable () -> Int64 = { EventTime.nowNs() }) {
        self.reader = reader
        self.appender = appender
        self.nowNs = nowNs
    }

    public func addRoutes(to router: some RouterMethods<Context>) {
        router.get("/api/v1/fault-tolerance/status", use: status)
        router.get("/api/v1/fault-tolerance/circuit-breakers", use: circuitBreakers)
        router.get("/api/v1/fault-tolerance/alerts", use: alerts)
    }

    /// Write routes; put them behind the bearer-token middleware.
    public func addWriteRoutes(to router: some RouterMethods<Context>) {
        router.post("/api/v1/fault-tolerance/alerts/{id}/ack", use: acknowledge)
    }

    @Sendable func status(_ request: Request, context: Context) async throws -> Response {
        let resolved = try await SnapshotRequest.resolve(request, reader: reader)
        let checkpoint = resolved.snapshot.lastCheckpoint
        return try JSONResponse.make(resolved.views.faultToleranceView(
            lastCheckpointOffset: checkpoint?.nextOffset, lastCheckpointTimeNs: checkpoint?.writtenAtNs))
    }

    @Sendable func circuitBreakers(_ request: Request, context: Context) async throws -> Response {
        try JSONResponse.make(try await SnapshotRequest.resolve(request, reader: reader).views.breakers.view())
    }

    @Sendable func alerts(_ request: Request, context: Context) async throws -> Response {
        let query = ViewQuery(request)
        let limit = try query.integer("limit", in: 0...Self.alertsLimitMax) ?? AlertsProjection.defaultViewLimit
        let severity = try query.severity()
        let resolved = try await SnapshotRequest.resolve(request, reader: reader)
        return try JSONResponse.make(resolved.views.alerts.view(limit: limit, severity: severity))
    }

    @Sendable func acknowledge(_ request: Request, context: Context) async throws -> Response {
        let id = try ActionAnswer.pathParameter("id", context)
        return try await Self.acknowledge(id: id, by: ViewQuery(request).text("by"), reader: reader, appender: appender, nowNs: nowNs)
    }

    /// Appends `alert_ack` for an active alert; shared by every route that acknowledges.
    /// - Parameter accepts: narrows which alerts this route may acknowledge.
    static func acknowledge(
        id: String, by: String?, reader: any ViewReading, appender: any EventAppending, nowNs: () -> Int64,
        accepts: (AlertsView.Alert) -> Bool = { _ in true }
    ) async throws -> Response {
        let known = reader.currentSnapshot().views.alerts.view(limit: Int.max).alerts.first { $0.id == id }
        guard let known, accepts(known) else { throw APIError.notFound("no alert with id '\(ViewQuery.shown(id))' is known") }
        switch known.status {
        case .resolved:
            throw APIError(.conflict, error: "conflict", detail: "alert '\(ViewQuery.shown(id))' is already resolved")
        case .acknowledged:
            return try JSONResponse.make(ActionAnswer(id: id, appended: nil, offset: nil, detail: "already acknowledged"))
        case .active:
            let offsets = try await appender.append([Event(timeNs: nowNs(), body: .alertAck(AlertAck(id: id, by: by)))])
            return try JSONResponse.make(ActionAnswer(id: id, appended: EventType.alertAck.name, offset: offsets.lowerBound, detail: "acknowledged"))
        }
    }
}
