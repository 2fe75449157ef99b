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

    /// `/api/v1/query` and `/api/v1/query_range`, which `PromQueryHandler` answers
    /// too; a request it leaves to the router (one pipelined behind another's
    /// response, a test's router) gets the same answer here.
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

    /// The matchers of every `match[]`, each a selector; none means "every series".
    private func selectors(_ parameters: PromAPIParameters, required: Bool) throws -> [[LabelMatcher]] {
        let raw = parameters.all("match[]")
        if raw.isEmpty {
            if required { throw PromAPIError(.badData, "no match[] parameter provided") }
            return [[try LabelMatcher(name: PromQL.Labels.metricName, op: .regexMatch, value: ".+")]]
        }
        return try raw.map { text in
            let expr: Expr
            do { expr = try Parser.parse(text) } catch let error as PromQLError {
                throw PromAPIError(.badData, "invalid parameter \"match[]\": \(error.message)")
            }
            guard case .vectorSelector(let selector) = expr else {
                throw PromAPIError(.badData, "invalid parameter \"match[]\": \(PromAPIParameters.quoted(text)) is not a series selector")
            }
            return selector.matchers
        }
    }

    /// The series of every selector over `start`...`end` (the whole log by default), once each.
    private func matchingSeries(_ parameters: PromAPIParameters, required: Bool) async throws -> [GatheredSeries] {
        let selectors = try selectors(parameters, required: required)
        let fromMs = try parameters.timeMs("start") ?? Int64.min / 1_000_000
        let toMs = try parameters.timeMs("end") ?? Int64.max / 1_000_000
        let source = queries.source(try queries.options(parameters))
        return try await BlockingWork.run {
            var seen: [PromQL.Labels: Int] = [:]
            var out: [GatheredSeries] = []
            for matchers in selectors {
                for series in try source.gather(matchers, fromMs: fromMs, toMs: toMs) {
                    if let index = seen[series.labels] {
                        out[index].isCounter = out[index].isCounter || series.isCounter
                    } else {
                        seen[series.labels] = out.count
                        out.append(series)
                    }
                }
            }
            return out.sorted { $0.labels < $1.labels }
        }
    }

    @Sendable func series(_ request: Request, context: Context) async throws -> Response {
        await answer {
            let found = try await matchingSeries(try await PromAPIParameters.read(request), required: true)
            return PromAPIJSON.success { writer in
                writer.beginArray()
                for entry in found { PromAPIJSON.labels(entry.labels, &writer) }
                writer.endArray()
            }
        }
    }

    @Sendable func labelNames(_ request: Request, context: Context) async throws -> Response {
        await answer {
            let found = try await matchingSeries(try await PromAPIParameters.read(request), required: false)
            let names = Set(found.flatMap { $0.labels.pairs.map(\.name) }).sorted()
            return PromAPIJSON.success { writer in
                writer.beginArray()
                for name in names { writer.value(name) }
                writer.endArray()
            }
        }
    }

    @Sendable func labelValues(_ request: Request, context: Context) async throws -> Response {
        await answer {
            let name = context.parameters.get("name") ?? ""
            let found = try await matchingSeries(try await PromAPIParameters.read(request), required: false)
            let values = Set(found.map { $0.labels[name] }.filter { !$0.isEmpty }).sorted()
            return PromAPIJSON.success { writer in
                writer.beginArray()
                for value in values { writer.value(value) }
                writer.endArray()
            }
        }
    }

    /// Per metric name its type: `counter` when any sample said so, else `gauge`.
    @Sendable func metadata(_ request: Request, context: Context) async throws -> Response {
        await answer {
            let parameters = try await PromAPIParameters.read(request)
            var filtered = parameters
            if let metric = parameters.text("metric") { filtered = PromAPIParameters.only("match[]", "{__name__=\(PromAPIParameters.quoted(metric))}") }
            let found = try await matchingSeries(filtered, required: false)
            var kinds: [String: Bool] = [:]
            for entry in found { kinds[entry.labels.metric, default: false] = kinds[entry.labels.metric, default: false] || entry.isCounter }
            let limit = try parameters.text("limit").map { raw throws(PromAPIError) -> Int in
                guard let limit = Int(raw) else { throw PromAPIError(.badData, "invalid parameter \"limit\": not a number") }
                return limit
            } ?? -1
            return PromAPIJSON.success { writer in
                writer.beginObject()
                for (index, name) in kinds.keys.sorted().enumerated() where limit < 0 || index < limit {
                    writer.key(name)
                    writer.beginArray()
                    writer.beginObject()
                    writer.member("type", kinds[name]! ? "counter" : "gauge")
                    writer.member("help", "")
                    writer.member("unit", "")
                    writer.endObject()
                    writer.endArray()
                }
                writer.endObject()
            }
        }
    }

    /// Grafana reads the version to choose the features it uses; Tacho answers the
    /// Prometheus version whose query semantics it follows.
    @Sendable func buildInfo(_ request: Request, context: Context) async throws -> Response {
        PromAPIJSON.success { writer in
            writer.beginObject()
            writer.member("version", "2.42.0")
            writer.member("revision", "tacho")
            writer.member("branch", "tacho")
            writer.member("buildUser", "tacho")
            writer.member("buildDate", "")
            writer.member("goVersion", "none (Tacho, Swift)")
            writer.endObject()
        }
    }
}

extension PromAPIParameters {
    static func only(_ name: String, _ value: String) -> PromAPIParameters {
        var parameters = PromAPIParameters()
        parameters.append(name, value)
        return parameters
    }
}
