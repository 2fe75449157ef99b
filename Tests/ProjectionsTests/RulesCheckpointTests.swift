import EventStore
import Foundation
import Testing
@testable import Projections

@Suite struct RulesCheckpointTests {
    /// A stream with pending durations, fires, resolutions, cooldowns and breakers,
    /// figures carried in the events themselves (ScriptedFigures), one event per half second.
    static let stream: [LoggedEvent] = {
        var events: [Event] = []
        for step in 0..<200 {
            let seconds = Double(step) / 2
            let p99: Double = (10..<60).contains(step) || (120..<190).contains(step) ? 220 : 90
            events.append(RulesFixture.figure(.latencyP99Ms, p99, at: seconds))
            events.append(RulesFixture.metric("queue_depth", ["q": "a"], step % 50 < 30 ? 40 : 5, at: seconds))
            if step == 20 { events.append(RulesFixture.breaker("db", .closed, .open, at: seconds)) }
            if step == 70 { events.append(RulesFixture.breaker("db", .open, .halfOpen, at: seconds)) }
            if step == 90 { events.append(RulesFixture.breaker("db", .halfOpen, .closed, at: seconds)) }
        }
        return events.enumerated().map { LoggedEvent(offset: UInt64($0.offset), event: $0.element) }
    }()

    static let rules = RulesFixture.rules(
        RulesFixture.p99Rule(forSeconds: 10, cooldownSeconds: 20, resolveAfterSeconds: 3),
        AlertRule(id: "queue", name: "Queue deep", severity: .info,
                  condition: .metric(selector: MetricSelector(name: "queue_depth"), comparison: Comparison(.above, 30)),
                  forSeconds: 5, cooldownSeconds: 4),
        AlertRule(id: "open", name: "Open", severity: .critical, condition: .breaker(entering: .open))
    )

    private func run(_ engine: inout RuleEngine, figures: inout ScriptedFigures, _ events: ArraySlice<LoggedEvent>) -> [Event] {
        var out: [Event] = []
        for logged in events {
            figures.apply(logged.event, offset: logged.offset)
            out += engine.process(logged.event, offset: logged.offset, figures: figures)
        }
        return out
    }

    @Test func checkpoint_restoredMidPending_continuesExactlyAsStraightThrough() throws {
        let all = Self.stream[...]
        var straight = RuleEngine(rules: Self.rules)
        var straightFigures = ScriptedFigures()
        let straightOut = run(&straight, figures: &straightFigures, all)
        #expect(straightOut.count >= 6, "the stream must exercise fires and resolutions")
        let straightBytes = RulesFixture.encoded(straight)

        var sawPendingCut = false
        for cut in stride(from: 1, to: all.count, by: 7) {
            var first = RuleEngine(rules: Self.rules)
            var figures = ScriptedFigures()
            var out = run(&first, figures: &figures, all[..<cut])
            sawPendingCut = sawPendingCut || !first.pendingAlerts.isEmpty
            let checkpoint = RulesFixture.encoded(first)
            var restored = try JSONDecoder().decode(RuleEngine.self, from: checkpoint)
            #expect(restored == first)
            #expect(RulesFixture.encoded(restored) == checkpoint)
            out += run(&restored, figures: &figures, all[cut...])
            #expect(out == straightOut, "alerts differ after a restart at offset \(cut)")
            #expect(RulesFixture.encoded(restored) == straightBytes, "state differs after a restart at offset \(cut)")
        }
        #expect(sawPendingCut, "no cut fell while an alert was pending")
    }

    @Test func encode_afterDecode_isByteEqual() throws {
        var engine = RuleEngine(rules: Self.rules)
        var figures = ScriptedFigures()
        _ = run(&engine, figures: &figures, Self.stream[..<150])
        let once = RulesFixture.encoded(engine)
        let twice = RulesFixture.encoded(try JSONDecoder().decode(RuleEngine.self, from: once))
        #expect(once == twice)
        #expect(!engine.activeAlerts.isEmpty || !engine.pendingAlerts.isEmpty)
    }
}

@Suite struct RulesRandomReplayTests {
    @Test(arguments: [UInt64(1), 2, 3, 4, 5, 6, 7, 8])
    func checkpoint_atRandomCut_ofRandomStream_equalsStraightThrough(seed: UInt64) throws {
        let events = RulesRandomStream.events(count: 600, seed: seed)
        var random = RulesSeededGenerator(seed: seed ^ 0xC0FFEE)
        let cut = Int.random(in: 1..<events.count, using: &random)

        var straight = RuleEngine(rules: RulesRandomStream.rules)
        var figures = ScriptedFigures()
        var straightOut: [Event] = []
        for logged in events {
            figures.apply(logged.event, offset: logged.offset)
            straightOut += straight.process(logged.event, offset: logged.offset, figures: figures)
        }

        var first = RuleEngine(rules: RulesRandomStream.rules)
        var cutFigures = ScriptedFigures()
        var out: [Event] = []
        for logged in events[..<cut] {
            cutFigures.apply(logged.event, offset: logged.offset)
            out += first.process(logged.event, offset: logged.offset, figures: cutFigures)
        }
        var restored = try JSONDecoder().decode(RuleEngine.self, from: RulesFixture.encoded(first))
        for logged in events[cut...] {
            cutFigures.apply(logged.event, offset: logged.offset)
            out += restored.process(logged.event, offset: logged.offset, figures: cutFigures)
        }
        #expect(!straightOut.isEmpty, "seed \(seed): the stream raised nothing")
        #expect(out == straightOut, "seed \(seed), cut \(cut)")
        #expect(RulesFixture.encoded(restored) == RulesFixture.encoded(straight), "seed \(seed), cut \(cut)")
    }
}
