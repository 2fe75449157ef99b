import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
@testable import Server

/// `promtool query instant|range|series|labels`, Prometheus's own API client,
/// pointed at a Tacho test server holding the conformance samples.
@Suite struct PromtoolQueryTests {
    @Test func promtoolQueries_succeedAgainstTacho() async throws {
        guard let promtool = executablePath("promtool") else {
            print("SKIPPED: promtool is not installed (tools/test installs Debian's prometheus)")
            return
        }
        try await withRunningEngine { app in
            try await Application(router: app.router()).test(.live) { client in
                try await ingestConformanceSamples(client, app)
                let server = "http://127.0.0.1:\(client.port!)"

                try await Self.expectInstantAndRangeAnswers(promtool: promtool, server: server)

                let series = try await runTool(promtool, ["query", "series", "--match=queue_depth", "--start=1700000000", "--end=1700003600", server])
                #expect(series.status == 0, "\(series.output)")
                #expect(series.output.split(separator: "\n").count == 3, "\(series.output)")
                #expect(series.output.contains(#"queue="q2""#))

                let labels = try await runTool(promtool, ["query", "labels", "--start=1700000000", "--end=1700003600", server, "room"])
                #expect(labels.status == 0, "\(labels.output)")
                #expect(labels.output.split(separator: "\n").map(String.init) == ["kitchen", "office"])

                // promtool's default window is a year either side of now: these 2023 samples lie outside it.
                let outside = try await runTool(promtool, ["query", "labels", server, "room"])
                #expect(outside.status == 0 && outside.output.isEmpty, "\(outside.output)")

                let bad = try await runTool(promtool, ["query", "instant", server, "sum("])
                #expect(bad.status != 0)
                #expect(bad.output.contains("bad_data"), "\(bad.output)")
            }
        }
    }

    /// `promtool query instant` and `range` over the conformance samples, as JSON: the
    /// instant `sum by (job) (up)` is `{job="api"} 2`, the range `count(up)` 6 points.
    static func expectInstantAndRangeAnswers(promtool: String, server: String) async throws {
        let instant = try await runTool(promtool, ["query", "instant", "-o", "json", "--time=1700000600", server, "sum by (job) (up)"])
        #expect(instant.status == 0, "\(instant.output)")
        let vector = try JSONSerialization.jsonObject(with: Data(instant.output.utf8)) as? [[String: Any]]
        #expect(vector?.first?["metric"] as? [String: String] == ["job": "api"])
        #expect((vector?.first?["value"] as? [Any])?.last as? String == "2")

        let range = try await runTool(promtool, [
            "query", "range", "-o", "json", "--start=1700000600", "--end=1700000900", "--step=1m", server, "count(up)",
        ])
        #expect(range.status == 0, "\(range.output)")
        let matrix = try JSONSerialization.jsonObject(with: Data(range.output.utf8)) as? [[String: Any]]
        #expect((matrix?.first?["values"] as? [Any])?.count == 6)
    }

    /// The same client against a whole `tacho serve` (its services, not a test server
    /// of its router), where the connection's own handler answers the queries.
    @Test func promtoolQueries_succeedAgainstARunningTachoServe() async throws {
        guard let promtool = executablePath("promtool") else {
            print("SKIPPED: promtool is not installed (tools/test installs Debian's prometheus)")
            return
        }
        let live = try await LiveServer.start()
        do {
            _ = try await live.ingest(ConformanceData.ndjson)
            guard await live.app.engine.waitUntilIdle() else { throw ExternalToolError(description: "the engine did not fold the samples in time") }
            let server = "http://127.0.0.1:\(live.port)"
            try await Self.expectInstantAndRangeAnswers(promtool: promtool, server: server)
            let bad = try await runTool(promtool, ["query", "instant", server, "sum("])
            #expect(bad.status != 0)
            #expect(bad.output.contains("bad_data") && bad.output.contains("unclosed left parenthesis"), "\(bad.output)")
        } catch {
            _ = try? await live.stop()
            throw error
        }
        try await live.stop()
    }
}
