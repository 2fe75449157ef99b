import EventStore
import Hummingbird

/// `POST /v1/metrics`: OTLP/HTTP metrics, protobuf (`application/x-protobuf`) or JSON
/// (`application/json`), optionally gzip-compressed, as the OpenTelemetry SDKs' OTLP
/// HTTP exporters send them. Mapped to `metric` events by `OTLPEventMapper` and appended
/// all or none through the shared `IngestPipeline`.
///
/// Answers 200 with an empty `ExportMetricsServiceResponse` (an empty protobuf body, or
/// `{}` for JSON) as an OTLP receiver does; 400 for a malformed body (an exporter does
/// not retry it), 415 for another content type or encoding; the pipeline's 401, 413, 507.
public struct OTLPMetricsController<Context: RequestContext>: Sendable {
    public static var path: RouterPath { "/v1/metrics" }
    /// The most a gzip body may inflate to, as a multiple of the body limit.
    public static var inflatedBytesPerBodyByte: Int { 16 }

    private let pipeline: IngestPipeline
    private let totals = OTLPDeltaTotals()

    public init(pipeline: IngestPipeline) {
        self.pipeline = pipeline
    }

    public func addRoutes(to router: some RouterMethods<Context>) {
        router.post(Self.path, use: export)
    }

    @Sendable public func export(_ request: Request, context: Context) async throws -> Response {
        let contentType = request.headers[.contentType]?.lowercased() ?? ""
        let json = contentType.hasPrefix("application/json")
        let encoding = request.headers[.contentEncoding]
        let inflatedBytesMax = pipeline.bodyBytesMax.multipliedReportingOverflow(by: Self.inflatedBytesPerBodyByte).partialValue
        let totals = self.totals
        var deltas: [SeriesKey: Double] = [:]
        _ = try await pipeline.accept(request, logger: context.logger, format: .otlp) { body, receivedNs, _ throws(IngestInputError) in
            guard json || contentType.hasPrefix("application/x-protobuf") || contentType.hasPrefix("application/protobuf") else {
                throw IngestInputError(
                    "Content-Type '\(contentType)' is not OTLP; send application/x-protobuf or application/json", status: .unsupportedMediaType)
            }
            let raw = try ContentEncoding.decode(body, encoding: encoding, bytesMax: inflatedBytesMax)
            let metrics: OTLPMetrics
            if json {
                do {
                    metrics = try raw.withUnsafeReadableBytes { bytes throws(OTLPJSONError) in try OTLPJSONDecoder.decode(bytes) }
                } catch {
                    throw IngestInputError("OTLP/JSON body: \(error)")
                }
            } else {
                do {
                    metrics = try raw.withUnsafeReadableBytes { bytes throws(ProtobufError) in try OTLPProtobufDecoder.decode(bytes) }
                } catch {
                    throw IngestInputError("OTLP protobuf body: not an ExportMetricsServiceRequest: \(error)")
                }
            }
            let mapped = try OTLPEventMapper(totals: totals).map(metrics, defaultTimeNs: receivedNs)
            deltas = mapped.deltas
            return mapped.decoded
        }
        // Appended: the deltas now count in the running totals.
        totals.add(deltas)
        return Response(
            status: .ok, headers: [.contentType: json ? "application/json" : "application/x-protobuf"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: json ? "{}" : "")))
    }
}
