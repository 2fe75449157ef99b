import EventStore
import Testing
import TestSupport
@testable import Projections

@Suite struct AlertsProjectionTests {
    typealias F = PanelFixtures

    @Test func apply_alert_makesItActive() {
        let view = F.fold(AlertsProjection.self, [F.alert(1, "a1", .critical)]).view()
        #expect(view.active.map(\.id) == ["a1"])
        #expect(view.active[0].status == .active && !view.active[0].acknowledged)
        #expect(view.active[0].timestamp == "2026-01-01T00:00:01Z")
        #expect(view.openBySeverity.critical == 1)
    }

    @Test func apply_whenActive_andAcknowledged_movesToAcknowledged() {
        let view = F.fold(AlertsProjection.self, [F.alert(1, "a1"), F.ack(2, "a1", by: "ops")]).view()
        #expect(view.active.isEmpty)
        #expect(view.acknowledged.map(\.id) == ["a1"])
        #expect(view.acknowledged[0].acknowledgedBy == "ops")
        #expect(view.acknowledged[0].acknowledgedAtNs == F.at(2))
    }

    @Test func apply_whenAcknowledged_andResolved_movesToResolvedHistory() {
        let view = F.fold(AlertsProjection.self, [F.alert(1, "a1"), F.ack(2, "a1"), F.resolve(3, "a1")]).view()
        #expect(view.active.isEmpty && view.acknowledged.isEmpty)
        #expect(view.resolved.map(\.id) == ["a1"])
        #expect(view.resolved[0].status == .resolved)
        #expect(view.resolved[0].acknowledged)
        #expect(view.resolved[0].resolvedAtNs == F.at(3))
        #expect(view.openBySeverity == SeverityCounts())
    }

    @Test func apply_ackOfUnknownId_isIgnoredButCounted() {
        let state = F.fold(AlertsProjection.self, [F.alert(1, "a1"), F.ack(2, "nope"), F.resolve(3, "nope")])
        let view = state.view()
        #expect(view.active.map(\.id) == ["a1"])
        #expect(view.ignoredAcks == 1)
        #expect(view.ignoredResolves == 1)
    }

    @Test func apply_ackOfResolvedId_isIgnoredButCounted() {
        let view = F.fold(AlertsProjection.self, [F.alert(1, "a1"), F.resolve(2, "a1"), F.ack(3, "a1")]).view()
        #expect(view.ignoredAcks == 1)
        #expect(view.resolved[0].acknowledged == false)
    }

    @Test func apply_reraiseOfActiveId_updatesItInPlace() {
        let view = F.fold(AlertsProjection.self, [
            F.alert(1, "a1", .warning, message: "slow"),
            F.alert(5, "a1", .critical, message: "slower"),
        ]).view()
        #expect(view.active.count == 1)
        let alert = view.active[0]
        #expect(alert.severity == .critical && alert.message == "slower")
        #expect(alert.timestampNs == F.at(5) && alert.firstRaisedNs == F.at(1))
        #expect(alert.raiseCount == 2)
        #expect(view.raisedBySeverity.warning == 1 && view.raisedBySeverity.critical == 1)
    }

    @Test func apply_reraiseOfResolvedId_opensNewOccurrence_andKeepsTheOldInHistory() {
        let view = F.fold(AlertsProjection.self, [F.alert(1, "a1"), F.resolve(2, "a1"), F.alert(3, "a1")]).view()
        #expect(view.active.map(\.timestampNs) == [F.at(3)])
        #expect(view.resolved.map(\.timestampNs) == [F.at(1)])
        #expect(view.alerts.map(\.timestampNs) == [F.at(3), F.at(1)])
    }

    @Test func view_isNewestFirst_filteredBySeverity_andLimited() {
        let state = F.fold(AlertsProjection.self, [
            F.alert(1, "c1", .critical), F.alert(2, "w1", .warning), F.alert(3, "c2", .critical),
            F.alert(3, "c3", .critical), F.resolve(4, "c1"),
        ])
        #expect(state.view().alerts.map(\.id) == ["c3", "c2", "w1", "c1"])
        #expect(state.view(severity: .critical).alerts.map(\.id) == ["c3", "c2", "c1"])
        #expect(state.view(limit: 2, severity: .critical).alerts.map(\.id) == ["c3", "c2"])
        #expect(state.view(limit: 1).active.map(\.id) == ["c3"])
        // Counts are not filtered.
        #expect(state.view(severity: .info).openBySeverity.critical == 2)
    }

    @Test func apply_beyondResolvedHistoryMax_keepsNewest() {
        var events: [Event] = []
        for i in 0..<(AlertsProjection.resolvedHistoryMax + 3) {
            events.append(F.alert(Double(i), "a\(i)"))
            events.append(F.resolve(Double(i), "a\(i)"))
        }
        let state = F.fold(AlertsProjection.self, events)
        #expect(state.resolved.count == AlertsProjection.resolvedHistoryMax)
        #expect(state.resolved.droppedCount == 3)
        #expect(state.resolved.elements.first?.raised.id == "a3")
    }

    @Test func apply_beyondOpenAlertsMax_evictsOldestOpen() {
        var events: [Event] = []
        for i in 0...AlertsProjection.openAlertsMax { events.append(F.alert(Double(i), "a\(i)")) }
        let state = F.fold(AlertsProjection.self, events)
        #expect(state.open.count == AlertsProjection.openAlertsMax)
        #expect(!state.open.contains("a0"))
        #expect(state.evictedOpenCount == 1)
    }

    @Test func merge_ofShards_unionsAlerts_andAResolutionClosesTheOpenCopy() {
        var a = F.fold(AlertsProjection.self, [F.alert(1, "x"), F.alert(2, "y")])
        let b = F.fold(AlertsProjection.self, [F.alert(1, "x"), F.resolve(3, "x"), F.ack(4, "nope")])
        a.merge(b)
        let view = a.view()
        #expect(view.active.map(\.id) == ["y"])
        #expect(view.resolved.map(\.id) == ["x"])
        #expect(view.ignoredAcks == 1)
        #expect(view.raisedBySeverity.warning == 3)
    }

    @Test func encoding_isDeterministic_andRoundTrips() throws {
        let state = F.fold(AlertsProjection.self, [F.alert(1, "b"), F.alert(1, "a"), F.ack(2, "a"), F.resolve(3, "b")])
        #expect(try F.encodeSorted(state) == F.encodeSorted(state))
        #expect(try F.roundTrips(state))
    }

    @Test func newest_isTheSortedPrefix_tiesInInputOrder_overRandomRecords() {
        var rng = SystemRandomNumberGenerator()
        let seed = UInt64.random(in: 0...UInt64.max, using: &rng)
        var random = SeededRandom(seed: seed)
        for _ in 0..<200 {
            // Few distinct times, offsets and ids: many ties and equal records.
            func record() -> AlertRecord {
                let id = "a\(Int.random(in: 0..<4, using: &random))"
                let raise = AlertRaised(id: id, severity: AlertSeverity.allCases.randomElement(using: &random)!, kind: "k", message: "m\(Int.random(in: 0..<1000, using: &random))")
                return AlertRecord(raise, atNs: Int64.random(in: 0..<5, using: &random), offset: UInt64.random(in: 0..<3, using: &random))
            }
            let groups = (0..<Int.random(in: 0..<3, using: &random)).map { _ in (0..<Int.random(in: 0..<60, using: &random)).map { _ in record() } }
            let limit = Int.random(in: -1..<70, using: &random)
            let keep = { (r: AlertRecord) in r.raised.severity != .info }
            let expected = Array(groups.flatMap { $0 }.filter(keep).sorted(by: AlertRecord.newerFirst).prefix(max(0, limit)))
            #expect(AlertRecord.newest(groups, limit: limit, where: keep) == expected, "seed \(seed)")
            #expect(AlertRecord.newest(groups, limit: .max, where: keep) == groups.flatMap { $0 }.filter(keep).sorted(by: AlertRecord.newerFirst), "seed \(seed)")
        }
    }
}
