@testable import PromQL
import Testing

@Suite struct EvaluatorTests {
    /// A counter every 15 s from t=0 (ms) rising by 10 per sample, reset at 60 s.
    let source = InMemorySampleSource([
        Series(labels: Labels(name: "requests_total", ["job": "api"]),
               samples: [0, 15, 30, 45, 60, 75, 90].enumerated().map { index, s in
                   Sample(timestampMs: Int64(s) * 1000, value: s < 60 ? Double(index + 1) * 10 : Double(index - 3) * 5)
               }),
        Series(labels: Labels(name: "temp", ["room": "a"]), samples: [Sample(timestampMs: 0, value: 1), Sample(timestampMs: 10_000, value: -2)]),
        Series(labels: Labels(name: "temp", ["room": "b"]), samples: [Sample(timestampMs: 0, value: 3)]),
    ])

    private func vector(_ query: String, at ms: Int64, options: QueryOptions = QueryOptions()) throws -> [VectorElement] {
        guard case .vector(_, let elements) = try Evaluator.instant(try Parser.parse(query), atMs: ms, source: source, options: options) else {
            Issue.record("\(query) is not a vector")
            return []
        }
        return elements
    }

    @Test func instantSelector_looksBackFiveMinutes_includingTheBoundary() throws {
        #expect(try vector(#"temp{room="b"}"#, at: 300_000).map(\.value) == [3])
        #expect(try vector(#"temp{room="b"}"#, at: 300_001).isEmpty)
        #expect(try vector("temp offset 1m", at: 360_000).count == 2)
    }

    /// Found by `tools/fuzz promql`: the calendar functions converted any finite value to
    /// Int64, so `year(vector(1e30))` trapped the process. Past int64 they now read the
    /// time as Go's `int64(v)` does on amd64 (its minimum), as Prometheus answers.
    @Test func calendarFunctions_ofValuesPastInt64_answerWithoutTrapping() throws {
        for function in ["year", "month", "day_of_month", "day_of_week", "day_of_year", "days_in_month", "hour", "minute"] {
            let huge = try vector("\(function)(vector(1e30))", at: 0).map(\.value)
            let negative = try vector("\(function)(vector(-1e30))", at: 0).map(\.value)
            #expect(huge.count == 1 && huge[0].isFinite && huge == negative, "\(function): \(huge) \(negative)")
        }
        #expect(try vector("year(vector(0))", at: 0).map(\.value) == [1970])
    }

    @Test func holtWinters_smoothsLevelAndTrend_andRefusesFactorsOutsideZeroToOne() throws {
        // Values 10, 20, 30, 40 (0–45 s): level 10, trend 10; sf 0.5, tf 0.5.
        // i=1: level .5*20 + .5*(10+10) = 20; i=2: trend .5*(20-10) + .5*10 = 10, level .5*30 + .5*(20+10) = 30;
        // i=3: trend .5*(30-20) + .5*10 = 10, level .5*40 + .5*(30+10) = 40. Then 5 (the reset) pulls it down:
        // i=4: trend .5*(40-30) + .5*10 = 10, level .5*5 + .5*(40+10) = 27.5.
        #expect(try vector("holt_winters(requests_total[45s], 0.5, 0.5)", at: 45_000).map(\.value) == [40])
        #expect(try vector("holt_winters(requests_total[60s], 0.5, 0.5)", at: 60_000).map(\.value) == [27.5])
        // tf 0.2 over 10, 20, 30, 40, 5, 10: the same levels up to 27.5 (the trend stays 10 while
        // the values rise evenly); at i=5 (value 10) trend 0.2*(27.5-40) + 0.8*10 = 5.5 and
        // level 0.5*10 + 0.5*(27.5+5.5) = 21.5. (The conformance suite checks uneven data.)
        #expect(try vector("holt_winters(requests_total[75s], 0.5, 0.2)", at: 75_000).map(\.value) == [21.5])
        #expect(try vector("holt_winters(requests_total[10s], 0.5, 0.5)", at: 0).isEmpty, "one sample: no value")
        #expect(try vector("holt_winters(temp[1m], 0.5, 0.5)", at: 10_000).map(\.value) == [-2], "two samples: the second")
        for (query, message) in [("holt_winters(temp[1m], 1, 0.5)", "invalid smoothing factor. Expected: 0 < sf < 1, got: 1.000000"),
                                 ("holt_winters(temp[1m], 0.5, 0)", "invalid trend factor. Expected: 0 < tf < 1, got: 0.000000")] {
            #expect(throws: PromQLError.execution(message)) { try vector(query, at: 10_000) }
        }
        #expect(try vector("holt_winters(nothing[1m], 2, 2)", at: 10_000).isEmpty, "no samples: no factor is checked")
    }

    @Test func rangeSelector_includesBothEnds_asPrometheus242() throws {
        guard case .matrix(let series) = try Evaluator.instant(try Parser.parse("requests_total[30s]"), atMs: 45_000, source: source) else {
            Issue.record("no matrix")
            return
        }
        #expect(series.first?.samples.map(\.timestampMs) == [15_000, 30_000, 45_000])
    }

    @Test func rate_extrapolatesAndAddsResets() throws {
        // Samples at 0..90 s: 10,20,30,40 then reset 5,10,15. Increase = 15 - 10 + 40 = 45
        // over 90 s sampled; range [0, 100] s: start at 0 (within 1.1 x 15 s), end 10 s away.
        let increase = try vector("increase(requests_total[100s])", at: 100_000)
        #expect(increase.count == 1)
        #expect(increase.first?.labels == Labels(["job": "api"]))
        let expected = 45.0 * (90 + 0 + 10) / 90
        #expect(abs((increase.first?.value ?? 0) - expected) < 1e-12)
        let rate = try vector("rate(requests_total[100s])", at: 100_000)
        #expect(abs((rate.first?.value ?? 0) - expected / 100) < 1e-12)
        #expect(try vector("resets(requests_total[2m])", at: 100_000).map(\.value) == [1])
        #expect(try vector("irate(requests_total[1m])", at: 90_000).map(\.value) == [5.0 / 15])
    }

    @Test func aggregation_andVectorMatching() throws {
        #expect(try vector("sum(temp)", at: 10_000).map(\.value) == [1])
        #expect(try vector("count by (room) (temp)", at: 10_000).map(\.labels) == [Labels(["room": "a"]), Labels(["room": "b"])])
        #expect(try vector("topk(1, temp)", at: 10_000).map(\.labels) == [Labels(name: "temp", ["room": "b"])])
        #expect(try vector("temp > 0", at: 10_000).map(\.labels) == [Labels(name: "temp", ["room": "b"])])
        #expect(try vector("temp * 2", at: 10_000).map(\.labels) == [Labels(["room": "a"]), Labels(["room": "b"])])
        #expect(try vector("temp + on() group_left sum(temp)", at: 10_000).map(\.value) == [-1, 4])
        #expect(try vector(#"count_values("v", temp)"#, at: 10_000).map(\.labels) == [Labels(["v": "-2"]), Labels(["v": "3"])])
    }

    @Test func manyToManyMatching_isAnExecutionError() {
        #expect(throws: PromQLError.self) { try vector("temp + on() temp", at: 10_000) }
        do {
            _ = try vector("temp + on() temp", at: 10_000)
        } catch let error as PromQLError {
            #expect(error.kind == .execution)
            #expect(error.message.contains("many-to-many matching not allowed"))
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func functionsThatDropTheName_refuseDuplicateLabelSets() {
        do {
            _ = try vector(#"abs({__name__=~"temp|requests_total"}) * 0 + abs({__name__=~".+", room="a"})"#, at: 10_000)
            _ = try vector(#"-{__name__=~".+"}"#, at: 10_000)
        } catch {
            Issue.record("no duplicate expected: \(error)")
        }
        let twins = InMemorySampleSource([
            Series(labels: Labels(name: "a", ["x": "1"]), samples: [Sample(timestampMs: 0, value: 1)]),
            Series(labels: Labels(name: "b", ["x": "1"]), samples: [Sample(timestampMs: 0, value: 2)]),
        ])
        do {
            _ = try Evaluator.instant(try Parser.parse(#"abs({x="1"})"#), atMs: 0, source: twins)
            Issue.record("duplicate label sets were answered")
        } catch {
            #expect(error.message == "vector cannot contain metrics with the same labelset")
        }
    }

    @Test func rangeQuery_collectsStepsPerSeries() throws {
        let series = try Evaluator.range(try Parser.parse("temp"), startMs: 0, endMs: 20_000, stepMs: 10_000, source: source)
        #expect(series.map(\.labels) == [Labels(name: "temp", ["room": "a"]), Labels(name: "temp", ["room": "b"])])
        #expect(series[0].samples == [Sample(timestampMs: 0, value: 1), Sample(timestampMs: 10_000, value: -2), Sample(timestampMs: 20_000, value: -2)])
        let scalar = try Evaluator.range(try Parser.parse("time()"), startMs: 0, endMs: 2000, stepMs: 1000, source: source)
        #expect(scalar == [Series(labels: Labels(), samples: [0, 1, 2].map { Sample(timestampMs: Int64($0) * 1000, value: Double($0)) })])
    }

    @Test func limits_maxSamplesAndDeadline_stopTheQuery() throws {
        var small = QueryOptions()
        small.maxSamples = 2
        do {
            _ = try vector("temp[1h]", at: 10_000, options: small)
            _ = try Evaluator.range(try Parser.parse("temp"), startMs: 0, endMs: 100_000, stepMs: 1000, source: source, options: small)
            Issue.record("the sample limit did not stop the query")
        } catch let error as PromQLError {
            #expect(error == .tooManySamples)
        }
        var late = QueryOptions()
        late.isPastDeadline = { true }
        do {
            _ = try vector("sum(rate(requests_total[1m]))", at: 10_000, options: late)
            Issue.record("the deadline did not stop the query")
        } catch let error as PromQLError {
            #expect(error.kind == .timeout)
        }
    }

    @Test func labelReplace_expandsGoTemplates() throws {
        let out = try vector(#"label_replace(temp, "x", "${1}-$2$$", "room", "(a)(.*)")"#, at: 10_000)
        #expect(out.map { $0.labels["x"] } == ["a-$", ""])
        #expect(out.first?.labels.metric == "temp")
    }

    @Test func histogramQuantile_interpolatesWithinTheBucket() throws {
        let buckets = InMemorySampleSource(["0.1": 10.0, "0.5": 30, "1": 40, "+Inf": 40].map { le, count in
            Series(labels: Labels(name: "h_bucket", ["le": le]), samples: [Sample(timestampMs: 0, value: count)])
        })
        guard case .vector(_, let out) = try Evaluator.instant(try Parser.parse("histogram_quantile(0.5, h_bucket)"), atMs: 0, source: buckets) else {
            Issue.record("no vector")
            return
        }
        // rank 20 falls in (0.1, 0.5] holding 20: 0.1 + 0.4 * (10 / 20).
        #expect(out.map(\.value) == [0.30000000000000004])
        #expect(out.map(\.labels) == [Labels()])
    }

    @Test func numbers_areFormattedAsGoDoes() {
        #expect(PromNumber.format(1e21) == "1000000000000000000000")
        #expect(PromNumber.format(1.25e-7) == "0.000000125")
        #expect(PromNumber.format(0.1 + 0.2) == "0.30000000000000004")
        #expect(PromNumber.format(-3) == "-3")
        #expect(PromNumber.format(.nan) == "NaN")
        #expect(PromNumber.format(-.infinity) == "-Inf")
        #expect(PromNumber.format(123.5) == "123.5")
        #expect(PromNumber.format(100) == "100")
        #expect(PromNumber.format(-0.0) == "-0")
        #expect(PromNumber.format(1.5e20) == "150000000000000000000")
        #expect(PromNumber.format(-1e-5) == "-0.00001")
        #expect(PromNumber.format(.leastNonzeroMagnitude) == "0." + String(repeating: "0", count: 323) + "5")
        #expect(PromNumber.format(.greatestFiniteMagnitude) == "17976931348623157" + String(repeating: "0", count: 292))
    }

    @Test func windowsAveragedFourAtATime_giveAveragesOwnBits_specialValuesIncluded() {
        var generator = SystemRandomNumberGenerator()
        let specials: [Double] = [.infinity, -.infinity, .nan, .greatestFiniteMagnitude, -.greatestFiniteMagnitude, 1e308, 0, -0.0]
        for round in 0..<300 {
            let count = Int.random(in: 1...200, using: &generator)
            let samples = (0..<count).map { index in
                let value = round % 3 == 0 && Int.random(in: 0..<40, using: &generator) == 0
                    ? specials.randomElement(using: &generator)!
                    : Double.random(in: -1e6...1e6, using: &generator).rounded(.down) / Double(Int.random(in: 1...100, using: &generator))
                return Sample(timestampMs: Int64(index) * 15_000, value: value)
            }
            let windows = (0..<Int.random(in: 0...40, using: &generator)).map { _ in
                let low = Int.random(in: 0..<count, using: &generator)
                return low..<Int.random(in: (low + 1)...count, using: &generator)
            }
            let together = Evaluator.averages(samples, windows)
            let alone = windows.map { Evaluator.average(samples[$0]) }
            #expect(together.count == alone.count)
            for (a, b) in zip(together, alone) where a.bitPattern != b.bitPattern && !(a.isNaN && b.isNaN) {
                Issue.record("round \(round): \(a) four at a time, \(b) alone")
                return
            }
        }
    }

    @Test func digitsHandedOverWithoutAString_areTheGeneralWays_orNoneWhereSwiftWritesAnExponent() {
        func general(_ value: Double) -> String {
            var bytes: [UInt8] = []
            PromNumber.appendThroughDescription(value, integral: false, to: &bytes)
            return String(decoding: bytes, as: UTF8.self)
        }
        var generator = SystemRandomNumberGenerator()
        var values: [Double] = [1e-4, 1e-4.nextDown, 0.1, 1.0 / 3, 18.333333333333332, 0x1p53.nextDown, 1e15 + 0.5, -2.5e-7, 5e-324]
        for _ in 0..<100_000 {
            // Any double, means of small integers, rates.
            values.append(Double(bitPattern: UInt64.random(in: 0...UInt64.max, using: &generator)))
            values.append(-Double(Int.random(in: 1...100_000, using: &generator)) / Double(Int.random(in: 1...400, using: &generator)))
            values.append(Double(Int.random(in: 1...1_000_000, using: &generator)) / Double(Int.random(in: 1...3_600, using: &generator)) / 60)
        }
        var handed = 0
        for value in values where value.isFinite && value.rounded(.towardZero) != value {
            var bytes: [UInt8] = [UInt8(ascii: "[")]
            if PromNumber.appendSwiftsDigits(value, to: &bytes) {
                handed += 1
                let written = String(decoding: bytes.dropFirst(), as: UTF8.self)
                if written != general(value) {
                    Issue.record("\(value): \(written), the general way \(general(value))")
                    return
                }
            } else {
                #expect(bytes == [UInt8(ascii: "[")], "nothing written for \(value)")
                #expect(Swift.abs(value) < 1e-4, "\(value) written with an exponent by Swift")
            }
        }
        #expect(handed > 150_000)
    }

    @Test func sampleValues_takeGosExponentForm_below1eMinus6_andFrom1e21_asPrometheussAPIWritesThem() {
        func written(_ value: Double) -> String {
            var bytes: [UInt8] = []
            PromNumber.appendSampleValue(value, to: &bytes)
            return String(decoding: bytes, as: UTF8.self)
        }
        #expect(written(1e-7) == "1e-07")
        #expect(written(-2.5e-9) == "-2.5e-09")
        #expect(written(9.99e-7) == "9.99e-07")
        #expect(written(1e-6) == "0.000001")
        #expect(written(1e21) == "1e+21")
        #expect(written(1e21.nextDown) == "999999999999999900000")
        #expect(written(1.5e20) == "150000000000000000000")
        #expect(written(-1e300) == "-1e+300")
        #expect(written(.leastNonzeroMagnitude) == "5e-324")
        #expect(written(0) == "0")
        #expect(written(-0.0) == "-0")
        #expect(written(.nan) == "NaN")
        #expect(written(.infinity) == "+Inf")
        #expect(written(42.5) == "42.5")
    }

    /// The byte-level formatter against the string-level one it replaced (checked
    /// against Prometheus by the conformance suite), over every magnitude.
    @Test func numbers_formatAsTheStringLevelFormatterDid_overRandomDoubles() {
        var random = SystemRandomNumberGenerator()
        for _ in 0..<20_000 {
            let value = Double(bitPattern: random.next())
            guard value.isFinite else { continue }
            #expect(PromNumber.format(value) == Self.stringLevelFormat(value), "\(value)")
        }
        for _ in 0..<20_000 {
            let value = Double(Int64.random(in: -(1 << 54)...(1 << 54), using: &random))
            #expect(PromNumber.format(value) == Self.stringLevelFormat(value), "\(value)")
        }
        // Decimal fractions (gauges, averages, rates): Swift's shortest form written as it is.
        let scales: [Double] = [1, 10, 100, 1000, 1e6, 1e9, 1e12]
        for _ in 0..<20_000 {
            let value = Double(Int64.random(in: -1_000_000_000...1_000_000_000, using: &random)) / scales.randomElement(using: &random)!
            #expect(PromNumber.format(value) == Self.stringLevelFormat(value), "\(value)")
        }
        for value in [0.1, 0.25, 1, 10, 1e15, 1e16, 1e17, 123_456.789, 1e-7, 0.000123, 0.0001, 0.00012, 9_007_199_254_740_991, 9_007_199_254_740_992, 9_007_199_254_740_994, 9_007_199_254_740_991.5 / 2] {
            #expect(PromNumber.format(value) == Self.stringLevelFormat(value))
            #expect(PromNumber.format(-value) == Self.stringLevelFormat(-value))
        }
    }

    static func stringLevelFormat(_ value: Double) -> String {
        let shortest = "\(value)"
        let negative = shortest.hasPrefix("-")
        let body = negative ? String(shortest.dropFirst()) : shortest
        var mantissa = body
        var exponent = 0
        if let e = body.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            mantissa = String(body[..<e])
            exponent = Int(body[body.index(after: e)...]) ?? 0
        }
        var digits = mantissa.filter { $0 != "." }
        var point = mantissa.firstIndex(of: ".").map { mantissa.distance(from: mantissa.startIndex, to: $0) } ?? mantissa.count
        point += exponent
        while digits.count > 1, digits.hasPrefix("0") {
            digits.removeFirst()
            point -= 1
        }
        while digits.count > 1, digits.hasSuffix("0"), digits.count > point { digits.removeLast() }
        var text: String
        if point <= 0 {
            text = "0." + String(repeating: "0", count: -point) + digits
        } else if point >= digits.count {
            text = digits + String(repeating: "0", count: point - digits.count)
        } else {
            let index = digits.index(digits.startIndex, offsetBy: point)
            text = String(digits[..<index]) + "." + String(digits[index...])
        }
        if text.contains(".") {
            while text.hasSuffix("0") { text.removeLast() }
            if text.hasSuffix(".") { text.removeLast() }
        }
        return (negative ? "-" : "") + text
    }
}
