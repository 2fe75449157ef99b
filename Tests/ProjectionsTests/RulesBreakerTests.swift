import EventStore
import Testing
@testable import Projections

@Suite struct RulesBreakerTests {
    private func breakerDriver() -> EngineDriver {
        let defaults = RuleSet.defaults.rules.filter { if case .breaker = $0.condition { true } else { false } }
        return EngineDriver(try! RuleSet(defaults))
    }

    @Test func process_whenBreakerEntersOpen_raisesCriticalForThatConnection() {
        var driver = breakerDriver()
        let out = driver.feed(RulesFixture.breaker("db", .closed, .open, failures: 7, at: 1))
        #expect(out.count == 1)
        let alert = driver.alerts.first
        #expect(alert?.id == "breaker-open:db@0")
        #expect(alert?.severity == .critical)
        #expect(alert?.connection == "db")
        #expect(alert?.value == 7)
        #expect(alert?.message == "Circuit breaker open: breaker of connection db entered OPEN after 7 failures")
        #expect(out.first?.timeNs == RulesFixture.ns(1))
    }

    @Test func process_whenBreakerGoesHalfOpen_raisesWarning_andClosedResolvesBoth() {
        var driver = breakerDriver()
        driver.feed(RulesFixture.breaker("db", .closed, .open, at: 1))
        driver.feed(RulesFixture.breaker("db", .open, .halfOpen, at: 31))
        #expect(driver.alerts.map(\.severity) == [.critical, .warning])
        #expect(driver.resolutions.isEmpty)
        driver.feed(RulesFixture.breaker("db", .halfOpen, .closed, at: 32))
        #expect(Set(driver.resolutions.map(\.id)) == ["breaker-open:db@0", "breaker-half-open:db@1"])
        #expect(driver.engine.activeAlerts.isEmpty)
    }

    @Test func process_whenProbeFailsBackToOpen_doesNotRaiseAgain() {
        var driver = breakerDriver()
        driver.feed(RulesFixture.breaker("db", .closed, .open, at: 1))
        driver.feed(RulesFixture.breaker("db", .open, .halfOpen, at: 31))
        driver.feed(RulesFixture.breaker("db", .halfOpen, .open, at: 32))
        #expect(driver.alerts.count == 2)
    }

    @Test func process_breakersOfDifferentConnections_alertIndependently() {
        var driver = breakerDriver()
        driver.feed(RulesFixture.breaker("db", .closed, .open, at: 1))
        driver.feed(RulesFixture.breaker("cache", .closed, .open, at: 2))
        driver.feed(RulesFixture.breaker("db", .open, .closed, at: 3))
        #expect(driver.resolutions.map(\.id) == ["breaker-open:db@0"])
        #expect(driver.engine.activeAlerts.map(\.id) == ["breaker-open:cache@1"])
    }

    @Test func process_whenBreakerClosesWithoutAlert_emitsNothing_andTracksNothing() {
        var driver = breakerDriver()
        driver.feed(RulesFixture.breaker("db", .halfOpen, .closed, at: 1))
        #expect(driver.emitted.isEmpty)
        #expect(driver.engine == RuleEngine(rules: driver.engine.ruleSet).processedCopy(through: 0, watermarkNs: RulesFixture.ns(1)))
    }
}

extension RuleEngine {
    /// An engine with no trackers that has seen offsets up to `offset`, for comparing states.
    fileprivate func processedCopy(through offset: UInt64, watermarkNs: Int64) -> RuleEngine {
        var copy = self
        _ = copy.process(Event(timeNs: watermarkNs, body: .annotation(Annotation(text: ""))), offset: offset, figures: NoFigures())
        return copy
    }
}
