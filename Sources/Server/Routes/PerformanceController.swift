import EventStore
import Hummingbird
import Projections

/// `GET /api/v1/performance/{optimization/status,batch/metrics,cache/stats,suggestions}`
/// and `POST /api/v1/performance/suggestions/{id}/apply`, which appends the
/// suggestion's `optimization` event.
public struct PerformanceController<Context: RequestContext>: Sendable {
    let reader: any ViewReading
    let appender: any EventAppending
    let nowNs: @Sendable () -> Int64

    public init(reader: any ViewReading, appender: any EventAppending, nowNs: @escaping @Sendable () -> Int64 = { EventTime.nowNs() }) {
        self.reader = reader
        self.appender = appender
        self.nowNs = nowNs
    }

    public func addRoutes(to router: some RouterMethods<Context>) {
        router.get("/api/v1/performance/optimization/status", use: optimization)
        router.get("/api/v1/performance/batch/metrics", use: batch)
        router.get("/api/v1/performance/cache/stats", use: cache)
        router.get("/api/v1/performance/suggestions", use: suggestions)
    }

    /// Write routes; put them behind the bearer-token middleware.
    public func addWriteRoutes(to router: some RouterMethods<Context>) {
        router.post("/api/v1/performance/suggestions/{id}/apply", use: apply)
    }

    @Sendable func optimization(_ request: Request, context: Context) async throws -> Response {
        try JSONResponse.make(try await SnapshotRequest.resolve(request, reader: reader).views.optimization.view())
    }

    @Sendable func batch(_ request: Request, context: Context) async throws -> Response {
        try JSONResponse.make(try await SnapshotRequest.resolve(request, reader: reader).views.batching.view())
    }

    @Sendable func cache(_ request: Request, context: Context) async throws -> Response {
        try JSONResponse.make(try await SnapshotRequest.resolve(request, reader: reader).views.caches.view())
    }

    @Sendable func suggestions(_ request: Request, context: Context) async throws -> Response {
        try JSONResponse.make(try await SnapshotRequest.resolve(request, reader: reader).views.suggestionsView())
    }

    @Sendable func apply(_ request: Request, context: Context) async throws -> Response {
        let id = try ActionAnswer.pathParameter("id", context)
        let view = reader.currentSnapshot().views.suggestionsView()
        guard view.suggestions.contains(where: { $0.id == id }) else {
            throw APIError.notFound("no suggestion with id '\(ViewQuery.shown(id))' stands now")
        }
        guard let change = view.optimizationChange(forSuggestionId: id) else {
            throw APIError(.conflict, error: "conflict", detail: "suggestion '\(ViewQuery.shown(id))' has no parameter change to apply")
        }
        let offsets = try await appender.append([Event(timeNs: nowNs(), body: .optimization(change))])
        return try JSONResponse.make(ActionAnswer(id: id, appended: EventType.optimization.name, offset: offsets.lowerBound, detail: "applied"))
    }
}
