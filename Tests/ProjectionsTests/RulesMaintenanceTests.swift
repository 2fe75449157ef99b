import EventStore
import Testing
@testable import Projections

@Suite struct RulesMaintenanceTests {
    @Test func replaceRules_keepsTimersOfUnchangedRules_andResolvesAlertsOfRemovedOnes() throws {
        var driver = EngineDriver(RulesFixture.rules(
            RulesFixture.p99Rule(forSeconds: 10),
            AlertRule(id: "open", name: "Open", severity: .critical, condition: .breaker(entering: .open))
        ))
        driver.feed(RulesFixture.breaker("db", .closed, .open, at: 0))
        for second in 0..<5 { driver.figure(.latencyP99Ms, 200, at: Double(second)) }
        let renamed = AlertRule(id: "p99", name: "Renamed", severity: .critical,
                                condition: RulesFixture.p99Rule().condition, forSeconds: 10)
        let resolutions = driver.engine.replaceRules(try RuleSet([renamed]))
        #expect(resolutions == [Event(timeNs: RulesFixture.ns(4), body: .alertResolve(AlertResolve(id: "open:db@0")))])
        #expect(driver.engine.pendingAlerts.first?.holdingSinceNs == RulesFixture.ns(1), "the pending duration was lost")
        for second in 5...11 { driver.figure(.latencyP99Ms, 200, at: Double(second)) }
        #expect(driver.alerts.last?.severity == .critical)
        #expect(driver.alerts.last?.message.hasPrefix("Renamed:") == true)
    }

    @Test func replaceRules_whenConditionChanged_startsTheRuleAfresh() throws {
        var driver = EngineDriver(RulesFixture.rules(RulesFixture.p99Rule(forSeconds: 0)))
        driver.figure(.latencyP99Ms, 200, at: 0)
        let stricter = AlertRule(id: "p99", name: "High p99", severity: .warning,
                                 condition: .figure(name: .latencyP99Ms, comparison: Comparison(.above, 500)))
        #expect(driver.engine.replaceRules(try RuleSet([stricter])).count == 1)
        #expect(driver.engine.activeAlerts.isEmpty)
    }

    @Test func alertID_whenSubjectIsTooLong_usesItsStableHash() {
        let labels = Labels(Dictionary(uniqueKeysWithValues: (0..<20).map { ("label\($0)", String(repeating: "v", count: 20)) }))
        let id = AlertIdentity.id(ruleID: "r", subject: .series(SeriesKey(name: "m", labels: labels)), offset: 9)
        #expect(id.utf8.count <= EventLimits.nameBytesMax)
        #expect(id.hasPrefix("r:") && id.hasSuffix("@9"))
        #expect(id == AlertIdentity.id(ruleID: "r", subject: .series(SeriesKey(name: "m", labels: labels)), offset: 9))
        #expect(AlertIdentity.fnv1a64Hex("a") == "af63dc4c8601ec8c")
    }

    @Test(arguments: [(182.4, "182.4"), (150, "150"), (0.005, "0.01"), (-2.25, "-2.25"), (-0.001, "0"), (7.05, "7.05"), (1e20, "1e+20")])
    func format_printsAtMostTwoDecimals(value: Double, text: String) {
        #expect(MessageTemplate.format(value) == text)
    }
}
