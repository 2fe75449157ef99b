import Hummingbird

/// `GET /api/v1/metrics/{rps,latency,protocols}`. Windows end at the newest event
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
        return try JSONResponse.make(resolved.views.protocols.view(atNs: resolved.atNs))
    }
}
