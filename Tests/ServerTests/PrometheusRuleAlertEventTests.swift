import EventStore
@testable import PromQL
@testable import Server
import Testing

/// A Prometheus rule file's alert becomes a log event within `EventDomain`, whatever the
/// size of its labels and annotations (the log refuses an event outside it).
@Suite struct PrometheusRuleAlertEventTests {
    static func transition(_ state: AlertTransition.State, labels: [String: String], annotations: [String: String]) -> AlertTransition {
        AlertTransition(
            group: "probes", rule: "ProbeHigh", state: state, atMs: 1_000,
            labels: PromQL.Labels(labels.merging(["alertname": "ProbeHigh"]) { a, _ in a }), annotations: annotations, value: .infinity)
    }

    @Test func smallLabels_keepTheReadableId_andEveryPartOfTheData() throws {
        let firing = Self.transition(.firing, labels: ["instance": "a"], annotations: ["summary": "high"])
        let event = try #require(LiveAlertRules.event(firing))
        guard case .alert(let alert) = event.body else { Issue.record("not an alert: \(event)"); return }
        #expect(alert.id == #"probes/{alertname="ProbeHigh", instance="a"}"#)
        #expect(alert.message == "high")
        #expect(alert.value == nil)
        #expect(alert.dataJSON == #"{"annotations":{"summary":"high"},"group":"probes","labels":{"alertname":"ProbeHigh","instance":"a"},"rule":"ProbeHigh"}"#)
        #expect(EventDomain.violation(of: event.body) == nil)
    }

    @Test func labelsAndAnnotationsPastAnEventsLimits_giveAnEventTheLogHolds_withTheSameIdWhenResolved() throws {
        var labels: [String: String] = [:]
        for index in 0..<31 { labels["label\(index)"] = String(repeating: "v", count: 256) }
        let summary = String(repeating: "s", count: 10_000)
        let firing = Self.transition(.firing, labels: labels, annotations: ["summary": summary, "description": summary])
        let raised = try #require(LiveAlertRules.event(firing))
        let resolved = try #require(LiveAlertRules.event(Self.transition(.resolved, labels: labels, annotations: [:])))
        #expect(EventDomain.violation(of: raised.body) == nil)
        #expect(EventDomain.violation(of: resolved.body) == nil)
        guard case .alert(let alert) = raised.body, case .alertResolve(let resolve) = resolved.body else {
            Issue.record("not an alert and its resolve"); return
        }
        #expect(alert.id == resolve.id)
        #expect(alert.id.hasPrefix("probes/") && alert.id.utf8.count == "probes/".utf8.count + 16)
        #expect(alert.message.utf8.count == EventLimits.textBytesMax)
        // The annotations went, the labels stayed (they fit alone).
        #expect(alert.dataJSON?.contains("\"annotations\"") == false)
        #expect(alert.dataJSON?.contains("\"label30\"") == true)
    }
}
