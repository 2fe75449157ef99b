import EventStore
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `tacho serve --rules rules.yml`: a Prometheus rule file evaluated live, its
/// alerts appended to the log as `alert`/`alert_resolve` events.
@Suite(.serialized) struct ServeRulesTests {
    static let ruleFile = """
        groups:
          - name: probes
            interval: 1s
            rules:
              - alert: ProbeHigh
                expr: probe_value > 5
                for: 1s
                labels:
                  severity: critical
                annotations:
                  summary: "probe {{ $labels.instance }} at {{ $value }}"

        """

    static var repository: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    }

    /// The alerts view's entries of the rules' kind.
    static func ruleAlerts(_ port: Int) async throws -> [[String: Any]] {
        let body = try await httpRequest(port: port, method: "GET", path: "/api/v1/fault-tolerance/alerts").body
        let alerts = try jsonObject(body)["alerts"] as? [[String: Any]] ?? []
        return alerts.filter { $0["type"] as? String == "prometheus_rule" }
    }

    @Test func aPrometheusRuleFile_firesAfterItsFor_andResolves_asAlertEventsInTheLog() async throws {
        let directory = try TemporaryDirectory("rules")
        defer { directory.remove() }
        let rules = directory.path + "/rules.yml"
        try Self.ruleFile.write(toFile: rules, atomically: true, encoding: .utf8)
        let server = try await ServeProcess(arguments: ["--data", directory.path + "/data", "--port", "0", "--no-collect", "--rules", rules])
        defer { server.signal(SIGKILL) }
        let probe = #"{"type":"metric","name":"probe_value","labels":{"instance":"a"},"value":10}"#
        #expect(try await httpRequest(port: server.port, method: "POST", path: "/api/v1/events", body: probe).status == 200)
        let fired = await poll(timeout: .seconds(20)) { ((try? await Self.ruleAlerts(server.port)) ?? []).contains { $0["status"] as? String == "active" } }
        #expect(fired, "the rule fired")
        let alert = try #require(try await Self.ruleAlerts(server.port).first)
        #expect(alert["message"] as? String == "probe a at 10")
        #expect(alert["severity"] as? String == "critical")
        #expect(alert["id"] as? String == #"probes/{alertname="ProbeHigh", instance="a", severity="critical"}"#)
        // `for: 1s`: raised no earlier than one interval after the sample.
        let low = #"{"type":"metric","name":"probe_value","labels":{"instance":"a"},"value":1}"#
        #expect(try await httpRequest(port: server.port, method: "POST", path: "/api/v1/events", body: low).status == 200)
        let resolved = await poll(timeout: .seconds(20)) { ((try? await Self.ruleAlerts(server.port)) ?? []).contains { $0["status"] as? String == "resolved" } }
        #expect(resolved, "the rule resolved once the value fell")
        server.signal(SIGTERM)
        #expect(try await server.waitForExit(timeout: 20) == 0)
        // In the log: one raise and one resolve, which replay and `?at=` fold like any event.
        // The rule's alone: the built-in rules may raise their own (throughput-low after
        // 30 s of event time, which a slow run's `ALERTS` samples reach).
        let recorded = try Self.ruleAlertEvents(directory.path + "/data")
        #expect(recorded.raised.count == 1)
        #expect(recorded.resolved.filter(recorded.raised.contains).count == 1)
        // The back-test of the same file over the recording finds the same firing and resolution.
        // Evaluated up to now: past the newest sample, where the resolution was recorded.
        let backtest = try await runTool(ServeProcess.binaryPath, [
            "alerts", "backtest", "--rules", rules, "--data", directory.path + "/data", "--to", String(EventTime.nowNs()), "--format", "json", "--quiet",
        ])
        #expect(backtest.status == 0, "\(backtest.output)")
        let diff = try #require(try jsonObject(backtest.output)["diff"] as? [String: Any])
        #expect(diff["matched"] as? Int == 2, "\(backtest.output)")
        #expect((diff["onlyBacktest"] as? [Any])?.isEmpty == true, "\(backtest.output)")
        #expect((diff["onlyRecorded"] as? [Any])?.isEmpty == true, "\(backtest.output)")
    }

    /// The `alert` and `alert_resolve` events of the rules' alerts in a data directory, by id.
    static func ruleAlertEvents(_ data: String) throws -> (raised: [String], resolved: [String]) {
        let log = try ReadOnlyEventLog.open(directory: data)
        let reader = log.reader(from: 0)
        var raised: [String] = []
        var resolved: [String] = []
        while let batch = try reader.next() {
            for event in batch.events {
                switch event.body {
                case .alert(let alert) where alert.kind == "prometheus_rule": raised.append(alert.id)
                case .alertResolve(let resolve): resolved.append(resolve.id)
                default: break
                }
            }
        }
        return (raised, resolved)
    }

    @Test func aRestart_keepsAFiringAlert_withoutRaisingItAgain_andResolvesOneThatEndedWhileDown() async throws {
        let directory = try TemporaryDirectory("rules")
        defer { directory.remove() }
        let rules = directory.path + "/rules.yml"
        let data = directory.path + "/data"
        try Self.ruleFile.write(toFile: rules, atomically: true, encoding: .utf8)
        let arguments = ["--data", data, "--port", "0", "--no-collect", "--rules", rules]
        func probe(_ instance: String, _ value: Double) -> String {
            #"{"type":"metric","name":"probe_value","labels":{"instance":"\#(instance)"},"value":\#(value)}"#
        }
        func isActive(_ port: Int, _ instance: String) async -> Bool {
            ((try? await Self.ruleAlerts(port)) ?? []).contains {
                $0["status"] as? String == "active" && ($0["id"] as? String ?? "").contains(#"instance="\#(instance)""#)
            }
        }
        func isResolved(_ port: Int, _ instance: String) async -> Bool {
            ((try? await Self.ruleAlerts(port)) ?? []).contains {
                $0["status"] as? String == "resolved" && ($0["id"] as? String ?? "").contains(#"instance="\#(instance)""#)
            }
        }

        // Two alerts fire.
        let first = try await ServeProcess(arguments: arguments)
        defer { first.signal(SIGKILL) }
        for instance in ["a", "b"] {
            #expect(try await httpRequest(port: first.port, method: "POST", path: "/api/v1/events", body: probe(instance, 10)).status == 200)
        }
        let bothFired = await poll(timeout: .seconds(20)) {
            let a = await isActive(first.port, "a")
            let b = await isActive(first.port, "b")
            return a && b
        }
        #expect(bothFired, "both fired")
        first.signal(SIGTERM)
        #expect(try await first.waitForExit(timeout: 20) == 0)

        // While the server is down, b's value falls (imported into its directory).
        let low = probe("b", 1).replacingOccurrences(of: "{\"type\"", with: "{\"ts\":\(EventTime.nowNs()),\"type\"")
        let imported = try await TachoCommand.run(["import", "--data", data, "--quiet", "-"], stdin: low + "\n")
        #expect(imported.status == 0, "\(imported.stderr)")

        // Restarted: b is resolved by the restore; a stays firing, not raised again, and
        // resolves when its value falls.
        let second = try await ServeProcess(arguments: arguments)
        defer { second.signal(SIGKILL) }
        let bResolved = await poll(timeout: .seconds(20)) { await isResolved(second.port, "b") }
        #expect(bResolved, "b resolved at restart")
        let aActive = await isActive(second.port, "a")
        #expect(aActive, "a still firing")
        #expect(try await httpRequest(port: second.port, method: "POST", path: "/api/v1/events", body: probe("a", 1)).status == 200)
        let aResolved = await poll(timeout: .seconds(20)) { await isResolved(second.port, "a") }
        #expect(aResolved, "a resolved once its value fell")
        second.signal(SIGTERM)
        #expect(try await second.waitForExit(timeout: 20) == 0)

        let events = try Self.ruleAlertEvents(data)
        #expect(events.raised.count == 2, "one raise per alert across the restart: \(events.raised)")
        #expect(Set(events.raised).count == 2)
        #expect(events.resolved.count == 2, "\(events.resolved)")
        #expect(Set(events.resolved) == Set(events.raised))
    }

    @Test func aBadRuleFile_stopsTheServerAtStart_namingTheRule() async throws {
        let directory = try TemporaryDirectory("rules")
        defer { directory.remove() }
        let rules = directory.path + "/rules.yml"
        try "groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: rate(x[5m]\n".write(toFile: rules, atomically: true, encoding: .utf8)
        let result = try await runTool(ServeProcess.binaryPath, ["serve", "--data", directory.path + "/data", "--port", "0", "--rules", rules])
        #expect(result.status != 0)
        #expect(result.output.contains("--rules \(rules)"), "\(result.output)")
        #expect(result.output.contains("group g"), "\(result.output)")
        let follower = try await runTool(ServeProcess.binaryPath, [
            "serve", "--data", directory.path + "/data", "--port", "0", "--follow", "nats://127.0.0.1:1", "--rules", Self.repository + "/fixtures/rules/example.json",
        ])
        #expect(follower.status != 0)
        #expect(follower.output.contains("evaluate rules on the leader"), "\(follower.output)")
    }
}
