import EventStore
import Hummingbird
import Logging

/// `POST /api/v1/events`: a JSON array or NDJSON of events, appended all or none.
///
/// Answers `200 {"offsets": {"first": N, "last": M}, "count": K}` once `append` has
/// returned (which, per the fsync policy, is when the events are durable); 400 for bad
/// input naming the line or index and field, 401 without the configured token, 413 over
/// the body limit, 507 when the disk is full — each with `{"error","detail"}`.
/// The token, limit and append are the `IngestPipeline` every other format shares.
public struct IngestController<Context: RequestContext>: Sendable {
    public typealias Append = IngestPipeline.Append

    public static var path: RouterPath { "/api/v1/events" }
    public static var bodyBytesMaxDefault: Int { 16 * 1024 * 1024 }

    private let pipeline: IngestPipeline

    public init(
        append: @escaping Append, bodyBytesMax: Int = Self.bodyBytesMaxDefault, token: String? = nil,
        metrics: EngineMetrics? = nil, nowNs: @escaping @Sendable () -> Int64 = { EventTime.nowNs() },
        acceptedTimes: @escaping @Sendable (Int64) -> EventTimeBounds.Accepted = { _ in .unbounded }
    ) {
        self.init(pipeline: IngestPipeline(
            append: append, bodyBytesMax: bodyBytesMax, token: token, metrics: metrics, nowNs: nowNs, acceptedTimes: acceptedTimes))
    }

    public init(pipeline: IngestPipeline) {
        self.pipeline = pipeline
    }

    public func addRoutes(to router: some RouterMethods<Context>) {
        router.post(Self.path, use: ingest)
    }

    @Sendable public func ingest(_ request: Request, context: Context) async throws -> Response {
        let (offsets, count) = try await pipeline.accept(request, logger: context.logger, format: nil) { body, receivedNs, accepted throws(IngestInputError) in
            do throws(EventInputError) {
                // The decoder refuses an event outside the accepted times by its line.
                let events = try body.withUnsafeReadableBytes { bytes throws(EventInputError) in
                    try EventJSONDecoder().decode(bytes, defaultTimeNs: receivedNs, accepted: accepted)
                }
                return IngestPipeline.Decoded(events: events)
            } catch {
                throw IngestInputError(error.description)
            }
        }
        // The decoder refuses an input without events, so the log assigned offsets.
        guard let offsets else { preconditionFailure("a decoded native request holds events") }
        var writer = JSONWriter(reservingCapacity: 96)
        writer.beginObject()
        writer.key("offsets")
        writer.beginObject()
        writer.member("first", offsets.lowerBound)
        writer.member("last", offsets.upperBound)
        writer.endObject()
        writer.member("count", UInt64(count))
        writer.endObject()
        return Response(
            status: .ok, headers: [.contentType: "application/json; charset=utf-8"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: writer.bytes)))
    }
}
