import EventStore
import PromQL
import Testing
@testable import Server

/// `PromQueries.answerHeld`: what may be computed on a connection's event loop is
/// answered exactly as off it, and the rest is refused before it costs the loop.
@Suite struct PromQueriesHeldTests {
    static let base = HeldSamples.baseSeconds

    static func parameters(_ target: String) -> PromAPIParameters {
        PromAPIParameters(query: PromAPIParameters.query(ofTarget: target[...]), form: nil)
    }

    static func held(_ queries: PromQueries, _ target: String) -> String? {
        queries.answerHeld(PromQueries.Endpoint(target: target[...])!, parameters(target)).map { String(decoding: $0.body, as: UTF8.self) }
    }

    static func offTheLoop(_ queries: PromQueries, _ target: String) -> String {
        String(decoding: queries.answer(PromQueries.Endpoint(target: target[...])!, parameters(target)).body, as: UTF8.self)
    }

    @Test func aSmallQueryOverHeldSamples_isAnsweredAsOffTheLoop_errorsIncluded() {
        let queries = PromQueries(log: HeldSamples(series: 3, samplesPerSeries: 10))
        let targets = [
            "/api/v1/query?query=m&time=\(Self.base + 9)",
            "/api/v1/query?query=sum%20by%20(i)%20(rate(m%5B5s%5D))%20%3E%20bool%200&time=\(Self.base + 9)",
            "/api/v1/query_range?query=rate(m%5B5s%5D)&start=\(Self.base)&end=\(Self.base + 9)&step=1",
            "/api/v1/query_range?query=1%2B1&start=\(Self.base)&end=\(Self.base + 9)&step=3",
            "/api/v1/query?query=m%5B&time=\(Self.base)",
            "/api/v1/query_range?query=m&start=\(Self.base)&end=\(Self.base - 1)&step=1",
            "/api/v1/status/buildinfo",
        ]
        for target in targets {
            let held = Self.held(queries, target)
            #expect(held != nil, "\(target) answered on the loop")
            #expect(held == Self.offTheLoop(queries, target), "\(target)")
        }
    }

    @Test func whatMayCostTheLoop_isRefused_andAnsweredOffIt() {
        let small = HeldSamples(series: 3, samplesPerSeries: 10)
        let queries = PromQueries(log: small)
        // A subquery: its inner steps are not bounded by what it loads.
        #expect(Self.held(queries, "/api/v1/query?query=max_over_time(m%5B5s%3A1s%5D)&time=\(Self.base + 9)") == nil)
        // Steps times what is loaded beyond the work allowed: 11,000 steps over 33.
        #expect(Self.held(queries, "/api/v1/query_range?query=m&start=\(Self.base)&end=\(Self.base + 10_999)&step=1") == nil)
        // The series, labels and metadata endpoints read the log's range: never on the loop.
        #expect(Self.held(queries, "/api/v1/series?match%5B%5D=m") == nil)
        #expect(Self.held(queries, "/api/v1/labels") == nil)
        // More samples than a query on the loop may read.
        let many = PromQueries(log: HeldSamples(series: 30, samplesPerSeries: PromQueries.heldSamplesMax / 20))
        #expect(Self.held(many, "/api/v1/query?query=count(count_over_time(m%5B1h%5D))&time=\(Self.base + 999)") == nil)
        #expect(Self.offTheLoop(many, "/api/v1/query?query=count(count_over_time(m%5B1h%5D))&time=\(Self.base + 999)").contains(#""value":[1700000999,"30"]"#))
        // More series than it may select, however few their samples.
        let wide = PromQueries(log: HeldSamples(series: PromQueries.heldSeriesMax + 1, samplesPerSeries: 1))
        #expect(Self.held(wide, "/api/v1/query?query=m&time=\(Self.base)") == nil)
        #expect(Self.offTheLoop(wide, "/api/v1/query?query=count(m)&time=\(Self.base)").contains(#""value":[1700000000,"257"]"#))
        // Samples not all in memory.
        small.isHeld = false
        #expect(Self.held(queries, "/api/v1/query?query=m&time=\(Self.base + 9)") == nil)
        // A query that reads no samples needs none in memory.
        #expect(Self.held(queries, "/api/v1/query?query=1%2B1&time=\(Self.base)") == #"{"status":"success","data":{"resultType":"scalar","result":[1700000000,"2"]}}"#)
    }

    @Test func heldNodes_countTheExpression_andRefuseASubqueryAnywhere() throws {
        #expect(PromQueries.heldNodes(try Parser.parse("m")) == 1)
        #expect(PromQueries.heldNodes(try Parser.parse("sum by (i) (rate(m[5m])) > bool 0")) == 5)
        #expect(PromQueries.heldNodes(try Parser.parse("topk(3, m)")) == 3)
        #expect(PromQueries.heldNodes(try Parser.parse("1 + max_over_time(m[5m:1m])")) == nil)
        #expect(PromQueries.heldNodes(try Parser.parse("sum(rate(m{i=~\"4.\"}[5m]))")) == nil)
        #expect(PromQueries.heldNodes(try Parser.parse("m{i!~\"4\"} + m")) == nil)
    }
}
