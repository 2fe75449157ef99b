import EventStore
import Hummingbird
import PromQL

/// The Prometheus HTTP API over the log's `metric` series, so Grafana's Prometheus
/// data source and `promtool query` work against Tacho: `/api/v1/query`,
/// `/api/v1/query_range`, `/api/v1/series`, `/api/v1/labels`,
/// `/api/v1/label/<name>/values`, `/api/v1/metadata`, `/api/v1/status/buildinfo`,
/// GET and form-encoded POST, in Prometheus's envelope.
public struct PromAPIController<Context: RequestContext>: Sendable {
    public typealias Limits = PromQueryLimits

    /// The endpoints of `PromQueries.Endpoint`, which `PromQueryHandler` answers on the
    /// connection too; a request it leaves to the router (one pipelined behind
    /// another's response, a test's router) gets the same answer here.
    let queries: PromQueries
    var log: any MetricScanning { queries.log }
    /// The live rule groups `/api/v1/rules` and `/api/v1/alerts` list; nil (a replay,
    /// a follower) lists none, as a Prometheus without rule files.
    let rules: RuleStatusBoard?
    /// The scrape targets `/api/v1/targets` lists; nil lists none.
    let targets: ScrapeStatusBoard?

    init(queries: PromQueries, rules: RuleStatusBoard? = nil, targets: ScrapeStatusBoard? = nil) {
        self.queries = queries
        self.rules = rules
        self.targets = targets
    }

    init(
        log: any MetricScanning, limits: Limits = Limits(), rules: RuleStatusBoard? = nil, targets: ScrapeStatusBoard? = nil,
        defaultTimeNs: @escaping @Sendable () -> Int64 = { EventTime.nowNs() }
    ) {
        self.init(queries: PromQueries(log: log, limits: limits, defaultTimeNs: defaultTimeNs), rules: rules, targets: targets)
    }

    public func addRoutes(to router: some RouterMethods<Context>) {
        for (path, handler) in [
            ("/api/v1/query", query), ("/api/v1/query_range", queryRange), ("/api/v1/series", series),
            ("/api/v1/labels", labelNames), ("/api/v1/label/:name/values", labelValues),
            ("/api/v1/metadata", metadata), ("/api/v1/status/buildinfo", buildInfo),
            ("/api/v1/rules", ruleGroups), ("/api/v1/alerts", alerts), ("/api/v1/targets", scrapeTargets),
            ("/api/v1/query_exemplars", queryExemplars),
        ] as [(RouterPath, @Sendable (Request, Context) async throws -> Response)] {
            router.get(path, use: handler)
            router.post(path, use: handler)
        }
    }

    /// Runs `body`, answering a Prometheus error envelope for what it throws.
    func answer(_ body: () async throws -> Response) async -> Response {
        do {
            return try await body()
        } catch {
            return PromAPIJSON.failure(PromAPIError(describing: error))
        }
    }

    @Sendable func query(_ request: Request, context: Context) async throws -> Response {
        await answer(.instant, request)
    }

    @Sendable func queryRange(_ request: Request, context: Context) async throws -> Response {
        await answer(.range, request)
    }

    private func answer(_ endpoint: PromQueries.Endpoint, _ request: Request) async -> Response {
        await answer {
            let parameters = try await PromAPIParameters.read(request)
            let queries = self.queries
            return try await BlockingWork.run { queries.answer(endpoint, parameters) }.response
        }
    }

    @Sendable func series(_ request: Request, context: Context) async throws -> Response {
        await answer(.series, request)
    }

    @Sendable func labelNames(_ request: Request, context: Context) async throws -> Response {
        await answer(.labels, request)
    }

    @Sendable func labelValues(_ request: Request, context: Context) async throws -> Response {
        await answer(.labelValues(name: context.parameters.get("name") ?? ""), request)
    }

    @Sendable func metadata(_ request: Request, context: Context) async throws -> Response {
        await answer(.metadata, request)
    }

    @Sendable func buildInfo(_ request: Request, context: Context) async throws -> Response {
        await answer(.buildInfo, request)
    }
}

extension PromAPIParameters {
    static func only(_ name: String, _ value: String) -> PromAPIParameters {
        var parameters = PromAPIParameters()
        parameters.append(name, value)
        return parameters
    }
}
