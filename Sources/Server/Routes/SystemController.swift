import Hummingbird

/// `GET /api/v1/system/{cpu,memory}`: host vitals from the `cpu_percent`,
/// `memory_bytes` and `load_average` metrics.
public struct SystemController<Context: RequestContext>: Sendable {
    let reader: any ViewReading

    public init(reader: any ViewReading) {
        self.reader = reader
    }

    public func addRoutes(to router: some RouterMethods<Context>) {
        router.get("/api/v1/system/cpu", use: cpu)
        router.get("/api/v1/system/memory", use: memory)
    }

    @Sendable func cpu(_ request: Request, context: Context) async throws -> Response {
        try JSONResponse.make(try await SnapshotRequest.resolve(request, reader: reader).views.vitals.cpuView())
    }

    @Sendable func memory(_ request: Request, context: Context) async throws -> Response {
        try JSONResponse.make(try await SnapshotRequest.resolve(request, reader: reader).views.vitals.memoryView())
    }
}
