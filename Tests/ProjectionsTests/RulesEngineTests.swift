import EventStore
import Testing
@testable import Projections

@Suite struct RulesEngineTests {
    @Test func process_whenFigureHoldsForTheFullDuration_firesOnceWithDerivedID() {
        var driver = EngineDriver(RulesFixture.rules(RulesFixture.p99Rule(forSeconds: 30)))
        for second in 0..<30 {
            #expect(driver.figure(.latencyP99Ms, 200, at: Double(second)).isEmpty, "fired early at \(second) s")
        }
        let fired = driver.figure(.latencyP99Ms, 182.4, at: 30)
        #expect(fired.count == 1)
        #expect(fired.first?.timeNs == RulesFixture.ns(30))
        let alert = driver.alerts.first
        #expect(alert?.id == "p99@30")
        #expect(alert?.kind == "p99")
        #expect(alert?.severity == .warning)
        #expect(alert?.metric == "latencyP99Ms")
        #expect(alert?.threshold == 150)
        #expect(alert?.value == 182.4)
        #expect(alert?.message == "High p99: latencyP99Ms is 182.4, above 150 for 30 s")
        for second in 31..<40 { driver.figure(.latencyP99Ms, 200, at: Double(second)) }
        #expect(driver.alerts.count == 1)
        #expect(driver.engine.activeAlerts.map(\.id) == ["p99@30"])
    }

    @Test func process_whenConditionBreaksBeforeTheDuration_restartsTheDuration() {
        var driver = EngineDriver(RulesFixture.rules(RulesFixture.p99Rule(forSeconds: 30)))
        for second in 0...20 { driver.figure(.latencyP99Ms, 200, at: Double(second)) }
        driver.figure(.latencyP99Ms, 100, at: 21)
        for second in 22..<52 { driver.figure(.latencyP99Ms, 200, at: Double(second)) }
        #expect(driver.alerts.isEmpty)
        #expect(driver.engine.pendingAlerts.first?.firesAtNs == RulesFixture.ns(52))
        driver.figure(.latencyP99Ms, 200, at: 52)
        #expect(driver.emitted.first?.timeNs == RulesFixture.ns(52))
    }

    @Test func process_whenValueEqualsThreshold_doesNotFire() {
        var driver = EngineDriver(RulesFixture.rules(RulesFixture.p99Rule(forSeconds: 0)))
        for second in 0..<5 { driver.figure(.latencyP99Ms, 150, at: Double(second)) }
        #expect(driver.emitted.isEmpty)
    }

    @Test func process_whenConditionClears_resolvesAfterResolveDelay() {
        var driver = EngineDriver(RulesFixture.rules(RulesFixture.p99Rule(forSeconds: 0, resolveAfterSeconds: 5)))
        driver.figure(.latencyP99Ms, 200, at: 0)
        for second in 1...4 { driver.figure(.latencyP99Ms, 100, at: Double(second)) }
        driver.figure(.latencyP99Ms, 200, at: 5)
        for second in 6...10 { driver.figure(.latencyP99Ms, 100, at: Double(second)) }
        #expect(driver.resolutions.isEmpty)
        driver.figure(.latencyP99Ms, 100, at: 11)
        #expect(driver.resolutions.map(\.id) == ["p99@0"])
        #expect(driver.resolutions.first?.timeNs == RulesFixture.ns(11))
        #expect(driver.engine.activeAlerts.isEmpty)
    }

    @Test func process_whenFigureHasNoData_doesNotFire_andResolvesActiveAlert() {
        var driver = EngineDriver(RulesFixture.rules(RulesFixture.p99Rule(forSeconds: 0)))
        driver.figure(.latencyP99Ms, nil, at: 0)
        #expect(driver.emitted.isEmpty)
        driver.figure(.latencyP99Ms, 300, at: 1)
        driver.figure(.latencyP99Ms, .nan, at: 2)
        #expect(driver.alerts.count == 1)
        #expect(driver.resolutions.map(\.id) == ["p99@1"])
    }

    @Test func process_whenInCooldown_suppressesRefireUntilCooldownEnds() {
        var driver = EngineDriver(RulesFixture.rules(RulesFixture.p99Rule(forSeconds: 0, cooldownSeconds: 60)))
        driver.figure(.latencyP99Ms, 200, at: 0)
        driver.figure(.latencyP99Ms, 100, at: 10)
        #expect(driver.resolutions.count == 1)
        for second in 11..<70 { driver.figure(.latencyP99Ms, 200, at: Double(second)) }
        #expect(driver.alerts.count == 1, "re-fired during cooldown")
        #expect(driver.engine.pendingAlerts.first?.firesAtNs == RulesFixture.ns(70))
        let refired = driver.figure(.latencyP99Ms, 200, at: 70)
        #expect(refired.first?.timeNs == RulesFixture.ns(70))
        #expect(driver.alerts.map(\.id) == ["p99@0", "p99@61"], "ids carry the triggering offset")
    }

    @Test func process_evaluatesFiguresOncePerEventSecond() {
        var driver = EngineDriver(RulesFixture.rules(RulesFixture.p99Rule(forSeconds: 0)))
        driver.figure(.latencyP99Ms, 100, at: 0)
        driver.figure(.latencyP99Ms, 200, at: 0.5)
        #expect(driver.emitted.isEmpty, "figures are read at the first event of a second only")
        driver.figure(.latencyP99Ms, 200, at: 1)
        #expect(driver.alerts.map(\.id) == ["p99@2"])
    }

    @Test func process_metricRule_firesPerMatchingSeries() {
        let rule = AlertRule(id: "cpu", name: "Core hot", severity: .critical,
                             condition: .metric(selector: MetricSelector(name: "cpu_percent", labels: Labels(["host": "a"])),
                                                comparison: Comparison(.above, 90)),
                             forSeconds: 10)
        var driver = EngineDriver(RulesFixture.rules(rule))
        for second in 0...10 {
            driver.feed(RulesFixture.metric("cpu_percent", ["core": "0", "host": "a"], 95, at: Double(second)))
            driver.feed(RulesFixture.metric("cpu_percent", ["core": "1", "host": "a"], 50, at: Double(second)))
            driver.feed(RulesFixture.metric("cpu_percent", ["core": "2", "host": "b"], 99, at: Double(second)))
            driver.feed(RulesFixture.metric("gpu_percent", ["core": "3", "host": "a"], 99, at: Double(second)))
        }
        #expect(driver.alerts.count == 1)
        let alert = driver.alerts.first
        #expect(alert?.id == "cpu:cpu_percent{core=\"0\",host=\"a\"}@40")
        #expect(alert?.metric == "cpu_percent")
        #expect(alert?.dataJSON == #"{"forSeconds":10,"labels":{"core":"0","host":"a"},"operator":"above","rule":"cpu"}"#)
        #expect(driver.engine.activeAlerts.first?.subject == .series(SeriesKey(name: "cpu_percent", labels: Labels(["core": "0", "host": "a"]))))
    }

    @Test func process_metricRule_whenSeriesGoesStale_resolves() {
        let rule = AlertRule(id: "q", name: "Queue deep", severity: .info,
                             condition: .metric(selector: MetricSelector(name: "queue_depth"), comparison: Comparison(.above, 10)))
        var driver = EngineDriver(RulesFixture.rules(rule))
        driver.feed(RulesFixture.metric("queue_depth", [:], 20, at: 0))
        #expect(driver.alerts.count == 1)
        driver.feed(RulesFixture.tick(at: 299))
        #expect(driver.resolutions.isEmpty)
        driver.feed(RulesFixture.tick(at: 300))
        #expect(driver.resolutions.map(\.id) == ["q:queue_depth@0"])
        #expect(driver.engine.activeAlerts.isEmpty)
    }

    @Test func process_whenOffsetAlreadyProcessed_skipsEvent() {
        var engine = RuleEngine(rules: RulesFixture.rules(RulesFixture.p99Rule(forSeconds: 0)))
        let figures = StubFigures(values: [.latencyP99Ms: 200])
        #expect(engine.process(RulesFixture.tick(at: 0), offset: 5, figures: figures).count == 1)
        let before = engine
        #expect(engine.process(RulesFixture.tick(at: 10), offset: 5, figures: StubFigures()).isEmpty)
        #expect(engine.process(RulesFixture.tick(at: 10), offset: 3, figures: StubFigures()).isEmpty)
        #expect(engine == before)
    }

    @Test func process_whenEventIsLate_doesNotMoveTimersBackwards() {
        var driver = EngineDriver(RulesFixture.rules(RulesFixture.p99Rule(forSeconds: 10)))
        driver.figure(.latencyP99Ms, 200, at: 0)
        driver.figure(.latencyP99Ms, 200, at: 9)
        driver.figure(.latencyP99Ms, 200, at: 3)
        #expect(driver.engine.watermarkNs == RulesFixture.ns(9))
        driver.figure(.latencyP99Ms, 200, at: 10)
        #expect(driver.alerts.map(\.id) == ["p99@3"])
    }
}
