import EventStore
import Testing
@testable import Projections

@Suite struct TopologyProjectionTests {
    typealias F = PanelFixtures

    @Test func apply_report_addsConnectionWithMonitorsLoadAndTPS() throws {
        let view = F.fold(TopologyProjection.self, [F.report(1, "api", load: 70, tps: 250, monitors: ["m2", "m1"])]).view()
        let connection = try #require(view.connections.first)
        #expect(connection.id == "api" && connection.load == 70 && connection.tps == 250)
        #expect(connection.monitors == ["m2", "m1"])
        #expect(connection.circuitState == .closed)
        #expect(connection.lastSeen == "2026-01-01T00:00:01Z")
        #expect(view.monitors.map(\.id) == ["m1", "m2"])
    }

    @Test func apply_laterReport_replacesFigures_andLateOneDoesNot() throws {
        let state = F.fold(TopologyProjection.self, [
            F.report(5, "api", load: 10), F.report(6, "api", load: 20), F.report(1, "api", load: 99),
        ])
        let node = try #require(state.connections["api"])
        #expect(node.load == 20 && node.reportCount == 3 && node.firstSeenNs == F.at(1) && node.lastSeenNs == F.at(6))
    }

    @Test func view_readsBreakerState_andListsFeedersPerMonitor() {
        let events = [
            F.report(1, "a", load: 40, tps: 10, monitors: ["m1"]),
            F.report(1, "b", load: 80, tps: 30, monitors: ["m1", "m2"]),
            F.breaker(2, "b", .closed, .open),
        ]
        var set = ProjectionSet()
        for (i, e) in events.enumerated() { set.apply(e, offset: UInt64(i)) }
        let view = set.topologyView()
        #expect(view.connections.map(\.circuitState) == [.closed, .open])
        #expect(view.monitors == [.init(id: "m1", connections: ["a", "b"]), .init(id: "m2", connections: ["b"])])
        #expect(view.totalTps == 40 && view.averageLoad == 60)
    }

    @Test func merge_keepsLaterReport_andAddsCounts() throws {
        var a = F.fold(TopologyProjection.self, [F.report(1, "a", load: 1)])
        a.merge(F.fold(TopologyProjection.self, [F.report(2, "a", load: 2), F.report(2, "b")]))
        #expect(a.connections["a"]?.load == 2 && a.connections["a"]?.reportCount == 2)
        #expect(a.connections.keys == ["a", "b"])
        #expect(try F.roundTrips(a))
    }
}
