import EventStore
import Foundation
import Testing
@testable import Projections

@Suite struct RulesFileTests {
    static let fixturesURL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("fixtures/rules")

    private func load(_ name: String) throws -> RuleSet {
        try RuleSet(json: String(contentsOf: Self.fixturesURL.appendingPathComponent(name), encoding: .utf8))
    }

    private func refusal(_ json: String) -> RuleFileError? {
        do {
            _ = try RuleSet(json: json)
            return nil
        } catch {
            return error
        }
    }

    private func rule(_ fields: String) -> String {
        #"{"version": 1, "rules": [{"id": "ok", "severity": "info", "condition": {"breaker": "OPEN"}}, {"id": "bad-one", "#
            + fields + "}]}"
    }

    @Test func defaultsFixture_equalsBuiltInDefaults() throws {
        #expect(try load("defaults.json") == RuleSet.defaults)
    }

    @Test func exampleFixture_loadsFigureMetricAndBreakerRules() throws {
        let rules = try load("example.json").rules
        #expect(rules.map(\.id) == ["latency-p95-high", "disk-free-low", "breaker-open-page"])
        #expect(rules[1].condition == .metric(selector: MetricSelector(name: "disk_free_percent", labels: Labels(["mount": "/"])),
                                              comparison: Comparison(.below, 15)))
        #expect(rules[1].forSeconds == 120)
        #expect(rules[1].cooldownSeconds == 600)
        #expect(rules[1].resolveAfterSeconds == 60)
    }

    @Test func jsonText_roundTripsEveryRuleKind() throws {
        let example = try load("example.json")
        #expect(try RuleSet(json: example.jsonText()) == example)
        #expect(try RuleSet(json: RuleSet.defaults.jsonText()) == RuleSet.defaults)
    }

    @Test func defaults_holdTheDocumentedThresholds() {
        let byID = Dictionary(uniqueKeysWithValues: RuleSet.defaults.rules.map { ($0.id, $0) })
        #expect(byID["latency-p99-high"]?.condition == .figure(name: .latencyP99Ms, comparison: Comparison(.above, 150)))
        #expect(byID["latency-p99-high"]?.forSeconds == 30)
        #expect(byID["throughput-low"]?.condition == .figure(name: .throughputOpsPerSecond, comparison: Comparison(.below, 400)))
        #expect(byID["cpu-high"]?.forSeconds == 60)
        #expect(byID["error-rate-high"]?.condition == .figure(name: .errorRatePercent, comparison: Comparison(.above, 5)))
        #expect(byID["memory-available-low"]?.condition == .figure(name: .memoryAvailablePercent, comparison: Comparison(.below, 10)))
        #expect(byID["breaker-open"]?.severity == .critical)
        #expect(byID["breaker-half-open"]?.severity == .warning)
        #expect(byID["cache-hit-rate-low"]?.severity == .warning)
    }

    @Test(arguments: [
        (#""severity": "info", "condition": {"figure": "cpuPercent", "operator": "above"}"#, "condition.threshold"),
        (#""severity": "info", "condition": {"figure": "cpuPercnt", "operator": "above", "threshold": 1}"#, "condition.figure"),
        (#""severity": "info", "condition": {"figure": "cpuPercent", "operator": "over", "threshold": 1}"#, "condition.operator"),
        (#""severity": "loud", "condition": {"breaker": "OPEN"}"#, "severity"),
        (#""severity": "info", "condition": {"breaker": "CLOSED"}"#, "condition.breaker"),
        (#""severity": "info", "condition": {"breaker": "OPEN", "threshold": 3}"#, "condition.threshold"),
        (#""severity": "info", "condition": {"breaker": "OPEN"}, "forSecond": 30"#, "forSecond"),
        (#""severity": "info", "condition": {"breaker": "OPEN"}, "forSeconds": -1"#, "forSeconds"),
        (#""severity": "info", "condition": {"breaker": "OPEN"}, "cooldownSeconds": 1.5"#, "cooldownSeconds"),
        (#""severity": "info", "condition": {"breaker": "OPEN"}, "message": "{value} of {nope}""#, "message"),
        (#""severity": "info", "condition": {"metric": "m", "labels": {"a": 1}, "operator": "above", "threshold": 1}"#, "condition.labels.a"),
        (#""severity": "info", "condition": {"metric": "m", "figure": "cpuPercent", "operator": "above", "threshold": 1}"#, "condition"),
        (#""condition": {"breaker": "OPEN"}"#, "severity"),
    ])
    func load_whenRuleFieldIsBad_refusesNamingRuleAndField(fields: String, field: String) {
        let error = refusal(rule(fields))
        #expect(error?.code == .invalidField)
        #expect(error?.ruleIndex == 1)
        #expect(error?.ruleID == "bad-one")
        #expect(error?.field == field)
        #expect(error?.description.hasPrefix("rule 'bad-one' (rules[1]), field '\(field)': ") == true)
    }

    @Test func load_whenIDsRepeat_refusesTheSecond() {
        let error = refusal(#"[{"id": "a", "severity": "info", "condition": {"breaker": "OPEN"}}, {"id": "a", "severity": "info", "condition": {"breaker": "HALF_OPEN"}}]"#)
        #expect(error?.code == .duplicateID)
        #expect(error?.ruleIndex == 1)
        #expect(error?.field == "id")
    }

    @Test func load_whenIDHasBadCharacters_refusesID() {
        let error = refusal(#"[{"id": "no spaces", "severity": "info", "condition": {"breaker": "OPEN"}}]"#)
        #expect(error?.field == "id")
        #expect(error?.ruleIndex == 0)
    }

    @Test func load_whenNotJSON_orWrongShape_refusesTheFile() {
        #expect(refusal(#"{"rules": [}"#)?.code == .syntax)
        #expect(refusal(#"{"version": 2, "rules": []}"#)?.field == "version")
        #expect(refusal(#"{"rule": []}"#)?.field == "rule")
        #expect(refusal(#"{"version": 1}"#)?.field == "rules")
        #expect(refusal(#""rules""#)?.code == .layout)
    }

    @Test func ruleSet_whenBuiltInCode_validatesLikeAFile() {
        let bad = AlertRule(id: "nan", name: "n", severity: .info,
                            condition: .figure(name: .cpuPercent, comparison: Comparison(.above, .nan)))
        #expect(throws: RuleFileError(code: .invalidField, ruleIndex: 0, ruleID: "nan", field: "condition.threshold",
                                      reason: "must be a finite number")) {
            try RuleSet([bad])
        }
    }
}
