import EventStore
import Testing
@testable import Projections

@Suite struct OptimizationProjectionTests {
    typealias F = PanelFixtures

    @Test func apply_change_becomesCurrent_withLastChangeTimeAndReason() {
        let view = F.fold(OptimizationProjection.self, [F.optimization(5, efficiency: 0.7, reason: "load rose")]).view()
        #expect(view.enabled && view.mode == .auto && view.efficiency == 0.7)
        #expect(view.currentParams == F.params)
        #expect(view.lastChange?.reason == "load rose")
        #expect(view.lastOptimization == "2026-01-01T00:00:05Z")
    }

    @Test func view_beforeAnyChange_isDisabled() {
        let view = OptimizationProjection().view()
        #expect(!view.enabled && view.currentParams == nil && view.history.isEmpty)
    }

    @Test func apply_lateChange_entersHistory_butDoesNotReplaceCurrent() {
        let state = F.fold(OptimizationProjection.self, [F.optimization(10, efficiency: 0.9), F.optimization(5, efficiency: 0.2)])
        #expect(state.current?.efficiency == 0.9)
        #expect(state.view().history.map(\.timeNs) == [F.at(10), F.at(5)])
    }

    @Test func apply_manyChanges_keepsBoundedHistory_newestFirstInView() {
        let events = (0..<60).map { F.optimization(Double($0), efficiency: Double($0) / 100) }
        let state = F.fold(OptimizationProjection.self, events)
        #expect(state.history.count == OptimizationProjection.historyMax)
        #expect(state.changeCount == 60)
        #expect(state.view().history.first?.timeNs == F.at(59))
        #expect(state.view(historyLimit: 3).history.count == 3)
    }

    @Test func merge_keepsLaterChange_whicheverSideHoldsIt() {
        let early = F.fold(OptimizationProjection.self, [F.optimization(1, efficiency: 0.1)])
        let late = F.fold(OptimizationProjection.self, [F.optimization(2, efficiency: 0.2)])
        var a = early
        a.merge(late)
        var b = late
        b.merge(early)
        #expect(a == b)
        #expect(a.current?.efficiency == 0.2 && a.changeCount == 2)
    }
}
