/// Limits and settings of one query, as Prometheus's flags.
public struct QueryOptions: Sendable {
    /// `--query.lookback-delta`: how far back an instant selector looks for a sample.
    public var lookbackDeltaMs: Int64 = 300_000
    /// `--query.max-samples`: most samples held at once.
    public var maxSamples: Int = 50_000_000
    /// The step of a subquery without one (Prometheus's global evaluation interval).
    public var defaultSubqueryStepMs: Int64 = 60_000
    /// Asked between steps and series; true stops the query with a timeout error.
    public var isPastDeadline: @Sendable () -> Bool = { false }
    /// Range queries compute their selectors and range functions series by series
    /// (`StepTable`); false evaluates them step by step (the tests' reference).
    public var usesStepTables = true
    /// Asked once every selector's samples are loaded, before any is evaluated, with
    /// how many samples and series were loaded; false stops the query with an error
    /// (its asker's: a query tried where only a small one may run).
    public var admitsLoaded: (@Sendable (_ samples: Int, _ series: Int) -> Bool)?

    public init() {}
}

/// Evaluates parsed PromQL over a `SampleSource` with Prometheus 2.42's semantics.
public struct Evaluator {
    enum Value {
        case scalar(Double)
        case string(String)
        case vector([VectorElement])
        case matrix([Series])
    }

    let options: QueryOptions
    let startMs: Int64
    let endMs: Int64
    var selected = SmallMap<[LabelMatcher], [LoadedSeries]>()
    var samplesHeld = 0
    /// Samples and series `load` read, for `options.admitsLoaded`.
    var loadedSamples = 0
    var loadedSeries = 0
    var checks = 0
    /// A range query's times and the leaves computed over all of them (`StepTable`).
    var grid: StepGrid?
    var stepTables = SmallMap<StepTableKey, StepTable>()
    /// Group keys of label sets met by aggregations, kept across steps (`GroupingMemo`).
    var groupingMemos = SmallMap<GroupingMemo.Spec, GroupingMemo>()
    /// The group of each series of a step table, per grouping (`tableRow`).
    var tableOrdinals = SmallMap<TableGrouping, [Int]>()

    /// The answer of `expr` at one moment (`/api/v1/query`).
    public static func instant(_ expr: Expr, atMs: Int64, source: any SampleSource, options: QueryOptions = QueryOptions()) throws(PromQLError) -> QueryValue {
        var evaluator = Evaluator(options: options, startMs: atMs, endMs: atMs)
        try evaluator.load(expr, source: source)
        try evaluator.askAdmission()
        evaluator.samplesHeld = 0
        switch try evaluator.eval(expr, atMs) {
        case .scalar(let value): return .scalar(timestampMs: atMs, value: value)
        case .string(let text): return .string(timestampMs: atMs, value: text)
        case .vector(let elements): return .vector(timestampMs: atMs, elements)
        case .matrix(let series): return .matrix(series)
        }
    }

    /// The answers of `expr` at `startMs`, `startMs + stepMs`, ... up to `endMs`
    /// (`/api/v1/query_range`), one series per label set, sorted by labels.
    public static func range(
        _ expr: Expr, startMs: Int64, endMs: Int64, stepMs: Int64, source: any SampleSource, options: QueryOptions = QueryOptions()
    ) throws(PromQLError) -> [Series] {
        precondition(stepMs > 0 && startMs <= endMs, "a range query needs a positive step and start <= end")
        guard expr.type == .scalar || expr.type == .vector else {
            throw PromQLError.badData("invalid expression type \(quoted(expr.type.rawValue)) for range query, must be Scalar or instant Vector")
        }
        var evaluator = Evaluator(options: options, startMs: startMs, endMs: endMs)
        try evaluator.load(expr, source: source)
        try evaluator.askAdmission()
        if options.usesStepTables, let grid = StepGrid(startMs: startMs, endMs: endMs, stepMs: stepMs) {
            try evaluator.buildStepTables(expr, grid: grid)
        }
        var series: [Labels: Int] = [:]
        var out: [Series] = []
        var points = 0
        var lastPositions: [Int] = []
        var t = startMs
        while t <= endMs {
            evaluator.samplesHeld = points
            let elements: [VectorElement]
            switch try evaluator.eval(expr, t) {
            case .scalar(let value): elements = [VectorElement(labels: Labels(), value: value)]
            case .vector(let vector): elements = vector
            default: throw PromQLError.badData("invalid expression type for range query, must be Scalar or instant Vector")
            }
            points += elements.count
            if points > options.maxSamples { throw PromQLError.tooManySamples }
            // Steps mostly answer the same series in the same order: try the position
            // the element at this index had last step before hashing its labels.
            var positions: [Int] = []
            positions.reserveCapacity(elements.count)
            for (i, element) in elements.enumerated() {
                let sample = Sample(timestampMs: t, value: element.value)
                if i < lastPositions.count, out[lastPositions[i]].labels == element.labels {
                    out[lastPositions[i]].samples.append(sample)
                    positions.append(lastPositions[i])
                } else if let index = series[element.labels] {
                    out[index].samples.append(sample)
                    positions.append(index)
                } else {
                    series[element.labels] = out.count
                    positions.append(out.count)
                    out.append(Series(labels: element.labels, samples: [sample]))
                }
            }
            lastPositions = positions
            let (next, overflow) = t.addingReportingOverflow(stepMs)
            if overflow { break }
            t = next
        }
        return out.sorted { $0.labels < $1.labels }
    }

    init(options: QueryOptions, startMs: Int64, endMs: Int64) {
        self.options = options
        self.startMs = startMs
        self.endMs = endMs
    }

    // MARK: loading the series each selector needs, once per query

    /// Reads every selector's series over the union of times any step needs.
    mutating func load(_ expr: Expr, source: any SampleSource) throws(PromQLError) {
        var windows: [[LabelMatcher]: (Int64, Int64)] = [:]
        collect(expr, fromMs: startMs, toMs: endMs, into: &windows)
        for (matchers, window) in windows {
            do {
                let loaded = try source.select(matchers, fromMs: window.0, toMs: window.1).sorted { $0.labels < $1.labels }
                    .map { LoadedSeries(labels: $0.labels, unnamed: $0.labels.droppingName, samples: $0.samples, staleMarksMs: $0.staleMarksMs) }
                loadedSeries += loaded.count
                for series in loaded { loadedSamples += series.samples.count }
                selected[matchers] = loaded
            } catch let error as PromQLError {
                throw error
            } catch {
                throw PromQLError.execution("reading series: \(error)")
            }
            try checkDeadline(force: true)
        }
    }

    /// `options.admitsLoaded`, asked with what `load` loaded.
    private func askAdmission() throws(PromQLError) {
        guard let admits = options.admitsLoaded else { return }
        guard admits(loadedSamples, loadedSeries) else { throw PromQLError.execution("the query was not admitted once its samples were loaded") }
    }

    func reference(_ at: AtModifier?, offsetMs: Int64, _ t: Int64) -> Int64 {
        let base: Int64
        switch at {
        case nil: base = t
        case .timestampMs(let ms): base = ms
        case .start: base = startMs
        case .end: base = endMs
        }
        return base - offsetMs
    }

    private func collect(_ expr: Expr, fromMs: Int64, toMs: Int64, into windows: inout [[LabelMatcher]: (Int64, Int64)]) {
        func need(_ selector: VectorSelector, back: Int64) {
            let low = reference(selector.at, offsetMs: selector.offsetMs, fromMs) - back
            let high = reference(selector.at, offsetMs: selector.offsetMs, toMs)
            let old = windows[selector.matchers] ?? (low, high)
            windows[selector.matchers] = (Swift.min(old.0, low), Swift.max(old.1, high))
        }
        switch expr {
        case .number, .string: return
        case .vectorSelector(let selector): need(selector, back: options.lookbackDeltaMs)
        case .matrixSelector(let selector, let rangeMs): need(selector, back: rangeMs)
        case .subquery(let inner, let rangeMs, _, let offsetMs, let at):
            let low = reference(at, offsetMs: offsetMs, fromMs) - rangeMs
            let high = reference(at, offsetMs: offsetMs, toMs)
            collect(inner, fromMs: low, toMs: high, into: &windows)
        case .paren(let inner), .unary(_, let inner): collect(inner, fromMs: fromMs, toMs: toMs, into: &windows)
        case .binary(_, let lhs, let rhs, _, _):
            collect(lhs, fromMs: fromMs, toMs: toMs, into: &windows)
            collect(rhs, fromMs: fromMs, toMs: toMs, into: &windows)
        case .call(_, let args):
            for arg in args { collect(arg, fromMs: fromMs, toMs: toMs, into: &windows) }
        case .aggregate(_, let inner, let parameter, _, _):
            collect(inner, fromMs: fromMs, toMs: toMs, into: &windows)
            if let parameter { collect(parameter, fromMs: fromMs, toMs: toMs, into: &windows) }
        }
    }

    mutating func checkDeadline(force: Bool = false) throws(PromQLError) {
        checks += 1
        if force || checks & 255 == 0, options.isPastDeadline() { throw PromQLError.timedOut }
    }

    mutating func hold(_ count: Int) throws(PromQLError) {
        samplesHeld += count
        if samplesHeld > options.maxSamples { throw PromQLError.tooManySamples }
    }

    // MARK: evaluation at one moment

    mutating func eval(_ expr: Expr, _ t: Int64) throws(PromQLError) -> Value {
        try checkDeadline()
        switch expr {
        case .number(let value): return .scalar(value)
        case .string(let text): return .string(text)
        case .paren(let inner): return try eval(inner, t)
        case .vectorSelector(let selector):
            if let row = try steppedRow(.instant(selector), t) { return .vector(row) }
            return .vector(try instantSelect(selector, t).map { VectorElement(labels: $0.labels, value: $0.sample.value) })
        case .matrixSelector(let selector, let rangeMs):
            return .matrix(try rangeSelect(selector, rangeMs: rangeMs, t).map { Series(labels: $0.labels, samples: Array($0.samples)) })
        case .subquery:
            return .matrix(try subquery(expr, t).series)
        case .unary(let negate, let inner):
            let value = try eval(inner, t)
            guard negate else { return value }
            switch value {
            case .scalar(let number): return .scalar(-number)
            case .vector(let elements):
                let out = elements.map { VectorElement(labels: $0.labels.droppingName, value: -$0.value) }
                try Self.checkUnique(out)
                return .vector(out)
            default: throw PromQLError.badData("unary minus on \(expr.type.rawValue)")
            }
        case .binary(let op, let lhs, let rhs, let matching, let returnBool):
            return try binary(op, lhs, rhs, matching: matching, returnBool: returnBool, t)
        case .call(let function, let args):
            return try call(function, args, t)
        case .aggregate(let op, let inner, let parameter, let grouping, let without):
            return try aggregate(op, inner, parameter: parameter, grouping: grouping, without: without, t)
        }
    }

    /// Each series' newest sample within the lookback window ending at the reference time.
    mutating func instantSelect(_ selector: VectorSelector, _ t: Int64) throws(PromQLError) -> [(labels: Labels, sample: Sample)] {
        let ref = reference(selector.at, offsetMs: selector.offsetMs, t)
        var out: [(labels: Labels, sample: Sample)] = []
        for series in selected[selector.matchers] ?? [] {
            try checkDeadline()
            let after = series.samples.firstIndex(afterMs: ref)
            guard after > 0 else { continue }
            let sample = series.samples[after - 1]
            // Prometheus 2.42 includes a sample exactly lookback-delta old.
            guard sample.timestampMs >= ref - options.lookbackDeltaMs, !series.wentStale(after: sample.timestampMs, through: ref) else { continue }
            out.append((series.labels, sample))
        }
        try hold(out.count)
        return out
    }

    /// Each series' samples within `[ref - range, ref]` (both ends included, as 2.42).
    mutating func rangeSelect(_ selector: VectorSelector, rangeMs: Int64, _ t: Int64) throws(PromQLError) -> [RangeSeries] {
        let ref = reference(selector.at, offsetMs: selector.offsetMs, t)
        var out: [RangeSeries] = []
        for series in selected[selector.matchers] ?? [] {
            try checkDeadline()
            let low = series.samples.firstIndex(atOrAfterMs: ref - rangeMs)
            let high = series.samples.firstIndex(afterMs: ref)
            guard low < high else { continue }
            try hold(high - low)
            out.append(RangeSeries(labels: series.labels, unnamed: series.unnamed, samples: series.samples[low..<high]))
        }
        return out
    }

    /// A subquery's inner expression at every multiple of its step within
    /// `[ref - range, ref]`, with the range and reference its functions extrapolate to.
    mutating func subquery(_ expr: Expr, _ t: Int64) throws(PromQLError) -> (series: [Series], rangeMs: Int64, refMs: Int64) {
        guard case .subquery(let inner, let rangeMs, let stepMs, let offsetMs, let at) = expr else {
            preconditionFailure("subquery() takes a subquery")
        }
        let step = stepMs ?? options.defaultSubqueryStepMs
        let ref = reference(at, offsetMs: offsetMs, t)
        var start = step * ((ref - rangeMs) / step)
        if start < ref - rangeMs { start += step }
        var index: [Labels: Int] = [:]
        var out: [Series] = []
        var inner_t = start
        while inner_t <= ref {
            let elements: [VectorElement]
            switch try eval(inner, inner_t) {
            case .scalar(let value): elements = [VectorElement(labels: Labels(), value: value)]
            case .vector(let vector): elements = vector
            default: throw PromQLError.badData("subquery is only allowed on instant vector or scalar")
            }
            try hold(elements.count)
            for element in elements {
                let sample = Sample(timestampMs: inner_t, value: element.value)
                if let position = index[element.labels] {
                    out[position].samples.append(sample)
                } else {
                    index[element.labels] = out.count
                    out.append(Series(labels: element.labels, samples: [sample]))
                }
            }
            inner_t += step
        }
        return (out, rangeMs, ref)
    }

    /// "vector cannot contain metrics with the same labelset", as Prometheus checks
    /// after functions and operators that drop the metric name.
    static func checkUnique(_ elements: [VectorElement]) throws(PromQLError) {
        guard elements.count > 1 else { return }
        var seen = Set<Labels>()
        for element in elements where !seen.insert(element.labels).inserted {
            throw PromQLError.execution("vector cannot contain metrics with the same labelset")
        }
    }

    mutating func scalar(_ expr: Expr, _ t: Int64) throws(PromQLError) -> Double {
        guard case .scalar(let value) = try eval(expr, t) else { throw PromQLError.badData("expected a scalar") }
        return value
    }

    mutating func vector(_ expr: Expr, _ t: Int64) throws(PromQLError) -> [VectorElement] {
        guard case .vector(let value) = try eval(expr, t) else { throw PromQLError.badData("expected an instant vector") }
        return value
    }

    mutating func string(_ expr: Expr, _ t: Int64) throws(PromQLError) -> String {
        guard case .string(let value) = try eval(expr, t) else { throw PromQLError.badData("expected a string") }
        return value
    }
}

/// A selected series with its label set without the metric name, made once per query.
struct LoadedSeries {
    let labels: Labels
    let unnamed: Labels
    let samples: [Sample]
    /// `Series.staleMarksMs`: nearly always empty.
    let staleMarksMs: [Int64]

    /// Whether a stale mark lies in `(sampleMs, refMs]`: the newest sample at `refMs`
    /// is then the marker, and the series has no value there (as Prometheus's
    /// `value.IsStaleNaN` check of the newest sample in the lookback).
    func wentStale(after sampleMs: Int64, through refMs: Int64) -> Bool {
        guard !staleMarksMs.isEmpty else { return false }
        let newest = staleMarksMs.partitioningIndex { $0 > refMs }
        return newest > 0 && staleMarksMs[newest - 1] > sampleMs
    }
}

/// A series' samples within a range window, without copying them.
struct RangeSeries {
    let labels: Labels
    let unnamed: Labels
    let samples: ArraySlice<Sample>
}
