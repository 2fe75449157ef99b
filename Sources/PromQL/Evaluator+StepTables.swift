/// A range query's sample-reading leaves computed series by series.
///
/// Step by step, every step of a range query selects each series' window again (two
/// binary searches, a slice and its label sets retained and released) and checks the
/// output's label sets for duplicates by hashing them. For the leaves whose value at a
/// step depends only on the step's time (an instant selector, or a range function of
/// one matrix selector, neither with `@`), a step table computes every step of the
/// query grid in one pass over each series, its windows sliding forward instead of
/// searched, and decides once whether the output can hold a label set twice. `eval`
/// at a grid step reads the step's row. The values come from the same functions
/// (`rangeValue`), the row keeps the series order and the samples held per step are
/// counted as the step-by-step path counts them, so answers and errors are unchanged.
struct StepTable {
    /// Output labels per loaded series of the selector.
    let labels: [Labels]
    /// Per step of the grid: (position in `labels`, value), in series order.
    let rows: [[(series: Int32, value: Double)]]
    /// Per step: the samples the step-by-step path holds for it (`--query.max-samples`).
    let heldSamples: [Int]
    /// No two series share an output label set, so no step's row can.
    let unique: Bool
}

/// A step table's series grouped by one aggregation's grouping.
struct TableGrouping: Hashable {
    let table: StepTableKey
    let spec: GroupingMemo.Spec
}

enum StepTableKey: Hashable {
    case instant(VectorSelector)
    case rangeFunction(name: String, selector: VectorSelector, rangeMs: Int64)
}

/// The times of a range query: `startMs`, `startMs + stepMs`, ... (`count` of them).
struct StepGrid {
    let startMs: Int64
    let stepMs: Int64
    let count: Int

    /// Nil when the span does not fit in 64 bits.
    init?(startMs: Int64, endMs: Int64, stepMs: Int64) {
        precondition(stepMs > 0 && startMs <= endMs, "a grid needs a positive step and start <= end")
        let (span, overflow) = endMs.subtractingReportingOverflow(startMs)
        guard !overflow else { return nil }
        self.startMs = startMs
        self.stepMs = stepMs
        count = Int(span / stepMs) + 1
    }

    /// The step at `t`, when `t` is a time of the grid.
    func step(at t: Int64) -> Int? {
        guard t >= startMs, (t - startMs) % stepMs == 0 else { return nil }
        let step = (t - startMs) / stepMs
        return step < Int64(count) ? Int(step) : nil
    }

    func time(of step: Int) -> Int64 { startMs + Int64(step) * stepMs }
}

extension Evaluator {
    /// Functions of one matrix argument whose value is `rangeValue`'s (not
    /// `absent_over_time`, whose answer is about the whole vector).
    static let steppedRangeFunctions: Set<String> = [
        "rate", "irate", "increase", "delta", "idelta", "deriv", "resets", "changes", "avg_over_time", "min_over_time",
        "max_over_time", "sum_over_time", "count_over_time", "last_over_time", "present_over_time", "stddev_over_time",
        "stdvar_over_time",
    ]

    /// Steps of a grid beyond which no tables are built (the API allows 11,000).
    static let stepTableStepsMax = 100_000
    /// Entries one table may hold (16 bytes each): past it the leaf is evaluated step
    /// by step, which holds only one step's output at a time.
    static let stepTableEntriesMax = 10_000_000

    /// Builds the step tables of every eligible leaf of `expr` evaluated on `grid`
    /// (not inside subqueries, which evaluate at times of their own).
    mutating func buildStepTables(_ expr: Expr, grid: StepGrid) throws(PromQLError) {
        guard grid.count <= Self.stepTableStepsMax else { return }
        self.grid = grid
        switch expr {
        case .number, .string, .matrixSelector, .subquery: return
        case .vectorSelector(let selector):
            guard selector.at == nil, stepTables[.instant(selector)] == nil else { return }
            if let table = try instantTable(selector, grid: grid) { stepTables[.instant(selector)] = table }
        case .call(let function, let args):
            if args.count == 1, Self.steppedRangeFunctions.contains(function.name), case .matrixSelector(let selector, let rangeMs) = args[0],
               selector.at == nil {
                let key = StepTableKey.rangeFunction(name: function.name, selector: selector, rangeMs: rangeMs)
                if stepTables[key] == nil, let table = try rangeTable(function.name, selector, rangeMs: rangeMs, grid: grid) {
                    stepTables[key] = table
                }
                return
            }
            for arg in args { try buildStepTables(arg, grid: grid) }
        case .paren(let inner), .unary(_, let inner): try buildStepTables(inner, grid: grid)
        case .binary(_, let lhs, let rhs, _, _):
            try buildStepTables(lhs, grid: grid)
            try buildStepTables(rhs, grid: grid)
        case .aggregate(_, let inner, let parameter, _, _):
            try buildStepTables(inner, grid: grid)
            if let parameter { try buildStepTables(parameter, grid: grid) }
        }
    }

    /// The row of `key`'s table at `t`, as the step-by-step path would answer it; nil
    /// when `t` is not a step of the grid or the leaf has no table.
    mutating func steppedRow(_ key: StepTableKey, _ t: Int64) throws(PromQLError) -> [VectorElement]? {
        guard let step = grid?.step(at: t), let table = stepTables[key] else { return nil }
        try hold(table.heldSamples[step])
        let row = table.rows[step]
        var out: [VectorElement] = []
        out.reserveCapacity(row.count)
        for entry in row { out.append(VectorElement(labels: table.labels[Int(entry.series)], value: entry.value)) }
        if !table.unique { try Self.checkUnique(out) }
        return out
    }

    /// The leaf `expr` is, when it has a step table.
    static func stepTableKey(of expr: Expr) -> StepTableKey? {
        switch expr {
        case .paren(let inner): return stepTableKey(of: inner)
        case .vectorSelector(let selector) where selector.at == nil: return .instant(selector)
        case .call(let function, let args) where args.count == 1:
            guard case .matrixSelector(let selector, let rangeMs) = args[0], selector.at == nil else { return nil }
            return .rangeFunction(name: function.name, selector: selector, rangeMs: rangeMs)
        default: return nil
        }
    }

    /// An aggregation's input at `t` as its step table's row, with the group (a position
    /// in `memo.keys`) of each of the table's series, made once per query; nil where
    /// `inner` has no table, `t` is not a step, or a row may hold a label set twice
    /// (then the elements are made and checked, as Prometheus refuses them).
    mutating func tableRow(
        of inner: Expr, _ t: Int64, spec: GroupingMemo.Spec, memo: inout GroupingMemo, key makeKey: (Labels) -> Labels
    ) throws(PromQLError) -> (row: [(series: Int32, value: Double)], ordinals: [Int], labels: [Labels])? {
        guard let key = Self.stepTableKey(of: inner), let step = grid?.step(at: t), let table = stepTables[key], table.unique else { return nil }
        try hold(table.heldSamples[step])
        let groupingKey = TableGrouping(table: key, spec: spec)
        let ordinals: [Int]
        if let known = tableOrdinals[groupingKey] {
            ordinals = known
        } else {
            ordinals = table.labels.map { memo.ordinal(of: $0, key: makeKey) }
            tableOrdinals[groupingKey] = ordinals
        }
        return (table.rows[step], ordinals, table.labels)
    }

    /// `instantSelect` at every step: each series' newest sample within the lookback.
    /// Nil past `stepTableEntriesMax`.
    private mutating func instantTable(_ selector: VectorSelector, grid: StepGrid) throws(PromQLError) -> StepTable? {
        let loaded = selected[selector.matchers] ?? []
        var rows = [[(series: Int32, value: Double)]](repeating: [], count: grid.count)
        var held = [Int](repeating: 0, count: grid.count)
        let lookbackMs = options.lookbackDeltaMs
        var entries = 0
        for (position, series) in loaded.enumerated() {
            try checkDeadline()
            guard entries <= Self.stepTableEntriesMax else { return nil }
            let marks = series.staleMarksMs
            series.samples.withUnsafeBufferPointer { samples in
                var after = 0
                var marksAfter = 0
                for step in 0..<grid.count {
                    let ref = reference(nil, offsetMs: selector.offsetMs, grid.time(of: step))
                    while after < samples.count, samples[after].timestampMs <= ref { after += 1 }
                    while marksAfter < marks.count, marks[marksAfter] <= ref { marksAfter += 1 }
                    guard after > 0 else { continue }
                    let sample = samples[after - 1]
                    // Prometheus 2.42 includes a sample exactly lookback-delta old.
                    guard sample.timestampMs >= ref - lookbackMs else { continue }
                    // The newest point is a stale marker: no value (`LoadedSeries.wentStale`).
                    if marksAfter > 0, marks[marksAfter - 1] > sample.timestampMs { continue }
                    rows[step].append((Int32(position), sample.value))
                    held[step] += 1
                    entries += 1
                }
            }
        }
        return StepTable(labels: loaded.map(\.labels), rows: rows, heldSamples: held, unique: true)
    }

    /// `rangeFunction` of one matrix selector at every step. Nil past `stepTableEntriesMax`.
    private mutating func rangeTable(_ name: String, _ selector: VectorSelector, rangeMs: Int64, grid: StepGrid) throws(PromQLError) -> StepTable? {
        let loaded = selected[selector.matchers] ?? []
        var rows = [[(series: Int32, value: Double)]](repeating: [], count: grid.count)
        var held = [Int](repeating: 0, count: grid.count)
        var entries = 0
        for (position, series) in loaded.enumerated() {
            try checkDeadline()
            guard entries <= Self.stepTableEntriesMax else { return nil }
            let samples = series.samples
            var low = 0
            var high = 0
            // `avg_over_time`'s windows are averaged together (`averages`), after the walk.
            let averaged = name == "avg_over_time"
            var windows: [Range<Int>] = []
            var windowSteps: [Int] = []
            for step in 0..<grid.count {
                let t = grid.time(of: step)
                let ref = reference(nil, offsetMs: selector.offsetMs, t)
                // The window `[ref - range, ref]`, both ends included (as 2.42).
                while low < samples.count, samples[low].timestampMs < ref - rangeMs { low += 1 }
                if high < low { high = low }
                while high < samples.count, samples[high].timestampMs <= ref { high += 1 }
                guard low < high else { continue }
                held[step] += high - low
                if averaged {
                    windows.append(low..<high)
                    windowSteps.append(step)
                } else if let value = try Self.rangeValue(name, samples[low..<high], refMs: ref, rangeMs: rangeMs, parameter: nil, t: t) {
                    rows[step].append((Int32(position), value))
                    entries += 1
                }
            }
            if averaged {
                for (step, value) in zip(windowSteps, Self.averages(samples, windows)) { rows[step].append((Int32(position), value)) }
                entries += windows.count
            }
        }
        // `last_over_time` keeps the metric name: distinct series, distinct labels.
        let keepsName = name == "last_over_time"
        let labels = loaded.map { keepsName ? $0.labels : $0.unnamed }
        return StepTable(labels: labels, rows: rows, heldSamples: held, unique: keepsName || Set(labels).count == labels.count)
    }
}
