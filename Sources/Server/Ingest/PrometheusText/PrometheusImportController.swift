import EventStore
import Hummingbird

/// `POST /api/v1/import/prometheus`: Prometheus text exposition (0.0.4, or OpenMetrics
/// when the `Content-Type` says `application/openmetrics-text`) pushed by a job, as
/// VictoriaMetrics and the Pushgateway accept it. Samples without a timestamp take the
/// time the request arrived. Answers 204; a malformed line refuses the whole body (400
/// naming the line); gzip bodies are inflated; the token, limit and append are the
/// shared `IngestPipeline`'s.
public struct PrometheusImportController<Context: RequestContext>: Sendable {
    public static var path: RouterPath { "/api/v1/import/prometheus" }

    private let pipeline: IngestPipeline

    public init(pipeline: IngestPipeline) {
        self.pipeline = pipeline
    }

    public func addRoutes(to router: some RouterMethods<Context>) {
        router.post(Self.path, use: importText)
    }

    @Sendable public func importText(_ request: Request, context: Context) async throws -> Response {
        let dialect = PrometheusTextParser.Dialect(contentType: request.headers[.contentType])
        let encoding = request.headers[.contentEncoding]
        let inflatedBytesMax = pipeline.bodyBytesMax.multipliedReportingOverflow(by: 16).partialValue
        _ = try await pipeline.accept(request, logger: context.logger, format: .prometheusText) { body, receivedNs, _ throws(IngestInputError) in
            let raw = try ContentEncoding.decode(body, encoding: encoding, bytesMax: inflatedBytesMax)
            let parsed: PrometheusTextParser.Parsed
            do {
                parsed = try raw.withUnsafeReadableBytes { bytes throws(PrometheusTextError) in
                    try PrometheusTextParser(dialect: dialect).parse(bytes)
                }
            } catch {
                throw IngestInputError("exposition: \(error)")
            }
            return try parsed.events(defaultTimeNs: receivedNs)
        }
        return Response(status: .noContent)
    }
}
