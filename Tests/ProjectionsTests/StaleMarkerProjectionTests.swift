import EventStore
import Foundation
import Testing
@testable import Projections

/// Prometheus's stale markers in the log (remote-written, or written by the scraper)
/// are no values: every view folds a stream holding them as it folds the same stream
/// without them.
@Suite struct StaleMarkerProjectionTests {
    typealias F = PanelFixtures

    @Test(arguments: [UInt64(3), 11, 99])
    func everyView_foldsStaleMarkersAsIfTheyWereAbsent(seed: UInt64) throws {
        var random = PanelRandom(seed: seed)
        let series = [
            SeriesKey(name: "cpu_percent", labels: Labels(["core": "total"])), SeriesKey(name: "memory_bytes", labels: Labels(["kind": "used"])),
            SeriesKey(name: "tacho_health_score", labels: .empty), SeriesKey(name: "queue_depth", labels: Labels(["job": "w"])),
        ]
        var withMarkers: [Event] = []
        for event in SetReplayInvariantTests.stream(seed: seed, count: 1500) {
            withMarkers.append(event)
            if case .metric = event.body, random.below(3) == 0 {
                // A sample of another series, then markers at the same time.
                withMarkers.append(Event(timeNs: event.timeNs, body: .metric(MetricSample(series: series[3], value: random.unit()))))
                for key in series where random.below(2) == 0 {
                    withMarkers.append(Event(timeNs: event.timeNs, body: .metric(MetricSample.staleMarker(series: key, kind: random.below(2) == 0 ? .gauge : .counter))))
                }
            }
        }
        withMarkers.append(F.op(1e6, ok: true))
        // The same events at the same offsets, the markers' offsets left unused.
        var folded = ProjectionSet()
        var passedOver = ProjectionSet()
        var markers = 0
        for (index, event) in withMarkers.enumerated() {
            folded.apply(event, offset: UInt64(index))
            if case .metric(let sample) = event.body, sample.isStaleMarker {
                markers += 1
                continue
            }
            passedOver.apply(event, offset: UInt64(index))
        }
        #expect(markers > 50)
        #expect(folded.eventCount == passedOver.eventCount + UInt64(markers))
        let views: [(String, any Encodable, any Encodable)] = [
            ("vitals", folded.vitals, passedOver.vitals), ("series", folded.series, passedOver.series),
            ("faultTolerance", folded.faultTolerance, passedOver.faultTolerance), ("health", folded.health, passedOver.health),
            ("alerts", folded.alerts, passedOver.alerts), ("throughput", folded.throughput, passedOver.throughput),
            ("latency", folded.latency, passedOver.latency), ("heatmap", folded.heatmap, passedOver.heatmap),
        ]
        for (name, a, b) in views {
            #expect(try F.encodeSorted(a) == F.encodeSorted(b), "\(name), seed \(seed)")
        }
        #expect(folded.series.seriesCount == passedOver.series.seriesCount)
        #expect(try F.encodeSorted(folded.healthView()) == F.encodeSorted(passedOver.healthView()))
    }
}
