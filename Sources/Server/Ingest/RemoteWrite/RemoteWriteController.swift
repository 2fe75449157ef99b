import EventStore
import Hummingbird

/// `POST /api/v1/write`: Prometheus remote-write 1.0, a snappy block-compressed
/// protobuf `WriteRequest` (`Content-Encoding: snappy`,
/// `Content-Type: application/x-protobuf`), as Prometheus 2.x and every agent speaking
/// the protocol send it. Samples become `metric` events (docs/ingest.md), appended all
/// or none through the shared `IngestPipeline`.
///
/// Answers 204 as Prometheus's own receiver does; 400 for a body that is not snappy or
/// not a `WriteRequest` (a sender does not retry a 4xx); 415 for remote-write 2.0 or
/// another encoding; the pipeline's 401, 413, 507.
public struct RemoteWriteController<Context: RequestContext>: Sendable {
    public static var path: RouterPath { "/api/v1/write" }
    /// The most a body may decompress to, as a multiple of the body limit (Prometheus
    /// batches compress about 5-10×).
    public static var decodedBytesPerBodyByte: Int { 16 }

    private let pipeline: IngestPipeline
    private let types: MetricTypeMemory
    private let seriesKeys: SeriesKeyCache

    public init(pipeline: IngestPipeline) {
        self.pipeline = pipeline
        self.types = MetricTypeMemory()
        self.seriesKeys = SeriesKeyCache()
    }

    public func addRoutes(to router: some RouterMethods<Context>) {
        router.post(Self.path, use: write)
    }

    @Sendable public func write(_ request: Request, context: Context) async throws -> Response {
        let contentType = request.headers[.contentType]?.lowercased() ?? ""
        let encoding = request.headers[.contentEncoding]?.lowercased() ?? "snappy"
        let decodedBytesMax = pipeline.bodyBytesMax.multipliedReportingOverflow(by: Self.decodedBytesPerBodyByte).partialValue
        let types = self.types
        let seriesKeys = self.seriesKeys
        _ = try await pipeline.accept(request, logger: context.logger, format: .remoteWrite) { body, _, _ throws(IngestInputError) in
            if contentType.contains("io.prometheus.write.v2") {
                throw IngestInputError(
                    "remote-write 2.0 is not supported; configure the sender for remote-write 1.0 (protobuf_message: prometheus.WriteRequest)",
                    status: .unsupportedMediaType)
            }
            guard encoding == "snappy" else {
                throw IngestInputError(
                    "Content-Encoding '\(encoding)' is not supported; remote-write bodies are snappy block-compressed",
                    status: .unsupportedMediaType)
            }
            let raw: [UInt8]
            do {
                raw = try body.withUnsafeReadableBytes { bytes throws(SnappyError) in
                    try SnappyBlock.decompress(bytes, bytesMax: decodedBytesMax)
                }
            } catch {
                throw IngestInputError("remote-write body: \(error)")
            }
            // Array's withUnsafeBytes rethrows untyped; the decoder throws only IngestInputError.
            let decoded: RemoteWriteDecoder.Decoded
            do {
                decoded = try raw.withUnsafeBytes { bytes throws(IngestInputError) in
                    try RemoteWriteDecoder(knownTypes: { types.type(of: $0) }, seriesKeys: seriesKeys).decode(bytes)
                }
            } catch let error as IngestInputError {
                throw error
            } catch {
                throw IngestInputError("remote-write body: \(error)")
            }
            types.remember(decoded.types)
            return IngestPipeline.Decoded(events: decoded.events, skipped: decoded.skipped)
        }
        return Response(status: .noContent)
    }
}
