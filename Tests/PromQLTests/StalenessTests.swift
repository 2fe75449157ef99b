import PromQL
import Testing

/// Prometheus's staleness: a series' stale mark (`Series.staleMarksMs`) ends it for
/// instant selectors until its next sample, and range windows never hold it.
@Suite struct StalenessTests {
    /// Samples at 0, 15 and 30 s, a stale mark at 40 s, a sample again at 100 s; a
    /// second series without marks.
    let source = InMemorySampleSource([
        Series(
            labels: Labels(name: "jobs", ["instance": "a"]),
            samples: [Sample(timestampMs: 0, value: 1), Sample(timestampMs: 15_000, value: 2), Sample(timestampMs: 30_000, value: 3),
                      Sample(timestampMs: 100_000, value: 5)],
            staleMarksMs: [40_000]),
        Series(labels: Labels(name: "jobs", ["instance": "b"]), samples: [Sample(timestampMs: 0, value: 7)]),
    ])

    func values(_ query: String, at ms: Int64) throws -> [String: Double] {
        guard case .vector(_, let elements) = try Evaluator.instant(try Parser.parse(query), atMs: ms, source: source, options: QueryOptions()) else {
            Issue.record("\(query) is not a vector")
            return [:]
        }
        return Dictionary(uniqueKeysWithValues: elements.map { ($0.labels["instance"], $0.value) })
    }

    @Test func instantSelector_findsNothingFromTheMarkUntilTheNextSample() throws {
        #expect(try values("jobs", at: 39_999) == ["a": 3, "b": 7])
        #expect(try values("jobs", at: 40_000) == ["b": 7])
        #expect(try values("jobs", at: 99_999) == ["b": 7])
        #expect(try values("jobs", at: 100_000) == ["a": 5, "b": 7])
        // `offset` and `@` move the reference, and the mark with it.
        #expect(try values("jobs offset 1m", at: 95_000) == ["a": 3, "b": 7])
        #expect(try values("jobs @ 50", at: 0) == ["b": 7])
        #expect(try values("timestamp(jobs)", at: 60_000) == ["b": 0])
    }

    @Test func rangeWindows_leaveTheMarkOut() throws {
        #expect(try values("count_over_time(jobs[1m])", at: 60_000) == ["a": 3, "b": 1])
        #expect(try values("last_over_time(jobs[1m])", at: 60_000) == ["a": 3, "b": 7])
        #expect(try values("count_over_time(jobs[2m])", at: 110_000) == ["a": 4, "b": 1])
    }

    @Test func rangeQuery_stepsPastTheMark_haveNoValue_withAndWithoutStepTables() throws {
        for tables in [true, false] {
            var options = QueryOptions()
            options.usesStepTables = tables
            for query in ["jobs", "sum by (instance) (jobs)"] {
                let series = try Evaluator.range(try Parser.parse(query), startMs: 0, endMs: 120_000, stepMs: 10_000, source: source, options: options)
                let a = try #require(series.first { $0.labels["instance"] == "a" })
                #expect(a.samples.map(\.timestampMs) == [0, 10_000, 20_000, 30_000, 100_000, 110_000, 120_000], "\(query), tables \(tables)")
            }
        }
    }

    @Test func inMemorySource_keepsTheMarksOfTheRangeAskedFor() throws {
        let selected = try source.select([LabelMatcher(name: "instance", op: .equal, value: "a")], fromMs: 35_000, toMs: 60_000)
        #expect(selected.count == 1 && selected.first?.samples.isEmpty == true && selected.first?.staleMarksMs == [40_000])
        #expect(try source.select([LabelMatcher(name: "instance", op: .equal, value: "a")], fromMs: 41_000, toMs: 60_000).isEmpty)
    }
}
