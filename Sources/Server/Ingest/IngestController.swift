import EventStore
import Hummingbird
import Logging

/// `POST /api/v1/events`: a JSON array or NDJSON of events, appended all or none.
///
/// Answers `200 {"offsets": {"first": N, "last": M}, "count": K}` once `append` has
/// returned (which, per the fsync policy, is when the events are durable); 400 for bad
/// input naming the line or index and field, 401 without the configured token, 413 over
/// the body limit, 507 when the disk is full — each with `{"error","detail"}`.
public struct IngestController<Context: RequestContext>: Sendable {
    public typealias Append = @Sendable ([Event]) async throws -> ClosedRange<UInt64>

    public static var path: RouterPath { "/api/v1/events" }
    public static var bodyBytesMaxDefault: Int { 16 * 1024 * 1024 }

    private let append: Append
    private let bodyBytesMax: Int
    private let token: BearerToken?
    private let metrics: EngineMetrics?
    private let nowNs: @Sendable () -> Int64
    private let acceptedTimes: @Sendable (Int64) -> EventTimeBounds.Accepted

    /// - Parameter acceptedTimes: the event times accepted at a given server time
    ///   (`TachoApp.acceptedEventTimes`); events outside refuse the request.
    public init(
        append: @escaping Append, bodyBytesMax: Int = Self.bodyBytesMaxDefault, token: String? = nil,
        metrics: EngineMetrics? = nil, nowNs: @escaping @Sendable () -> Int64 = { EventTime.nowNs() },
        acceptedTimes: @escaping @Sendable (Int64) -> EventTimeBounds.Accepted = { _ in .unbounded }
    ) {
        precondition(bodyBytesMax > 0, "the body limit must be positive")
        self.append = append
        self.bodyBytesMax = bodyBytesMax
        self.token = BearerToken(token)
        self.metrics = metrics
        self.nowNs = nowNs
        self.acceptedTimes = acceptedTimes
    }

    public func addRoutes(to router: some RouterMethods<Context>) {
        router.post(Self.path, use: ingest)
    }

    @Sendable public func ingest(_ request: Request, context: Context) async throws -> Response {
        metrics?.recordIngestRequest()
        do {
            return try await handle(request, context: context)
        } catch let error as IngestFailure {
            metrics?.recordIngestError(error.reason)
            throw error.apiError
        }
    }

    private func handle(_ request: Request, context: Context) async throws -> Response {
        if let token, !token.accepts(authorization: request.headers[.authorization]) {
            throw IngestFailure(.unauthorized, .unauthorized(
                request.headers[.authorization] == nil
                    ? "this server requires 'Authorization: Bearer <token>' for writes"
                    : "the bearer token does not match the server's"))
        }
        let body = try await collectBody(request)
        let receivedNs = nowNs()
        let accepted = acceptedTimes(receivedNs)
        let events: [Event]
        do {
            events = try body.withUnsafeReadableBytes { bytes throws(EventInputError) in
                try EventJSONDecoder().decode(bytes, defaultTimeNs: receivedNs, accepted: accepted)
            }
        } catch {
            throw IngestFailure(.malformed, .badRequest(error.description))
        }
        let offsets: ClosedRange<UInt64>
        do {
            offsets = try await append(events)
        } catch let error as any DiskFullReporting where error.isDiskFull {
            throw IngestFailure(.diskFull, APIError(
                .init(code: 507, reasonPhrase: "Insufficient Storage"), error: "disk full",
                detail: "the log's disk is full; nothing of this request was appended; retry when space is freed (\(error))"))
        } catch {
            context.logger.error("ingest: append of \(events.count) events failed: \(error)")
            throw IngestFailure(.appendFailed, APIError(
                .internalServerError, error: "append failed", detail: "nothing of this request was appended: \(error)"))
        }
        precondition(offsets.count == events.count, "the log assigned \(offsets.count) offsets to \(events.count) events")
        var writer = JSONWriter(reservingCapacity: 96)
        writer.beginObject()
        writer.key("offsets")
        writer.beginObject()
        writer.member("first", offsets.lowerBound)
        writer.member("last", offsets.upperBound)
        writer.endObject()
        writer.member("count", UInt64(events.count))
        writer.endObject()
        return Response(
            status: .ok, headers: [.contentType: "application/json; charset=utf-8"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: writer.bytes)))
    }

    /// Reads the body up to the limit; a declared or actual size over it is refused
    /// before more is buffered.
    private func collectBody(_ request: Request) async throws -> ByteBuffer {
        let tooLarge = IngestFailure(.tooLarge, APIError(
            .contentTooLarge, error: "body too large",
            detail: "request bodies are limited to \(bodyBytesMax) bytes; send the events in smaller requests"))
        if let declared = request.headers[.contentLength].flatMap({ Int($0) }), declared > bodyBytesMax { throw tooLarge }
        var collected = ByteBuffer()
        for try await part in request.body {
            guard collected.readableBytes + part.readableBytes <= bodyBytesMax else { throw tooLarge }
            var part = part
            collected.writeBuffer(&part)
        }
        return collected
    }
}

/// An ingest refusal with the reason it is counted under.
struct IngestFailure: Error {
    let reason: IngestErrorReason
    let apiError: APIError

    init(_ reason: IngestErrorReason, _ apiError: APIError) {
        self.reason = reason
        self.apiError = apiError
    }
}
