import Hummingbird

/// `GET /api/v1/topology`: connections, their monitors, load, TPS and breaker state.
public struct TopologyController<Context: RequestContext>: Sendable {
    let reader: any ViewReading

    public init(reader: any ViewReading) {
        self.reader = reader
    }

    public func addRoutes(to router: some RouterMethods<Context>) {
        router.get("/api/v1/topology", use: topology)
    }

    @Sendable func topology(_ request: Request, context: Context) async throws -> Response {
        try JSONResponse.make(try await SnapshotRequest.resolve(request, reader: reader).views.topologyView())
    }
}
