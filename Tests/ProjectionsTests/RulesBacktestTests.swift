import EventStore
import Testing
@testable import Projections

@Suite struct RulesBacktestTests {
    /// p99 high from 10 s to 59 s, a breaker open from 20 s to 70 s; one event per second.
    static let input: [Event] = (0..<100).flatMap { second -> [Event] in
        var events = [RulesFixture.figure(.latencyP99Ms, (10..<60).contains(second) ? 200 : 100, at: Double(second))]
        if second == 20 { events.append(RulesFixture.breaker("db", .closed, .open, at: Double(second))) }
        if second == 70 { events.append(RulesFixture.breaker("db", .open, .closed, at: Double(second))) }
        return events
    }

    static let liveRules = RulesFixture.rules(
        RulesFixture.p99Rule(forSeconds: 30),
        AlertRule(id: "open", name: "Open", severity: .critical, condition: .breaker(entering: .open))
    )

    /// The input as the live engine would have logged it, alerts included.
    static func recordedLog(rules: RuleSet, extra: [Event] = []) -> [LoggedEvent] {
        var log: [LoggedEvent] = []
        var engine = RuleEngine(rules: rules)
        var figures = ScriptedFigures()
        for event in input + extra {
            var pending = [event]
            while !pending.isEmpty {
                let next = pending.removeFirst()
                let logged = LoggedEvent(offset: UInt64(log.count), event: next)
                log.append(logged)
                figures.apply(next, offset: logged.offset)
                pending += engine.process(next, offset: logged.offset, figures: figures)
            }
        }
        return log
    }

    @Test func backtest_reportsFiredAlertsWithFireAndResolveTimes() {
        let events = Self.input.enumerated().map { LoggedEvent(offset: UInt64($0.offset), event: $0.element) }
        let report = RuleEngine.backtest(rules: Self.liveRules, events: events, figures: ScriptedFigures())
        #expect(report.eventsRead == UInt64(events.count))
        #expect(report.recorded.isEmpty)
        #expect(report.fired.map(\.kind) == ["open", "p99"])
        let open = report.fired[0]
        #expect(open.connection == "db")
        #expect(open.firedAtNs == RulesFixture.ns(20))
        #expect(open.resolvedAtNs == RulesFixture.ns(70))
        let p99 = report.fired[1]
        #expect(p99.firedAtNs == RulesFixture.ns(40))
        #expect(p99.resolvedAtNs == RulesFixture.ns(60))
        #expect(report.diff.onlyBacktest == report.fired)
        #expect(report.finalEngine.activeAlerts.isEmpty)
    }

    @Test func backtest_ofTheRulesThatRan_matchesEveryRecordedAlertByID() {
        let log = Self.recordedLog(rules: Self.liveRules)
        let report = RuleEngine.backtest(rules: Self.liveRules, events: log, figures: ScriptedFigures())
        #expect(report.recorded.count == 2)
        #expect(report.diff.both.count == 2)
        for match in report.diff.both {
            #expect(match.backtest.id == match.recorded.id)
            #expect(match.backtest.firedAtNs == match.recorded.firedAtNs)
            #expect(match.backtest.resolvedAtNs == match.recorded.resolvedAtNs)
            #expect(match.backtest.message == match.recorded.message)
            #expect(match.backtest.firedAtOffset < match.recorded.firedAtOffset, "recorded alerts follow their trigger")
        }
        #expect(report.diff.onlyBacktest.isEmpty)
        #expect(report.diff.onlyRecorded.isEmpty)
    }

    @Test func backtest_ofChangedRules_diffsAgainstRecordedAlerts() {
        let foreign = Event(timeNs: RulesFixture.ns(99), body: .alert(AlertRaised(id: "ext-1", severity: .info, kind: "deploy", message: "m")))
        let log = Self.recordedLog(rules: Self.liveRules, extra: [foreign])
        let stricter = RulesFixture.rules(
            AlertRule(id: "p99", name: "High p99", severity: .warning,
                      condition: .figure(name: .latencyP99Ms, comparison: Comparison(.above, 150)), forSeconds: 35),
            AlertRule(id: "p99-any", name: "Any p99", severity: .info,
                      condition: .figure(name: .latencyP99Ms, comparison: Comparison(.above, 50)))
        )
        let exact = RuleEngine.backtest(rules: stricter, events: log, figures: ScriptedFigures())
        #expect(exact.diff.both.isEmpty)
        #expect(exact.diff.onlyBacktest.map(\.kind) == ["p99-any", "p99"])
        #expect(exact.diff.onlyRecorded.map(\.id) == ["open:db@21", "p99@42", "ext-1"])

        let tolerant = RuleEngine.backtest(rules: stricter, events: log, figures: ScriptedFigures(), toleranceSeconds: 5)
        #expect(tolerant.diff.both.map(\.recorded.id) == ["p99@42"])
        #expect(tolerant.diff.both.first?.backtest.firedAtNs == RulesFixture.ns(45))
        #expect(tolerant.diff.onlyBacktest.map(\.kind) == ["p99-any"])
        #expect(tolerant.diff.onlyRecorded.map(\.id) == ["open:db@21", "ext-1"])
    }

    @Test func backtest_withAdvanceClosure_foldsFiguresBeforeEachEvaluation() {
        let events = Self.input.enumerated().map { LoggedEvent(offset: UInt64($0.offset), event: $0.element) }
        var folds = 0
        let report = RuleEngine.backtest(rules: Self.liveRules, events: events, figures: ScriptedFigures()) { figures, logged in
            folds += 1
            figures.apply(logged.event, offset: logged.offset)
        }
        #expect(folds == events.count)
        #expect(report.fired.count == 2)
    }
}
