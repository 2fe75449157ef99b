import EventStore
import Foundation
import PromQL
import Testing
@testable import Server
#if canImport(Glibc)
import Glibc
#endif

/// Prometheus's `/api/v1/rules` and `/api/v1/alerts` for `tacho serve --rules`: the
/// same rule file loaded by a real Prometheus 2.42 and by Tacho, over the same samples
/// (Prometheus scrapes Tacho's `/metrics` and remote-writes what it scraped to Tacho),
/// answer the same groups, rules, states, labels, annotations and alert values, and
/// write the same `ALERTS` and `ALERTS_FOR_STATE` series.
@Suite(.serialized) struct PromRulesAPITests {
    static let ruleFile = """
        groups:
          - name: liveness
            interval: 1s
            rules:
              - alert: TachoUp
                expr: up{job="tacho"} > 0
                labels:
                  severity: page
                annotations:
                  summary: "{{ $labels.instance }} is up at {{ $value }}"
              - alert: TachoUpForAnHour
                expr: up{job="tacho"} == 1
                for: 1h
                keep_firing_for: 5m
              - alert: FiresAfterTwoSeconds
                expr: up{job="tacho"} == 1
                for: 2s
              - alert: NeverFires
                expr: up{job="tacho"} > 5
              - alert: FailsToEvaluate
                expr: '{job="tacho", __name__=~"up|scrape_samples_scraped"}  *  0'

        """

    /// Each rule's `state` and `health` by name (`firing/ok`), once every rule has been evaluated.
    static func states(_ body: String) -> [String: String]? {
        guard let object = try? jsonObject(body), let data = object["data"] as? [String: Any],
              let groups = data["groups"] as? [[String: Any]] else { return nil }
        var states: [String: String] = [:]
        for rule in groups.flatMap({ $0["rules"] as? [[String: Any]] ?? [] }) {
            guard let health = rule["health"] as? String, health != "unknown", let name = rule["name"] as? String else { return nil }
            states[name] = "\(rule["state"] as? String ?? "")/\(health)"
        }
        return states
    }

    @Test func rulesAndAlerts_answerAsPrometheus242_overTheSameSamplesAndRuleFile() async throws {
        guard let binary = ExternalProgram.find("prometheus") else {
            print("SKIP rulesAndAlerts: no 'prometheus' on PATH (apt-get install prometheus; tools/test installs it)")
            return
        }
        let work = try TemporaryDirectory("prom-rules")
        defer { work.remove() }
        let rules = work.path + "/rules.yml"
        try Self.ruleFile.write(toFile: rules, atomically: true, encoding: .utf8)
        let tacho = try await ServeProcess(arguments: ["--data", work.path + "/data", "--port", "0", "--no-collect", "--rules", rules])
        defer { tacho.signal(SIGKILL) }
        let config = """
            global:
              scrape_interval: 1s
              evaluation_interval: 1s
            rule_files: ['\(rules)']
            scrape_configs:
              - job_name: tacho
                static_configs:
                  - targets: ['127.0.0.1:\(tacho.port)']
            remote_write:
              - url: http://127.0.0.1:\(tacho.port)/api/v1/write
                # Tacho writes its own; Prometheus's would be the same series twice.
                write_relabel_configs:
                  - source_labels: [__name__]
                    regex: ALERTS|ALERTS_FOR_STATE
                    action: drop
                queue_config:
                  batch_send_deadline: 200ms
                  min_backoff: 50ms

            """
        let prometheus = try PrometheusPeer.start(binary, config: config, in: work)
        defer { prometheus.program.stop() }

        // The last rule's two series lose their names to `* 0` and collide: an error at
        // every evaluation, which both servers report as the rule's `lastError`.
        let expected = [
            "TachoUp": "firing/ok", "TachoUpForAnHour": "pending/ok", "FiresAfterTwoSeconds": "firing/ok", "NeverFires": "inactive/ok",
            "FailsToEvaluate": "inactive/err",
        ]
        let settled = await poll(timeout: .seconds(60)) {
            guard let fromPrometheus = await loopbackGet(prometheus.port, "/api/v1/rules"),
                  let fromTacho = await loopbackGet(tacho.port, "/api/v1/rules") else { return false }
            return Self.states(fromPrometheus.body) == expected && Self.states(fromTacho.body) == expected
        }
        #expect(settled, "both servers reach the expected states; prometheus said:\n\(prometheus.program.output.suffix(2000))")
        guard settled else { return }

        try await expectSameAnswers(
            ["/api/v1/rules", "/api/v1/alerts", "/api/v1/rules?type=alert", "/api/v1/rules?type=record", "/api/v1/rules?type=bogus"],
            tacho: tacho.port, prometheus: prometheus.port, leavingOut: ["evaluationTime", "lastEvaluation", "activeAt"])
        // The rules' series: `ALERTS` (1 per pending or firing alert, the pending series of
        // `FiresAfterTwoSeconds` ended by a stale marker when it fired) and the label sets
        // of `ALERTS_FOR_STATE` (its values are when each server's evaluation saw the
        // alert go active). Tacho appends them after publishing the states: poll first.
        // Asked two seconds ahead: at a moment before now a server may not have fired
        // yet though its rules API says firing by the time it is asked (its evaluation
        // fell between the whole second and now), and that answer would never change.
        let atS = Int(Date().timeIntervalSince1970) + 2
        let seriesPaths = ["ALERTS", "count by (alertname, alertstate, instance, job, severity) (ALERTS_FOR_STATE)", #"ALERTS{alertstate="pending"}"#]
            .map { "/api/v1/query?" + formQuery([("query", $0), ("time", "\(atS)")]) }
        let written = await poll(timeout: .seconds(10)) {
            guard let ours = await loopbackGet(tacho.port, seriesPaths[0]), let theirs = await loopbackGet(prometheus.port, seriesPaths[0]) else { return false }
            return (try? comparableJSON(ours.body, leavingOut: [])) == (try? comparableJSON(theirs.body, leavingOut: []))
        }
        #expect(written, "ALERTS answers as Prometheus's")
        try await expectSameAnswers(seriesPaths, tacho: tacho.port, prometheus: prometheus.port, leavingOut: [])
        let pendingOnly = try #require(await loopbackGet(tacho.port, seriesPaths[2]))
        #expect(pendingOnly.body.contains("TachoUpForAnHour") && !pendingOnly.body.contains("FiresAfterTwoSeconds"), "\(pendingOnly.body)")
        // Times are RFC 3339 as Go writes them.
        let alertsAnswer = try #require(await loopbackGet(tacho.port, "/api/v1/alerts"))
        let alerts = try #require(try jsonObject(alertsAnswer.body)["data"] as? [String: Any])
        for alert in alerts["alerts"] as? [[String: Any]] ?? [] {
            let activeAt = try #require(alert["activeAt"] as? String)
            #expect(EventTime.parseRFC3339(activeAt) != nil, "\(activeAt)")
        }
    }

    @Test func withoutRuleFiles_rulesAndAlertsAreEmpty_asAPrometheusWithoutRuleFiles() async throws {
        let server = try await LiveServer.start()
        let answers: [(status: Int, body: String)]
        do {
            answers = [
                try await httpRequest(port: server.port, method: "GET", path: "/api/v1/rules"),
                try await httpRequest(port: server.port, method: "POST", path: "/api/v1/alerts"),
                try await httpRequest(port: server.port, method: "GET", path: "/api/v1/rules?type=recording"),
            ]
        } catch {
            _ = try? await server.stop()
            throw error
        }
        _ = try await server.stop()
        #expect(answers[0].status == 200)
        #expect(answers[0].body == #"{"status":"success","data":{"groups":[]}}"#)
        #expect(answers[1].body == #"{"status":"success","data":{"alerts":[]}}"#)
        #expect(answers[2].status == 400)
        #expect(answers[2].body == #"{"status":"error","errorType":"bad_data","error":"invalid parameter \"type\": not supported value \"recording\""}"#)
    }

    @Test(arguments: [
        (1.0, "1e+00"), (0.5, "5e-01"), (123_456.789, "1.23456789e+05"), (-2.5e-7, "-2.5e-07"), (1e100, "1e+100"),
        (0.0, "0e+00"), (12.0, "1.2e+01"), (Double.nan, "NaN"), (-Double.infinity, "-Inf"),
    ])
    func alertValues_areWrittenAsGosShortestExponentForm(value: Double, expected: String) {
        #expect(PromNumber.goExponentFormat(value) == expected)
    }
}
