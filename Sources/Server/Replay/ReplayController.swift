import EventStore
import Hummingbird

/// The routes only a replay server has, or answers differently:
/// - `GET /api/v1/replay`: the state; `POST /api/v1/replay`: play, pause, step, seek
///   (400 naming the field for bad input, nothing changed);
/// - `GET /api/v1/stream` (and `/api/v1/performance/stream`): the state and the views at
///   the cursor, then the messages as the cursor moves. `Last-Event-ID` is not used: a
///   seek can send the views back in time, so every connection starts from the cursor;
/// - the write routes (ingest, acknowledge, apply) answer 409: a replay is read-only.
public struct ReplayController<Context: RequestContext>: Sendable {
    let engine: ReplayEngine
    let broadcaster: SSEBroadcaster
    let retryMs: Int

    public init(engine: ReplayEngine, broadcaster: SSEBroadcaster, retryMs: Int = 3000) {
        precondition(retryMs >= 0, "the retry hint must not be negative")
        self.engine = engine
        self.broadcaster = broadcaster
        self.retryMs = retryMs
    }

    /// The paths of the live server's writes, refused here.
    public static var writePaths: [RouterPath] {
        [IngestController<Context>.path, "/api/v1/fault-tolerance/alerts/{id}/ack", "/api/v1/performance/suggestions/{id}/apply"]
    }

    public func addRoutes(to router: some RouterMethods<Context>) {
        router.get("/api/v1/replay", use: state)
        router.post("/api/v1/replay", use: control)
        router.get("/api/v1/stream", use: stream)
        router.get("/api/v1/performance/stream", use: stream)
        for path in Self.writePaths {
            router.post(path) { request, _ in try Self.refuseWrite(request) }
        }
    }

    @Sendable func state(_ request: Request, context: Context) async throws -> Response {
        try JSONResponse.make(engine.status())
    }

    @Sendable func control(_ request: Request, context: Context) async throws -> Response {
        var request = request
        let body: ByteBuffer
        do { body = try await request.collectBody(upTo: ReplayControl.bodyBytesMax) } catch {
            throw APIError(.contentTooLarge, error: "body too large", detail: "a replay control body is at most \(ReplayControl.bodyBytesMax) bytes")
        }
        let command: ReplayControl
        do { command = try ReplayControl.parse(String(buffer: body)) } catch {
            throw APIError.badRequest(error.description)
        }
        let status: ReplayStatus
        do { status = try await engine.control(command) } catch {
            throw APIError(.internalServerError, error: "replay failed", detail: error.description)
        }
        return try JSONResponse.make(status)
    }

    @Sendable func stream(_ request: Request, context: Context) async throws -> Response {
        let subscription: SSESubscription
        do { subscription = try await broadcaster.subscribe() } catch {
            throw APIError(.serviceUnavailable, error: "service unavailable", detail: error.description)
        }
        do {
            // Read after subscribing: a change published meanwhile reaches the client
            // after this prelude, so it ends at the newest state either way.
            let prelude = try ReplayPublisher.prelude(status: engine.status(), snapshot: engine.currentSnapshot())
            return SSEResponse.make(retryMs: retryMs, prelude: SSEChunkList(chunks: prelude), subscription: subscription)
        } catch {
            await subscription.cancel()
            throw error
        }
    }

    static func refuseWrite(_ request: Request) throws -> Response {
        throw APIError(
            .conflict, error: "read-only",
            detail: "\(request.method) \(request.uri.path): this server replays a recorded data directory, which is read-only; nothing was appended. Write to a server started with `tacho serve`.")
    }
}
