import EventStore
import Testing
@testable import Server

/// The scraper's staleness, scrape by scrape: what left the exposition, and everything
/// after a failed scrape, gets a stale marker at that scrape's time, per target.
@Suite struct ScrapeStalenessTests {
    static func key(_ name: String, _ instance: String = "a") -> SeriesKey { SeriesKey(name: name, labels: Labels(["instance": instance])) }

    static func marked(_ events: [Event]) -> [String] {
        events.compactMap { event in
            guard case .metric(let sample) = event.body, sample.isStaleMarker else { return nil }
            return "\(sample.series) \(sample.kind.name) @\(event.timeNs)"
        }
    }

    @Test func seriesThatLeaveAScrape_orAFailedScrapesTarget_getMarkers_atThatScrapesTime() {
        var staleness = ScrapeStaleness()
        let depth = Self.key("depth"), jobs = Self.key("jobs_total"), other = Self.key("depth", "b")
        #expect(staleness.markers(target: "a", seen: [depth: .gauge, jobs: .counter], atNs: 10).isEmpty, "nothing before the first scrape")
        #expect(staleness.markers(target: "b", seen: [other: .gauge], atNs: 11).isEmpty)
        #expect(Self.marked(staleness.markers(target: "a", seen: [depth: .gauge], atNs: 20)) == [#"jobs_total{instance="a"} counter @20"#])
        #expect(staleness.markers(target: "a", seen: [depth: .gauge, jobs: .counter], atNs: 30).isEmpty, "back again: nothing to end")
        #expect(Self.marked(staleness.markers(target: "a", seen: nil, atNs: 40)) == [#"depth{instance="a"} gauge @40"#, #"jobs_total{instance="a"} counter @40"#])
        #expect(staleness.markers(target: "a", seen: nil, atNs: 50).isEmpty, "ended once")
        #expect(staleness.markers(target: "b", seen: [other: .gauge], atNs: 51).isEmpty, "targets apart")
    }
}
