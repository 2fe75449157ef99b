import EventStore
import Testing
@testable import Projections

@Suite struct RulesReplayTests {
    /// The live loop: every event goes to the log, then to the projections and the
    /// engine; what the engine emits is appended to the log and comes back through it.
    private func liveLog(_ input: [Event], rules: RuleSet) -> (log: [LoggedEvent], engine: RuleEngine) {
        var log: [LoggedEvent] = []
        var engine = RuleEngine(rules: rules)
        var figures = ScriptedFigures()
        var queue = input[...]
        var echoes: [Event] = []
        while let event = echoes.isEmpty ? queue.popFirst() : echoes.removeFirst() {
            let logged = LoggedEvent(offset: UInt64(log.count), event: event)
            log.append(logged)
            figures.apply(event, offset: logged.offset)
            let emitted = engine.process(event, offset: logged.offset, figures: figures)
            if event.type == .alert || event.type == .alertResolve {
                #expect(emitted.isEmpty, "the engine reacted to an alert event at offset \(logged.offset)")
            }
            echoes += emitted
        }
        return (log, engine)
    }

    @Test func process_ownAlertEventsComingBack_areIgnored_andReplayReproducesThem() {
        let input = RulesCheckpointTests.stream.map(\.event)
        let (log, liveEngine) = liveLog(input, rules: RulesCheckpointTests.rules)
        let recorded = log.map(\.event).filter { $0.type == .alert || $0.type == .alertResolve }
        #expect(recorded.count >= 6)
        #expect(log.count == input.count + recorded.count, "the engine looped on its own events")

        var replay = RuleEngine(rules: RulesCheckpointTests.rules)
        var figures = ScriptedFigures()
        var replayed: [Event] = []
        for logged in log {
            figures.apply(logged.event, offset: logged.offset)
            replayed += replay.process(logged.event, offset: logged.offset, figures: figures)
        }
        #expect(replayed == recorded)
        #expect(replay == liveEngine)
    }

    @Test func process_foreignAlertEvents_changeNothing() {
        var driver = EngineDriver(RulesFixture.rules(RulesFixture.p99Rule(forSeconds: 5)))
        driver.figure(.latencyP99Ms, 200, at: 0)
        let before = driver.engine
        let foreign = Event(timeNs: RulesFixture.ns(9), body: .alert(AlertRaised(id: "x", severity: .critical, kind: "p99", message: "m")))
        #expect(driver.feed(foreign).isEmpty)
        #expect(driver.feed(Event(timeNs: RulesFixture.ns(9), body: .alertResolve(AlertResolve(id: "x")))).isEmpty)
        #expect(driver.feed(Event(timeNs: RulesFixture.ns(9), body: .alertAck(AlertAck(id: "x")))).isEmpty)
        #expect(driver.engine.watermarkNs == before.watermarkNs)
        #expect(driver.engine.pendingAlerts == before.pendingAlerts)
    }
}
