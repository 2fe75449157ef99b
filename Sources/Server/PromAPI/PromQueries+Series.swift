import PromQL

/// `/api/v1/series`, `/api/v1/labels`, `/api/v1/label/<name>/values`,
/// `/api/v1/metadata` and `/api/v1/status/buildinfo`: what Grafana's query editor and
/// `promtool query series|labels` read besides queries, answered by the router and on
/// the connection (`PromQueryHandler`) alike.
extension PromQueries {
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
    private func matchingSeries(_ parameters: PromAPIParameters, required: Bool, cancellation: QueryCancellation?) throws -> [GatheredSeries] {
        let selectors = try selectors(parameters, required: required)
        let fromMs = try parameters.timeMs("start") ?? Int64.min / 1_000_000
        let toMs = try parameters.timeMs("end") ?? Int64.max / 1_000_000
        let source = source(try options(parameters, cancellation: cancellation))
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

    func series(_ parameters: PromAPIParameters, cancellation: QueryCancellation?) throws -> PromAPIAnswer {
        let found = try matchingSeries(parameters, required: true, cancellation: cancellation)
        return PromAPIJSON.successAnswer { writer in
            writer.beginArray()
            for entry in found { PromAPIJSON.labels(entry.labels, &writer) }
            writer.endArray()
        }
    }

    func labelNames(_ parameters: PromAPIParameters, cancellation: QueryCancellation?) throws -> PromAPIAnswer {
        let found = try matchingSeries(parameters, required: false, cancellation: cancellation)
        let names = Set(found.flatMap { $0.labels.pairs.map(\.name) }).sorted()
        return PromAPIJSON.successAnswer { writer in
            writer.beginArray()
            for name in names { writer.value(name) }
            writer.endArray()
        }
    }

    func labelValues(_ name: String, _ parameters: PromAPIParameters, cancellation: QueryCancellation?) throws -> PromAPIAnswer {
        let found = try matchingSeries(parameters, required: false, cancellation: cancellation)
        let values = Set(found.map { $0.labels[name] }.filter { !$0.isEmpty }).sorted()
        return PromAPIJSON.successAnswer { writer in
            writer.beginArray()
            for value in values { writer.value(value) }
            writer.endArray()
        }
    }

    /// Per metric name its type: `counter` when any sample said so, else `gauge`.
    func metadata(_ parameters: PromAPIParameters, cancellation: QueryCancellation?) throws -> PromAPIAnswer {
        var filtered = parameters
        if let metric = parameters.text("metric") { filtered = PromAPIParameters.only("match[]", "{__name__=\(PromAPIParameters.quoted(metric))}") }
        let found = try matchingSeries(filtered, required: false, cancellation: cancellation)
        var kinds: [String: Bool] = [:]
        for entry in found { kinds[entry.labels.metric, default: false] = kinds[entry.labels.metric, default: false] || entry.isCounter }
        let limit = try parameters.text("limit").map { raw throws(PromAPIError) -> Int in
            guard let limit = Int(raw) else { throw PromAPIError(.badData, "invalid parameter \"limit\": not a number") }
            return limit
        } ?? -1
        return PromAPIJSON.successAnswer { writer in
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

    /// Grafana reads the version to choose the features it uses; Tacho answers the
    /// Prometheus version whose query semantics it follows.
    static let buildInfo = PromAPIJSON.successAnswer { writer in
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
