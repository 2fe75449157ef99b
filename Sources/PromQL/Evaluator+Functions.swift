import Foundation

extension Evaluator {
    mutating func call(_ function: Function, _ args: [Expr], _ t: Int64) throws(PromQLError) -> Value {
        let name = function.name
        if args.count == 1, case .matrixSelector(let selector, let rangeMs) = args[0],
           let row = try steppedRow(.rangeFunction(name: name, selector: selector, rangeMs: rangeMs), t) {
            return .vector(row)
        }
        if function.argumentTypes.contains(.matrix) {
            return .vector(try rangeFunction(name, args, t))
        }
        switch name {
        case "time": return .scalar(Double(t) / 1000)
        case "pi": return .scalar(Double.pi)
        case "vector": return .vector([VectorElement(labels: Labels(), value: try scalar(args[0], t))])
        case "scalar":
            let input = try vector(args[0], t)
            return .scalar(input.count == 1 ? input[0].value : .nan)
        case "timestamp":
            if case .vectorSelector(let selector) = args[0] {
                let found = try instantSelect(selector, t)
                let out = found.map { VectorElement(labels: $0.labels.droppingName, value: Double($0.sample.timestampMs) / 1000) }
                try Self.checkUnique(out)
                return .vector(out)
            }
            let out = try vector(args[0], t).map { VectorElement(labels: $0.labels.droppingName, value: Double(t) / 1000) }
            try Self.checkUnique(out)
            return .vector(out)
        case "absent":
            guard try vector(args[0], t).isEmpty else { return .vector([]) }
            return .vector([VectorElement(labels: Self.absentLabels(args[0]), value: 1)])
        case "sort", "sort_desc":
            let descending = name == "sort_desc"
            let input = try vector(args[0], t)
            let sorted = input.enumerated().sorted { a, b in
                let (x, y) = (a.element.value, b.element.value)
                // NaN last in both orders, as Prometheus's sort.
                if x.isNaN != y.isNaN { return !x.isNaN }
                if x != y, !x.isNaN { return descending ? x > y : x < y }
                return a.offset < b.offset
            }
            return .vector(sorted.map(\.element))
        case "histogram_quantile":
            return .vector(try Self.histogramQuantile(try scalar(args[0], t), try vector(args[1], t)))
        case "label_replace":
            return .vector(try labelReplace(args, t))
        case "label_join":
            return .vector(try labelJoin(args, t))
        case "clamp", "clamp_min", "clamp_max", "round":
            let input = try vector(args[0], t)
            var out: [VectorElement] = []
            switch name {
            case "clamp":
                let low = try scalar(args[1], t)
                let high = try scalar(args[2], t)
                if high < low { return .vector([]) }
                out = input.map { VectorElement(labels: $0.labels.droppingName, value: Self.goMax(low, Self.goMin(high, $0.value))) }
            case "clamp_min":
                let low = try scalar(args[1], t)
                out = input.map { VectorElement(labels: $0.labels.droppingName, value: Self.goMax($0.value, low)) }
            case "clamp_max":
                let high = try scalar(args[1], t)
                out = input.map { VectorElement(labels: $0.labels.droppingName, value: Self.goMin($0.value, high)) }
            default:
                let nearest = args.count > 1 ? try scalar(args[1], t) : 1
                let inverse = 1.0 / nearest
                out = input.map { VectorElement(labels: $0.labels.droppingName, value: (($0.value * inverse) + 0.5).rounded(.down) / inverse) }
            }
            try Self.checkUnique(out)
            return .vector(out)
        default:
            break
        }
        if let math = Self.mathFunctions[name] {
            let out = try vector(args[0], t).map { VectorElement(labels: $0.labels.droppingName, value: math($0.value)) }
            try Self.checkUnique(out)
            return .vector(out)
        }
        if let part = Self.dateFunctions[name] {
            let input = args.isEmpty ? [VectorElement(labels: Labels(), value: Double(t) / 1000)] : try vector(args[0], t)
            let out = input.map { VectorElement(labels: $0.labels.droppingName, value: $0.value.isFinite ? part(CivilTime(seconds: $0.value)) : .nan) }
            try Self.checkUnique(out)
            return .vector(out)
        }
        throw PromQLError.unsupported("function \(quoted(name))")
    }

    static let mathFunctions: [String: @Sendable (Double) -> Double] = [
        "abs": { Swift.abs($0) }, "ceil": { $0.rounded(.up) }, "floor": { $0.rounded(.down) },
        "exp": { Foundation.exp($0) }, "sqrt": { $0.squareRoot() }, "ln": { Foundation.log($0) },
        "log2": { Foundation.log2($0) }, "log10": { Foundation.log10($0) },
        "sgn": { $0 < 0 ? -1 : $0 > 0 ? 1 : $0 },
        "acos": { Foundation.acos($0) }, "acosh": { Foundation.acosh($0) }, "asin": { Foundation.asin($0) },
        "asinh": { Foundation.asinh($0) }, "atan": { Foundation.atan($0) }, "atanh": { Foundation.atanh($0) },
        "cos": { Foundation.cos($0) }, "cosh": { Foundation.cosh($0) }, "sin": { Foundation.sin($0) },
        "sinh": { Foundation.sinh($0) }, "tan": { Foundation.tan($0) }, "tanh": { Foundation.tanh($0) },
        "deg": { $0 * 180 / Double.pi }, "rad": { $0 * Double.pi / 180 },
    ]

    static let dateFunctions: [String: @Sendable (CivilTime) -> Double] = [
        "year": { Double($0.year) }, "month": { Double($0.month) }, "day_of_month": { Double($0.day) },
        "day_of_week": { Double($0.weekday) }, "day_of_year": { Double($0.dayOfYear) }, "hour": { Double($0.hour) },
        "minute": { Double($0.minute) }, "days_in_month": { Double($0.daysInMonth) },
    ]

    /// Go's math.Max and math.Min: NaN wins, +0 beats -0.
    static func goMax(_ a: Double, _ b: Double) -> Double {
        if a.isNaN || b.isNaN { return .nan }
        if a == 0, b == 0 { return a.sign == .plus ? a : b }
        return a > b ? a : b
    }

    static func goMin(_ a: Double, _ b: Double) -> Double {
        if a.isNaN || b.isNaN { return .nan }
        if a == 0, b == 0 { return a.sign == .minus ? a : b }
        return a < b ? a : b
    }

    /// The labels `absent()` reports: the selector's `=` matchers, except the
    /// metric name and any label also matched another way or twice.
    static func absentLabels(_ expr: Expr) -> Labels {
        let matchers: [LabelMatcher]
        switch expr {
        case .vectorSelector(let selector), .matrixSelector(let selector, _): matchers = selector.matchers
        default: return Labels()
        }
        var labels = Labels()
        var removed: [String] = []
        for matcher in matchers where matcher.name != Labels.metricName {
            if matcher.op == .equal, labels[matcher.name].isEmpty {
                labels.set(matcher.name, matcher.value)
            } else {
                removed.append(matcher.name)
            }
        }
        return labels.removing(removed)
    }

    // MARK: functions over range vectors

    mutating func rangeFunction(_ name: String, _ args: [Expr], _ t: Int64) throws(PromQLError) -> [VectorElement] {
        let matrixIndex = name == "quantile_over_time" ? 1 : 0
        let parameter: Double? = args.count > 1 ? try scalar(args[1 - matrixIndex], t) : nil
        let secondParameter: Double? = args.count > 2 ? try scalar(args[2], t) : nil
        let rangeArg = args[matrixIndex]
        let series: [RangeSeries]
        let rangeMs: Int64
        let refMs: Int64
        switch rangeArg {
        case .matrixSelector(let selector, let range):
            series = try rangeSelect(selector, rangeMs: range, t)
            rangeMs = range
            refMs = reference(selector.at, offsetMs: selector.offsetMs, t)
        case .subquery:
            let (matrix, range, ref) = try subquery(rangeArg, t)
            series = matrix.map { RangeSeries(labels: $0.labels, unnamed: $0.labels.droppingName, samples: $0.samples[...]) }
            rangeMs = range
            refMs = ref
        default:
            // A parenthesised range vector and the like: evaluate it, no extrapolation context.
            guard case .matrix(let matrix) = try eval(rangeArg, t) else { throw PromQLError.badData("expected a range vector") }
            series = matrix.map { RangeSeries(labels: $0.labels, unnamed: $0.labels.droppingName, samples: $0.samples[...]) }
            rangeMs = 0
            refMs = t
        }
        if name == "absent_over_time" {
            guard series.allSatisfy({ $0.samples.isEmpty }) else { return [] }
            return [VectorElement(labels: Self.absentLabels(rangeArg), value: 1)]
        }
        var out: [VectorElement] = []
        for entry in series where !entry.samples.isEmpty {
            try checkDeadline()
            let value = try Self.rangeValue(
                name, entry.samples, refMs: refMs, rangeMs: rangeMs, parameter: parameter, secondParameter: secondParameter, t: t)
            guard let value else { continue }
            let labels = name == "last_over_time" ? entry.labels : entry.unnamed
            out.append(VectorElement(labels: labels, value: value))
        }
        try Self.checkUnique(out)
        return out
    }

    /// A range function's value over one series' window `points` (not empty) ending at
    /// `refMs`; nil where Prometheus leaves the series out. The one definition the
    /// step-by-step path and the step tables share.
    static func rangeValue(
        _ name: String, _ points: ArraySlice<Sample>, refMs: Int64, rangeMs: Int64, parameter: Double?, secondParameter: Double? = nil, t: Int64
    ) throws(PromQLError) -> Double? {
        let value: Double?
        switch name {
        case "rate", "increase", "delta":
            value = Self.extrapolatedRate(points, rangeStartMs: refMs - rangeMs, rangeEndMs: refMs, rangeMs: rangeMs,
                                          isCounter: name != "delta", isRate: name == "rate")
        case "irate", "idelta": value = Self.instantValue(points, isRate: name == "irate")
        case "deriv":
            value = points.count < 2 ? nil : Self.linearRegression(points, interceptMs: points.first!.timestampMs).slope
        case "predict_linear":
            if points.count < 2 {
                value = nil
            } else {
                let (slope, intercept) = Self.linearRegression(points, interceptMs: t)
                value = slope * parameter! + intercept
            }
        case "resets", "changes":
            var count = 0
            for (previous, current) in zip(points, points.dropFirst()) {
                let (p, c) = (previous.value, current.value)
                if name == "resets" ? c < p : (c != p && !(c.isNaN && p.isNaN)) { count += 1 }
            }
            value = Double(count)
        case "avg_over_time": value = Self.average(points)
        case "sum_over_time": value = Self.kahanSum(points.lazy.map(\.value))
        case "count_over_time": value = Double(points.count)
        case "min_over_time":
            value = points.dropFirst().reduce(points.first!.value) { m, s in (s.value < m || m.isNaN) ? s.value : m }
        case "max_over_time":
            value = points.dropFirst().reduce(points.first!.value) { m, s in (s.value > m || m.isNaN) ? s.value : m }
        case "last_over_time": value = points.last!.value
        case "present_over_time": value = 1
        case "stddev_over_time", "stdvar_over_time":
            var count = 0.0, mean = 0.0, cMean = 0.0, aux = 0.0, cAux = 0.0
            for sample in points {
                count += 1
                let delta = sample.value - (mean + cMean)
                (mean, cMean) = Self.kahanSumInc(delta / count, mean, cMean)
                (aux, cAux) = Self.kahanSumInc(delta * (sample.value - (mean + cMean)), aux, cAux)
            }
            let variance = (aux + cAux) / count
            value = name == "stdvar_over_time" ? variance : variance.squareRoot()
        case "quantile_over_time": value = Self.quantile(parameter!, points.map(\.value))
        case "holt_winters":
            // Checked per series with samples, as Prometheus does: a query over no
            // samples answers empty whatever its factors.
            let (smoothing, trend) = (parameter!, secondParameter!)
            if smoothing <= 0 || smoothing >= 1 {
                throw PromQLError.execution("invalid smoothing factor. Expected: 0 < sf < 1, got: \(Self.goFixed(smoothing))")
            }
            if trend <= 0 || trend >= 1 { throw PromQLError.execution("invalid trend factor. Expected: 0 < tf < 1, got: \(Self.goFixed(trend))") }
            value = Self.holtWinters(points, smoothing: smoothing, trend: trend)
        default: throw PromQLError.unsupported("function \(quoted(name))")
        }
        return value
    }

    /// Prometheus 2.42's `extrapolatedRate`: the increase between the first and last
    /// sample (counter resets added back), extrapolated towards the range's ends
    /// by at most half an average sample interval, and not below a counter's zero.
    static func extrapolatedRate(_ points: ArraySlice<Sample>, rangeStartMs: Int64, rangeEndMs: Int64, rangeMs: Int64, isCounter: Bool, isRate: Bool) -> Double? {
        guard points.count >= 2 else { return nil }
        let first = points.first!
        let last = points.last!
        var result = last.value - first.value
        if isCounter {
            var previous = first.value
            for sample in points.dropFirst() {
                if sample.value < previous { result += previous }
                previous = sample.value
            }
        }
        var durationToStart = Double(first.timestampMs - rangeStartMs) / 1000
        let durationToEnd = Double(rangeEndMs - last.timestampMs) / 1000
        let sampledInterval = Double(last.timestampMs - first.timestampMs) / 1000
        let averageBetweenSamples = sampledInterval / Double(points.count - 1)
        if isCounter, result > 0, first.value >= 0 {
            let durationToZero = sampledInterval * (first.value / result)
            if durationToZero < durationToStart { durationToStart = durationToZero }
        }
        let threshold = averageBetweenSamples * 1.1
        var extrapolateTo = sampledInterval
        extrapolateTo += durationToStart < threshold ? durationToStart : averageBetweenSamples / 2
        extrapolateTo += durationToEnd < threshold ? durationToEnd : averageBetweenSamples / 2
        var factor = extrapolateTo / sampledInterval
        if isRate { factor /= Double(rangeMs) / 1000 }
        return result * factor
    }

    static func instantValue(_ points: ArraySlice<Sample>, isRate: Bool) -> Double? {
        guard points.count >= 2 else { return nil }
        let last = points[points.endIndex - 1]
        let previous = points[points.endIndex - 2]
        var result = isRate && last.value < previous.value ? last.value : last.value - previous.value
        let interval = last.timestampMs - previous.timestampMs
        guard interval != 0 else { return nil }
        if isRate { result /= Double(interval) / 1000 }
        return result
    }

    static func kahanSumInc(_ increment: Double, _ sum: Double, _ c: Double) -> (Double, Double) {
        let t = sum + increment
        var c = c
        if Swift.abs(sum) >= Swift.abs(increment) {
            c += (sum - t) + increment
        } else {
            c += (increment - t) + sum
        }
        return (t, c)
    }

    static func kahanSum<Values: Sequence<Double>>(_ values: Values) -> Double {
        var sum = 0.0, c = 0.0
        for value in values { (sum, c) = kahanSumInc(value, sum, c) }
        return sum.isInfinite ? sum : sum + c
    }

    /// Prometheus 2.42's `holt_winters`: double exponential smoothing of the window's
    /// values, the level after the last one; nil below two samples. The trend starts
    /// as the first difference and is first updated at the third sample.
    static func holtWinters(_ points: ArraySlice<Sample>, smoothing: Double, trend: Double) -> Double? {
        guard points.count >= 2 else { return nil }
        let values = points.map(\.value)
        var previous = 0.0
        var level = values[0]
        var slope = values[1] - values[0]
        for index in 1..<values.count {
            let scaled = smoothing * values[index]
            if index > 1 { slope = trend * (level - previous) + (1 - trend) * slope }
            let carried = (1 - smoothing) * (level + slope)
            (previous, level) = (level, scaled + carried)
        }
        return level
    }

    /// Go's `%f`: six decimals; `NaN`, `+Inf`, `-Inf`.
    static func goFixed(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        return String(format: "%.6f", value)
    }

    static func average(_ points: ArraySlice<Sample>) -> Double {
        var mean = 0.0, count = 0.0, c = 0.0
        for sample in points {
            count += 1
            let value = sample.value
            if mean.isInfinite {
                if value.isInfinite, (mean > 0) == (value > 0) { continue }
                if !value.isInfinite, !value.isNaN { continue }
            }
            (mean, c) = kahanSumInc(value / count - mean / count, mean, c)
        }
        return mean.isInfinite ? mean : mean + c
    }

    /// `average` of each window of `samples`, the same bits, four windows at a time: a
    /// window's mean is a chain of dependent divisions and additions (each sample waits
    /// for the last, ~20 cycles), so four independent chains side by side keep the
    /// divider busy where one leaves it idle (a range query's `avg_over_time` is
    /// windows × series of them). The lanes run together over the samples all four
    /// windows have; each finishes alone with `average`'s own steps. A lane whose
    /// mean is not finite at the end is computed again by `average`, whose steps
    /// differ only once the mean is infinite.
    static func averages(_ samples: [Sample], _ windows: [Range<Int>]) -> [Double] {
        var out: [Double] = []
        out.reserveCapacity(windows.count)
        samples.withUnsafeBufferPointer { all in
            var next = 0
            while next + 4 <= windows.count {
                let lanes = (windows[next], windows[next + 1], windows[next + 2], windows[next + 3])
                let starts = SIMD4<Int>(lanes.0.lowerBound, lanes.1.lowerBound, lanes.2.lowerBound, lanes.3.lowerBound)
                let common = Swift.min(lanes.0.count, lanes.1.count, lanes.2.count, lanes.3.count)
                var mean = SIMD4<Double>(repeating: 0), c = SIMD4<Double>(repeating: 0)
                var count = 0.0
                for offset in 0..<common {
                    count += 1
                    let value = SIMD4<Double>(all[starts[0] + offset].value, all[starts[1] + offset].value, all[starts[2] + offset].value, all[starts[3] + offset].value)
                    let increment = value / count - mean / count
                    let t = mean + increment
                    let sumIsLarger = mean.replacing(with: -mean, where: mean .< 0) .>= increment.replacing(with: -increment, where: increment .< 0)
                    c += ((mean - t) + increment).replacing(with: (increment - t) + mean, where: .!sumIsLarger)
                    mean = t
                }
                for (lane, window) in [lanes.0, lanes.1, lanes.2, lanes.3].enumerated() {
                    var (laneMean, laneC, laneCount) = (mean[lane], c[lane], count)
                    for slot in (window.lowerBound + common)..<window.upperBound where laneMean.isFinite {
                        laneCount += 1
                        (laneMean, laneC) = kahanSumInc(all[slot].value / laneCount - laneMean / laneCount, laneMean, laneC)
                    }
                    out.append(laneMean.isFinite ? laneMean + laneC : average(samples[window]))
                }
                next += 4
            }
            while next < windows.count {
                out.append(average(samples[windows[next]]))
                next += 1
            }
        }
        return out
    }

    static func linearRegression(_ points: ArraySlice<Sample>, interceptMs: Int64) -> (slope: Double, intercept: Double) {
        var n = 0.0, sumX = 0.0, cX = 0.0, sumY = 0.0, cY = 0.0, sumXY = 0.0, cXY = 0.0, sumX2 = 0.0, cX2 = 0.0
        let initY = points.first!.value
        var constY = true
        for (index, sample) in points.enumerated() {
            if constY, index > 0, sample.value != initY { constY = false }
            n += 1
            let x = Double(sample.timestampMs - interceptMs) / 1000
            (sumX, cX) = kahanSumInc(x, sumX, cX)
            (sumY, cY) = kahanSumInc(sample.value, sumY, cY)
            (sumXY, cXY) = kahanSumInc(x * sample.value, sumXY, cXY)
            (sumX2, cX2) = kahanSumInc(x * x, sumX2, cX2)
        }
        if constY {
            if initY.isInfinite { return (.nan, .nan) }
            return (0, initY)
        }
        sumX += cX
        sumY += cY
        sumXY += cXY
        sumX2 += cX2
        let covXY = sumXY - sumX * sumY / n
        let varX = sumX2 - sumX * sumX / n
        let slope = covXY / varX
        return (slope, sumY / n - slope * sumX / n)
    }

    // MARK: histograms and labels

    static func histogramQuantile(_ q: Double, _ input: [VectorElement]) throws(PromQLError) -> [VectorElement] {
        var order: [Labels] = []
        var buckets: [Labels: [(upper: Double, count: Double)]] = [:]
        for element in input {
            guard let upper = PromNumber.parse(element.labels["le"]) else { continue }
            let key = element.labels.removing([Labels.metricName, "le"])
            if buckets[key] == nil { order.append(key) }
            buckets[key, default: []].append((upper, element.value))
        }
        var out: [VectorElement] = []
        for key in order {
            out.append(VectorElement(labels: key, value: bucketQuantile(q, buckets[key]!)))
        }
        try checkUnique(out)
        return out
    }

    static func bucketQuantile(_ q: Double, _ input: [(upper: Double, count: Double)]) -> Double {
        if q.isNaN { return .nan }
        if q < 0 { return -.infinity }
        if q > 1 { return .infinity }
        let sorted = input.sorted { $0.upper < $1.upper }
        guard let last = sorted.last, last.upper == .infinity else { return .nan }
        // Coalesce buckets with the same bound, then make counts monotonic.
        var buckets: [(upper: Double, count: Double)] = []
        for bucket in sorted {
            if let previous = buckets.last, previous.upper == bucket.upper {
                buckets[buckets.count - 1].count += bucket.count
            } else {
                buckets.append(bucket)
            }
        }
        var maximum = -Double.infinity
        for index in buckets.indices {
            if buckets[index].count > maximum {
                maximum = buckets[index].count
            } else if buckets[index].count < maximum {
                buckets[index].count = maximum
            }
        }
        guard buckets.count >= 2 else { return .nan }
        let observations = buckets[buckets.count - 1].count
        guard observations != 0 else { return .nan }
        var rank = q * observations
        let b = Array(buckets.dropLast()).partitioningIndex { $0.count >= rank }
        if b == buckets.count - 1 { return buckets[buckets.count - 2].upper }
        if b == 0, buckets[0].upper <= 0 { return buckets[0].upper }
        var start = 0.0
        let end = buckets[b].upper
        var count = buckets[b].count
        if b > 0 {
            start = buckets[b - 1].upper
            count -= buckets[b - 1].count
            rank -= buckets[b - 1].count
        }
        return start + (end - start) * (rank / count)
    }

    mutating func labelReplace(_ args: [Expr], _ t: Int64) throws(PromQLError) -> [VectorElement] {
        let input = try vector(args[0], t)
        let destination = try string(args[1], t)
        let replacement = try string(args[2], t)
        let source = try string(args[3], t)
        let pattern = try string(args[4], t)
        let regex: AnchoredRegex
        do { regex = try AnchoredRegex.compiled(pattern) } catch {
            throw PromQLError.badData("invalid regular expression in label_replace(): \(pattern)")
        }
        guard Self.isValidLabelName(destination) else {
            throw PromQLError.badData("invalid destination label name in label_replace(): \(destination)")
        }
        var out: [VectorElement] = []
        out.reserveCapacity(input.count)
        for element in input {
            guard let expanded = try regex.replace(element.labels[source], template: replacement) else {
                out.append(element)
                continue
            }
            var labels = element.labels
            labels.set(destination, expanded)
            out.append(VectorElement(labels: labels, value: element.value))
        }
        try Self.checkUnique(out)
        return out
    }

    mutating func labelJoin(_ args: [Expr], _ t: Int64) throws(PromQLError) -> [VectorElement] {
        let input = try vector(args[0], t)
        let destination = try string(args[1], t)
        let separator = try string(args[2], t)
        var sources: [String] = []
        for arg in args.dropFirst(3) {
            let name = try string(arg, t)
            guard Self.isValidLabelName(name) else { throw PromQLError.badData("invalid source label name in label_join(): \(name)") }
            sources.append(name)
        }
        guard Self.isValidLabelName(destination) else {
            throw PromQLError.badData("invalid destination label name in label_join(): \(destination)")
        }
        let out = input.map { element -> VectorElement in
            var labels = element.labels
            labels.set(destination, sources.map { element.labels[$0] }.joined(separator: separator))
            return VectorElement(labels: labels, value: element.value)
        }
        try Self.checkUnique(out)
        return out
    }
}

/// A Unix time in seconds as a UTC calendar date, as Go's `time.Unix(int64(v), 0).UTC()`.
struct CivilTime {
    let year: Int, month: Int, day: Int, hour: Int, minute: Int, weekday: Int, dayOfYear: Int

    init(seconds: Double) {
        // Go's int64(v) of a value past int64 is 0x8000000000000000 on amd64; Swift's traps.
        let total = Int64(exactly: seconds.rounded(.towardZero)) ?? Int64.min
        var days = total / 86_400
        var rest = total % 86_400
        if rest < 0 {
            rest += 86_400
            days -= 1
        }
        hour = Int(rest / 3600)
        minute = Int(rest % 3600 / 60)
        weekday = Int(((days % 7) + 11) % 7)  // 1970-01-01 was a Thursday (4).
        // Howard Hinnant's days_from_civil inverse.
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        day = Int(doy - (153 * mp + 2) / 5 + 1)
        month = Int(mp < 10 ? mp + 3 : mp - 9)
        year = Int(yoe + era * 400 + (month <= 2 ? 1 : 0))
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
        let cumulative = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334]
        dayOfYear = cumulative[month - 1] + day + (leap && month > 2 ? 1 : 0)
    }

    var daysInMonth: Int {
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
        return [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
    }
}
