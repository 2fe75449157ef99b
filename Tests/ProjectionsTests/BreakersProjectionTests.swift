import EventStore
import Testing
@testable import Projections

@Suite struct BreakersProjectionTests {
    typealias F = PanelFixtures

    @Test func apply_whenClosed_andTripped_opensBreaker_andRecordsLastFailure() {
        let state = F.fold(CircuitBreakersProjection.self, [F.breaker(10, "db", .closed, .open, failures: 5, reason: "timeouts")])
        let record = state.record(for: "db")
        #expect(record?.state == .open)
        #expect(record?.failures == 5)
        #expect(record?.lastFailureNs == F.at(10))
        #expect(record?.lastSuccessNs == nil)
    }

    @Test func apply_whenHalfOpen_andProbeSucceeds_closesBreaker_andRecordsLastSuccess() {
        let state = F.fold(CircuitBreakersProjection.self, [
            F.breaker(10, "db", .closed, .open, failures: 5),
            F.breaker(40, "db", .open, .halfOpen, failures: 5),
            F.breaker(41, "db", .halfOpen, .closed, failures: 0),
        ])
        let record = state.record(for: "db")
        #expect(record?.state == .closed)
        #expect(record?.failures == 0)
        #expect(record?.lastFailureNs == F.at(10))
        #expect(record?.lastSuccessNs == F.at(41))
        #expect(record?.transitionCount == 3)
    }

    @Test func apply_whenHalfOpen_andProbeFails_reopensBreaker_andMovesLastFailure() {
        let state = F.fold(CircuitBreakersProjection.self, [
            F.breaker(10, "db", .closed, .open, failures: 5),
            F.breaker(40, "db", .open, .halfOpen, failures: 5),
            F.breaker(41, "db", .halfOpen, .open, failures: 6),
        ])
        #expect(state.record(for: "db")?.state == .open)
        #expect(state.record(for: "db")?.lastFailureNs == F.at(41))
    }

    @Test func apply_connectionReport_ofUnknownConnection_startsClosed_withParseRateAndLatency() {
        let state = F.fold(CircuitBreakersProjection.self, [F.report(1, "api", parseRate: 0.95, latencyMs: 12)])
        let view = state.view()
        #expect(view.breakers.count == 1)
        #expect(view.breakers[0].connectionId == "api")
        #expect(view.breakers[0].state == .closed)
        #expect(view.breakers[0].parseRate == 0.95)
        #expect(view.breakers[0].latency == 12)
        #expect(view.closed == 1 && view.open == 0 && view.halfOpen == 0)
    }

    @Test func apply_lateTransition_entersHistoryInTimeOrder_butDoesNotOverturnState() {
        let state = F.fold(CircuitBreakersProjection.self, [
            F.breaker(20, "db", .open, .halfOpen),
            F.breaker(10, "db", .closed, .open, failures: 3),
        ])
        let record = state.record(for: "db")
        #expect(record?.state == .halfOpen)
        #expect(record?.transitions.elements.map(\.timeNs) == [F.at(10), F.at(20)])
        #expect(record?.lastFailureNs == F.at(10))
    }

    @Test func apply_beyondHistoryMax_keepsOnlyNewestTransitions() {
        var events: [Event] = []
        for i in 0..<(CircuitBreakersProjection.transitionHistoryMax + 7) {
            events.append(F.breaker(Double(i), "db", i % 2 == 0 ? .closed : .open, i % 2 == 0 ? .open : .closed))
        }
        let record = F.fold(CircuitBreakersProjection.self, events).record(for: "db")
        #expect(record?.transitions.count == CircuitBreakersProjection.transitionHistoryMax)
        #expect(record?.transitions.droppedCount == 7)
        #expect(record?.transitions.elements.first?.timeNs == F.at(7))
        #expect(record?.transitionCount == UInt64(CircuitBreakersProjection.transitionHistoryMax + 7))
    }

    @Test func view_listsTransitionsNewestFirst_withRFC3339Times() {
        let view = F.fold(CircuitBreakersProjection.self, [
            F.breaker(10, "db", .closed, .open),
            F.breaker(40, "db", .open, .halfOpen),
        ]).view(transitionsLimit: 1)
        #expect(view.breakers[0].transitions.count == 1)
        #expect(view.breakers[0].transitions[0].to == .halfOpen)
        #expect(view.breakers[0].transitions[0].time == "2026-01-01T00:00:40Z")
        #expect(view.breakers[0].lastFailure == "2026-01-01T00:00:10Z")
    }

    @Test func merge_keepsLaterTransition_whicheverSideHoldsIt() {
        let early = F.fold(CircuitBreakersProjection.self, [F.breaker(10, "db", .closed, .open, failures: 4), F.report(11, "db", parseRate: 0.5)])
        let late = F.fold(CircuitBreakersProjection.self, [F.breaker(20, "db", .halfOpen, .closed), F.report(5, "db", parseRate: 0.9)])
        var a = early
        a.merge(late)
        var b = late
        b.merge(early)
        #expect(a == b)
        let record = a.record(for: "db")
        #expect(record?.state == .closed)
        #expect(record?.lastFailureNs == F.at(10))
        #expect(record?.lastSuccessNs == F.at(20))
        #expect(record?.parseRate == 0.5)
        #expect(record?.transitions.elements.map(\.timeNs) == [F.at(10), F.at(20)])
    }

    @Test func merge_ofDisjointConnections_holdsBoth() {
        var a = F.fold(CircuitBreakersProjection.self, [F.breaker(1, "a", .closed, .open)])
        a.merge(F.fold(CircuitBreakersProjection.self, [F.breaker(1, "b", .closed, .open)]))
        #expect(a.connections.keys == ["a", "b"])
    }

    @Test func encoding_isIndependentOfConnectionArrivalOrder() throws {
        let ab = F.fold(CircuitBreakersProjection.self, [F.report(1, "a"), F.report(1, "b")])
        let ba = F.fold(CircuitBreakersProjection.self, [F.report(1, "b"), F.report(1, "a")])
        #expect(ab == ba)
        #expect(try F.encodeSorted(ab) == F.encodeSorted(ba))
        #expect(try F.roundTrips(ab))
    }
}
