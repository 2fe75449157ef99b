import Hummingbird

/// `GET /api/v1/connections/metrics`: active, idle, connection rate and health, from
/// `connection` reports and the optional `http_connections` metric family
/// (`ConnectionMetricsView` says how). The window ends at `?at=`, else at the newest event.
public struct ConnectionsController<Context: RequestContext>: Sendable {
    let reader: any ViewReading

    public init(reader: any ViewReading) {
        self.reader = reader
    }

    public func addRoutes(to router: some RouterMethods<Context>) {
        router.get("/api/v1/connections/metrics", use: metrics)
    }

    @Sendable func metrics(_ request: Request, context: Context) async throws -> Response {
        let resolved = try await SnapshotRequest.resolve(request, reader: reader)
        return try JSONResponse.make(resolved.views.connectionMetricsView(nowNs: resolved.atNs))
    }
}
