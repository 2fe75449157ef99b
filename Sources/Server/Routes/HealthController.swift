import Hummingbird

/// `GET /api/v1/health`: the health score with its per-component breakdown.
public struct HealthController<Context: RequestContext>: Sendable {
    let reader: any ViewReading

    public init(reader: any ViewReading) {
        self.reader = reader
    }

    public func addRoutes(to router: some RouterMethods<Context>) {
        router.get("/api/v1/health", use: health)
    }

    @Sendable func health(_ request: Request, context: Context) async throws -> Response {
        try JSONResponse.make(try await SnapshotRequest.resolve(request, reader: reader).views.healthView())
    }
}
