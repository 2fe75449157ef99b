import EventStore
import Foundation
import Testing
@testable import Projections

/// The heatmap projection, and the connection and performance-alert views derived
/// from the set's projections.
@Suite struct SeedViewsProjectionTests {
    typealias F = PanelFixtures

    static func op(_ seconds: Double, _ name: String, _ proto: String?, ms: Double, ok: Bool = true) -> Event {
        F.event(seconds, .op(Operation(name: name, protocol: proto, durationMs: ms, ok: ok)))
    }

    static let ops: [Event] = [
        op(1, "a", "http1", ms: 15), op(2, "a", "http1", ms: 15), op(3, "b", "grpc", ms: 600, ok: false),
        op(65, "a", "http1", ms: 0.3), op(3700, "b", nil, ms: 25),
    ]

    @Test func heatmap_apply_countsEachOperationInEveryTier_andRowsByNameAndProtocol() {
        let heatmap = F.fold(HeatmapProjection.self, Self.ops)
        for tier in HeatmapTier.allCases {
            let ring = heatmap.latencyRing(tier)
            let total = ring.liveEntries.reduce(UInt64(0)) { $0 + $1.bucket.totalCount }
            // The 10 s tier spans one hour: from 3700 s back it no longer holds 1–65 s.
            #expect(total == (tier == .tenSeconds ? 1 : 5), "tier \(tier)")
        }
        #expect(heatmap.operations.keys == ["a", "b"])
        #expect(heatmap.protocols.keys == ["grpc", "http1", "unknown"])
        let minuteA = heatmap.operations["a"].map { heatmap.ring(of: $0, .minute) }
        #expect(minuteA?.bucket(atUnit: TimeUnits.unit(of: F.at(1), widthNs: TimeUnits.nanosPerMinute)) == OpCounts(count: 2, errors: 0))
    }

    @Test func heatmapView_24h_placesOperationsInFifteenMinuteColumns_withRatesAndErrorShares() {
        let heatmap = F.fold(HeatmapProjection.self, Self.ops)
        let view = heatmap.view(metric: .errors, range: .oneDay, endNs: F.at(3700))
        #expect(view.columns.count == 96 && view.columnWidthNs == 15 * TimeUnits.nanosPerMinute)
        // Base is midnight, so 0–900 s is the column before the last four's.
        #expect(view.rows.map(\.label) == ["a", "b"])
        #expect(view.cells.map { [$0.row, $0.column, Int($0.count)] } == [[0, 91, 0], [1, 91, 1], [1, 95, 0]])
        #expect(view.cells[1].value == 100, "the one operation of b in that column failed")
        let throughput = heatmap.view(metric: .throughput, range: .oneDay, grouping: .protocol, endNs: F.at(3700))
        #expect(throughput.rows.map(\.label) == ["http1", "grpc", "unknown"])
        #expect(throughput.cells.first?.value == 3.0 / 900)
    }

    @Test func heatmap_roundTrips_andMergesShardsAsOneFold() throws {
        let whole = F.fold(HeatmapProjection.self, Self.ops)
        #expect(try F.roundTrips(whole))
        var left = F.fold(HeatmapProjection.self, Array(Self.ops.prefix(2)))
        left.merge(F.fold(HeatmapProjection.self, Array(Self.ops.dropFirst(2)), startOffset: 2))
        #expect(left.view(metric: .latency, range: .sevenDays, endNs: F.at(3700)) == whole.view(metric: .latency, range: .sevenDays, endNs: F.at(3700)))
    }

    @Test func projectionSet_fromACheckpointWrittenBeforeTheHeatmap_loadsWithAnEmptyHeatmap() throws {
        let set = F.fold(ProjectionSet.self, Self.ops)
        var object = try #require(try JSONSerialization.jsonObject(with: F.encodeSorted(set)) as? [String: Any])
        #expect(object["heatmap"] != nil)
        object["heatmap"] = nil
        let earlier = try JSONSerialization.data(withJSONObject: object)
        let loaded = try JSONDecoder().decode(ProjectionSet.self, from: earlier)
        #expect(loaded.heatmap == HeatmapProjection())
        #expect(loaded.latency == set.latency && loaded.eventCount == set.eventCount)
        #expect(try F.roundTrips(set))
    }

    @Test func connectionMetrics_addReportsAndTheMetricFamily_overTheLastMinute() {
        let events = [
            F.report(0, "old", tps: 10), F.report(50, "busy", load: 30, tps: 20), F.report(55, "quiet", load: 0, tps: 0),
            F.event(40, .metric(MetricSample(name: "http_connections", labels: ["state": "active"], value: 12))),
            F.event(41, .metric(MetricSample(name: "http_connections", labels: ["state": "idle"], value: 5))),
            F.event(10, .metric(MetricSample(name: "http_connections_opened_total", value: 1000, kind: .counter))),
            F.event(30, .metric(MetricSample(name: "http_connections_opened_total", value: 1120, kind: .counter))),
            F.event(70, .metric(MetricSample(name: "http_connections_opened_total", value: 1180, kind: .counter))),
        ]
        let set = F.fold(ProjectionSet.self, events)
        let view = set.connectionMetricsView(nowNs: F.at(70))
        // Fresh within (10 s, 70 s]: busy (active), quiet (idle); old is stale.
        #expect(view.reports.active == 1 && view.reports.idle == 1 && view.reports.stale == 1)
        #expect(view.reports.openedInWindow == 2)
        #expect(view.metrics?.active == 12 && view.metrics?.idle == 5)
        // Increases at 30 s (+120) and 70 s (+60) fall in the window.
        #expect(view.metrics?.openedInWindow == 180)
        #expect(view.active == 13 && view.idle == 6 && view.total == 19)
        #expect(view.connectionRate == 182.0 / 60)
        #expect(view.healthStatus == "warning", "a stale connection")
        #expect(ProjectionSet().connectionMetricsView().healthStatus == "unknown")
    }

    @Test func performanceAlerts_fromFigureAndMetricRules_carryThresholdCurrentValueAndResolution() throws {
        let rules = try RuleSet([
            AlertRule(id: "errors", name: "Errors", severity: .critical,
                      condition: .figure(name: .errorRatePercent, comparison: Comparison(.above, 5))),
            AlertRule(id: "queue", name: "Queue", severity: .warning,
                      condition: .metric(selector: MetricSelector(name: "queue_depth"), comparison: Comparison(.above, 100))),
            AlertRule(id: "open", name: "Open", severity: .critical, condition: .breaker(entering: .open)),
        ])
        var state = EngineState<ProjectionSet>(rules: rules)
        var offset: UInt64 = 0
        func fold(_ event: Event) {
            let raised = state.apply(event, offset: offset, evaluatingRules: true)
            offset += 1
            for alert in raised { _ = state.apply(alert, offset: offset, evaluatingRules: true); offset += 1 }
        }
        for event in [
            F.op(1, ok: true), F.op(1.5, ok: false),
            F.event(2, .metric(MetricSample(name: "queue_depth", labels: ["q": "in"], value: 150))),
            F.breaker(2.5, "db", .closed, .open),
            F.op(3, ok: true),
            F.event(4, .metric(MetricSample(name: "queue_depth", labels: ["q": "in"], value: 170))),
        ] { fold(event) }
        let view = state.views.performanceAlertsView()
        #expect(view.alerts.map(\.rule).sorted() == ["errors", "queue"], "the breaker alert has no threshold")
        let errors = try #require(view.alerts.first { $0.rule == "errors" })
        #expect(errors.metric == "errorRatePercent" && errors.threshold == 5 && errors.comparison == "above")
        #expect(errors.valueAtRaise == 50)
        #expect(errors.currentValue.map { abs($0 - 100.0 / 3) < 1e-9 } == true, "1 failure in 3 operations now")
        #expect(errors.resolution.contains("errors heatmap"))
        let queue = try #require(view.alerts.first { $0.rule == "queue" })
        #expect(queue.metric == "queue_depth" && queue.labelsJSON == #"{"q":"in"}"#)
        #expect(queue.valueAtRaise == 150 && queue.currentValue == 170)
        #expect(queue.resolution.contains("queue_depth"))
        #expect(view.activeCount == 2)
        #expect(state.views.performanceAlertsView(severity: .warning).alerts.map(\.rule) == ["queue"])
    }
}
