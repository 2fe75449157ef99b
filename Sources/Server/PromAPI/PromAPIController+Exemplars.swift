import Hummingbird
import PromQL

/// Prometheus's `/api/v1/query_exemplars`, which Grafana's Prometheus data source calls
/// when a query's exemplars are switched on. Tacho keeps no exemplars (remote-write's
/// are counted as skipped at ingest, see docs/ingest.md), so a valid request answers
/// none: what a Prometheus without exemplar storage (2.42's default) answers. The query
/// and the times are checked as Prometheus checks them.
extension PromAPIController {
    @Sendable func queryExemplars(_ request: Request, context: Context) async throws -> Response {
        await answer {
            let parameters = try await PromAPIParameters.read(request)
            let query = parameters.text("query") ?? ""
            do throws(PromQLError) {
                _ = try Parser.parse(query)
            } catch {
                throw PromAPIError(.badData, error.message)
            }
            let startMs = try parameters.timeMs("start")
            let endMs = try parameters.timeMs("end")
            if let startMs, let endMs, endMs < startMs {
                throw PromAPIError(.badData, "end timestamp must not be before start timestamp")
            }
            return PromAPIJSON.success { writer in
                writer.beginArray()
                writer.endArray()
            }
        }
    }
}
