import EventStore
import HTTPTypes
import NIOCore
import PromQL
import Synchronization

/// Prometheus's query flags, with its defaults.
public struct PromQueryLimits: Sendable {
    /// `--query.max-samples`.
    public var samplesMax = 50_000_000
    /// `--query.timeout`, in milliseconds; a request's `timeout` may only shorten it.
    public var timeoutMs: Int64 = 120_000
    /// `--query.lookback-delta`, in milliseconds.
    public var lookbackDeltaMs: Int64 = 300_000
    /// Prometheus refuses range queries of more points per series than this.
    public var pointsPerSeriesMax: Int64 = 11_000
    /// Most log events one read scans (about 2 s of decoding on one core).
    public var eventsScannedMax = 20_000_000
    public init() {}
}

/// `/api/v1/query` and `/api/v1/query_range` (and the series, labels, metadata and
/// buildinfo endpoints: `PromQueries+Series.swift`), answered from their parameters
/// alike wherever the request came in: Hummingbird's router (`PromAPIController`) or
/// the connection's own handler (`PromQueryHandler`), which answers most of them.
/// `answer` reads the log and computes: call it off Swift's cooperative pool.
struct PromQueries: Sendable {
    enum Endpoint: Sendable, Equatable {
        case instant
        case range
        case series
        case labels
        case labelValues(name: String)
        case metadata
        case buildInfo

        /// The endpoint of a request target such as `/api/v1/query?query=up`; nil for any other.
        init?(target: Substring) {
            let path = target.prefix { $0 != "?" }
            switch path {
            case "/api/v1/query": self = .instant
            case "/api/v1/query_range": self = .range
            case "/api/v1/series": self = .series
            case "/api/v1/labels": self = .labels
            case "/api/v1/metadata": self = .metadata
            case "/api/v1/status/buildinfo": self = .buildInfo
            default:
                // `/api/v1/label/<name>/values`, the name as the router reads it (not decoded).
                let prefix = "/api/v1/label/", suffix = "/values"
                guard path.hasPrefix(prefix), path.hasSuffix(suffix), path.count > prefix.count + suffix.count else { return nil }
                let name = path.dropFirst(prefix.count).dropLast(suffix.count)
                guard !name.contains("/") else { return nil }
                self = .labelValues(name: String(name))
            }
        }
    }

    let log: any MetricScanning
    let limits: PromQueryLimits
    /// The time of an instant query that names none: the clock's now on a live server,
    /// the replay's cursor on `tacho replay --serve`.
    let defaultTimeNs: @Sendable () -> Int64

    init(log: any MetricScanning, limits: PromQueryLimits = PromQueryLimits(), defaultTimeNs: @escaping @Sendable () -> Int64 = { EventTime.nowNs() }) {
        self.log = log
        self.limits = limits
        self.defaultTimeNs = defaultTimeNs
    }

    /// The envelope Prometheus answers `endpoint` with for `parameters`, errors included.
    /// Once `cancellation` is cancelled the computation stops at its next deadline check
    /// and the answer is Prometheus's `canceled` error.
    func answer(_ endpoint: Endpoint, _ parameters: PromAPIParameters, cancellation: QueryCancellation? = nil) -> PromAPIAnswer {
        PromAPIAnswer.catching {
            do {
                if let cancellation, cancellation.isCancelled { throw QueryCancellation.error }
                switch endpoint {
                case .instant: return try instant(parameters, cancellation: cancellation)
                case .range: return try range(parameters, cancellation: cancellation)
                case .series: return try series(parameters, cancellation: cancellation)
                case .labels: return try labelNames(parameters, cancellation: cancellation)
                case .labelValues(let name): return try labelValues(name, parameters, cancellation: cancellation)
                case .metadata: return try metadata(parameters, cancellation: cancellation)
                case .buildInfo: return Self.buildInfo
                }
            } catch _ where cancellation?.isCancelled == true {
                // What stopped it (a timeout at the next check) is not what happened.
                throw QueryCancellation.error
            }
        }
    }

    /// The answer of a query small enough to compute on its connection's event loop,
    /// with no thread to wake and wait for: every sample it reads held in memory (the
    /// segments' series indexes and decoded batches), at most `heldSamplesMax` of them,
    /// no subquery, and steps × (samples + series) × the expression's nodes within
    /// `heldWorkMax` (an upper bound of the evaluation's work: each node does at most
    /// a pass over what is loaded per step). Nil when it is not: the query is asked
    /// again off the loop, where `answer` reads files and runs as long as it needs.
    /// A query's own errors (a parse error, a bad parameter) are answered here.
    func answerHeld(_ endpoint: Endpoint, _ parameters: PromAPIParameters) -> PromAPIAnswer? {
        let held = HeldAttempt()
        let answer: PromAPIAnswer
        switch endpoint {
        case .buildInfo: return Self.buildInfo
        case .instant: answer = PromAPIAnswer.catching { try instant(parameters, cancellation: nil, held: held) }
        case .range: answer = PromAPIAnswer.catching { try range(parameters, cancellation: nil, held: held) }
        case .series, .labels, .labelValues, .metadata: return nil
        }
        return held.isRefused ? nil : answer
    }

    /// Most samples a query computed on an event loop reads (`answerHeld`).
    static let heldSamplesMax = 5_000
    /// Most series it selects: a refused query has cost the loop at most their lookup.
    static let heldSeriesMax = 256
    /// Samples a selected series is taken to bring, to refuse a query early.
    static let heldSamplesPerSeriesAssumed = 16
    /// Most work a query computed on an event loop may have, in samples and series
    /// per step and node (well under a millisecond's worth).
    static let heldWorkMax = 100_000

    /// Refuses what `answerHeld` may not try (a subquery, more steps than its work
    /// allows), makes the options refuse the query once loaded beyond `heldWorkMax`, and
    /// returns how many samples and series it may read on the way (the scan refuses it
    /// as soon as it reads more, so a large query costs the loop little).
    private static func admitsHeld(_ expr: Expr, steps: Int64, _ held: HeldAttempt, options: inout QueryOptions) throws -> Int {
        guard let nodes = heldNodes(expr), steps <= Int64(heldWorkMax) else {
            held.refuse()
            throw PromAPIError(.execution, "the query is not computed on its connection's event loop")
        }
        let perLoaded = Int(steps) * nodes
        options.admitsLoaded = { samples, series in
            let admitted = (samples + series + 1) * perLoaded <= heldWorkMax
            if !admitted { held.refuse() }
            return admitted
        }
        return heldWorkMax / perLoaded
    }

    /// The expression's nodes; nil with a subquery, whose inner steps the loaded
    /// samples do not bound, or a regular-expression matcher, tried on every value of
    /// its label in each segment's index before any series is selected (the cost a
    /// refusal would add).
    static func heldNodes(_ expr: Expr) -> Int? {
        switch expr {
        case .number, .string: return 1
        case .vectorSelector(let selector), .matrixSelector(let selector, _):
            return selector.matchers.contains { $0.op == .regexMatch || $0.op == .regexNoMatch } ? nil : 1
        case .subquery: return nil
        case .paren(let inner), .unary(_, let inner): return heldNodes(inner).map { $0 + 1 }
        case .binary(_, let lhs, let rhs, _, _):
            guard let left = heldNodes(lhs), let right = heldNodes(rhs) else { return nil }
            return left + right + 1
        case .call(_, let arguments):
            var nodes = 1
            for argument in arguments {
                guard let inner = heldNodes(argument) else { return nil }
                nodes += inner
            }
            return nodes
        case .aggregate(_, let inner, let parameter, _, _):
            guard let nodes = heldNodes(inner) else { return nil }
            guard let parameter else { return nodes + 1 }
            return heldNodes(parameter).map { nodes + $0 + 1 }
        }
    }

    private func instant(_ parameters: PromAPIParameters, cancellation: QueryCancellation?, held: HeldAttempt? = nil) throws -> PromAPIAnswer {
        let expr = try parse(parameters)
        let atMs = try parameters.timeMs("time") ?? LogSampleSource.milliseconds(defaultTimeNs())
        var options = try options(parameters, cancellation: cancellation)
        let heldBudget = try held.map { try Self.admitsHeld(expr, steps: 1, $0, options: &options) }
        let value = try Evaluator.instant(expr, atMs: atMs, source: source(options, held: held, heldBudget: heldBudget), options: options)
        return PromAPIJSON.successAnswer { PromAPIJSON.write(value, to: &$0) }
    }

    private func range(_ parameters: PromAPIParameters, cancellation: QueryCancellation?, held: HeldAttempt? = nil) throws -> PromAPIAnswer {
        guard let startMs = try parameters.timeMs("start") else { throw PromAPIError(.badData, "invalid parameter \"start\": cannot parse \"\" to a valid timestamp") }
        guard let endMs = try parameters.timeMs("end") else { throw PromAPIError(.badData, "invalid parameter \"end\": cannot parse \"\" to a valid timestamp") }
        guard endMs >= startMs else { throw PromAPIError(.badData, "invalid parameter \"end\": end timestamp must not be before start time") }
        guard let stepMs = try parameters.durationMs("step") else { throw PromAPIError(.badData, "invalid parameter \"step\": cannot parse \"\" to a valid duration") }
        guard stepMs > 0 else {
            throw PromAPIError(.badData, "invalid parameter \"step\": zero or negative query resolution step widths are not accepted. Try a positive integer")
        }
        guard (endMs - startMs) / stepMs <= limits.pointsPerSeriesMax else {
            throw PromAPIError(.badData, "exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)")
        }
        let expr = try parse(parameters)
        var options = try options(parameters, cancellation: cancellation)
        let heldBudget = try held.map { try Self.admitsHeld(expr, steps: (endMs - startMs) / stepMs + 1, $0, options: &options) }
        let series = try Evaluator.range(
            expr, startMs: startMs, endMs: endMs, stepMs: stepMs, source: source(options, held: held, heldBudget: heldBudget), options: options)
        return PromAPIJSON.successAnswer { PromAPIJSON.write(.matrix(series), to: &$0) }
    }

    func options(_ parameters: PromAPIParameters, cancellation: QueryCancellation? = nil) throws(PromAPIError) -> QueryOptions {
        var timeoutMs = limits.timeoutMs
        if let asked = try parameters.durationMs("timeout") {
            guard asked > 0 else { throw PromAPIError(.badData, "invalid parameter \"timeout\": must be positive") }
            timeoutMs = min(timeoutMs, asked)
        }
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: .milliseconds(timeoutMs))
        var options = QueryOptions()
        options.maxSamples = limits.samplesMax
        options.lookbackDeltaMs = limits.lookbackDeltaMs
        options.isPastDeadline = { cancellation?.isCancelled == true || clock.now >= deadline }
        return options
    }

    /// The log's samples for a query; with `held`, from memory only and at most
    /// `heldBudget` samples and series (`answerHeld`).
    func source(_ options: QueryOptions? = nil, held: HeldAttempt? = nil, heldBudget: Int? = nil) -> LogSampleSource {
        let budget = heldBudget ?? Self.heldSamplesMax
        var source = LogSampleSource(
            log: log, samplesMax: held == nil ? limits.samplesMax : min(limits.samplesMax, Self.heldSamplesMax, budget),
            eventsScannedMax: limits.eventsScannedMax)
        if let options { source.isPastDeadline = options.isPastDeadline }
        source.held = held
        // A refusal is always safe, so it may come early: a series selected is taken to
        // bring a window's worth of samples (a range query over 100 series then stops at
        // the series' lookup instead of after their first batches).
        source.heldSeriesMax = min(Self.heldSeriesMax, budget / Self.heldSamplesPerSeriesAssumed)
        return source
    }

    /// Every server of the process shares the texts parsed: a parse depends on the text alone.
    static let parsedQueries = ParsedQueries(capacity: 1024)

    private func parse(_ parameters: PromAPIParameters) throws -> Expr {
        do {
            // No query is Prometheus's parse error of an empty text ("no expression found in input").
            return try Self.parsedQueries.parse(parameters.text("query") ?? "")
        } catch {
            throw PromAPIError(.badData, "invalid parameter \"query\": \(error.message)")
        }
    }
}

/// Set when nobody waits for a query's answer any more (its connection closed), so its
/// computation stops at the next deadline check instead of running on to the timeout:
/// Prometheus cancels a query's context when its request's connection closes. Without
/// it a client that sends heavy queries and hangs up keeps a thread busy per query for
/// up to `--query.timeout`.
final class QueryCancellation: Sendable {
    private let cancelled = Atomic<Bool>(false)

    func cancel() { cancelled.store(true, ordering: .relaxed) }
    var isCancelled: Bool { cancelled.load(ordering: .relaxed) }

    /// Prometheus's answer to a query whose context was cancelled (status 499).
    static let error = PromAPIError(.canceled, "query canceled: its client closed the connection")
}

/// A Prometheus API answer before it is a response: its status and JSON body.
struct PromAPIAnswer: Sendable {
    let status: HTTPResponse.Status
    let body: [UInt8]

    /// `body`'s answer, or the error envelope of what it threw.
    static func catching(_ body: () throws -> PromAPIAnswer) -> PromAPIAnswer {
        do {
            return try body()
        } catch {
            return PromAPIJSON.failureAnswer(PromAPIError(describing: error))
        }
    }
}

extension PromAPIError {
    /// Prometheus's error for anything a request's handling threw.
    init(describing error: any Error) {
        switch error {
        case let error as PromAPIError: self = error
        case let error as PromQLError: self.init(error)
        default: self.init(.execution, "reading the log: \(type(of: error))")
        }
    }
}
