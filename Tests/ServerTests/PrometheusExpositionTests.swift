import Foundation
import Testing
@testable import Server

@Suite struct PrometheusExpositionTests {
    @Test func gauge_writesHelpTypeAndLabelledSamples() {
        var exposition = PrometheusExposition()
        exposition.gauge("tacho_breaker_state", help: "Breaker state.", [
            .init(labels: [("connection", "db-primary")], value: 1),
            .init(labels: [("connection", "cache")], value: 0.5),
        ])
        #expect(exposition.text == """
            # HELP tacho_breaker_state Breaker state.
            # TYPE tacho_breaker_state gauge
            tacho_breaker_state{connection="db-primary"} 1
            tacho_breaker_state{connection="cache"} 0.5

            """)
    }

    @Test func counter_withoutTotalSuffix_getsIt() {
        var exposition = PrometheusExposition()
        exposition.counter("tacho_fsyncs", help: "fsyncs.", value: 3)
        #expect(exposition.text == "# HELP tacho_fsyncs_total fsyncs.\n# TYPE tacho_fsyncs_total counter\ntacho_fsyncs_total 3\n")
    }

    @Test func summary_writesQuantileLabelsSumAndCount() {
        var exposition = PrometheusExposition()
        exposition.summary("tacho_latency_ms", help: "Latency.", [
            .init(labels: [("op", "GET /")], quantiles: [(0.5, 12), (0.99, 80.25)], sum: 1000, count: 50),
        ])
        #expect(exposition.text == """
            # HELP tacho_latency_ms Latency.
            # TYPE tacho_latency_ms summary
            tacho_latency_ms{op="GET /",quantile="0.5"} 12
            tacho_latency_ms{op="GET /",quantile="0.99"} 80.25
            tacho_latency_ms_sum{op="GET /"} 1000
            tacho_latency_ms_count{op="GET /"} 50

            """)
    }

    @Test func labelValuesAndHelp_areEscaped() {
        var exposition = PrometheusExposition()
        exposition.gauge("g", help: "a \\ b\nc \"q\"", [.init(labels: [("name", "x\"y\\z\nw")], value: 1)])
        #expect(exposition.text == "# HELP g a \\\\ b\\nc \"q\"\n# TYPE g gauge\ng{name=\"x\\\"y\\\\z\\nw\"} 1\n")
    }

    @Test func illegalNames_areMadeLegal() {
        #expect(PrometheusExposition.metricName("cache-hit.rate") == "cache_hit_rate")
        #expect(PrometheusExposition.metricName("9lives") == "_9lives")
        #expect(PrometheusExposition.metricName("ns:sub_total") == "ns:sub_total")
        #expect(PrometheusExposition.labelName("a:b") == "a_b")
        #expect(PrometheusExposition.labelName("__reserved") == "l__reserved")
    }

    @Test func specialValues_useGoSpelling() {
        #expect(PrometheusExposition.format(.nan) == "NaN")
        #expect(PrometheusExposition.format(.infinity) == "+Inf")
        #expect(PrometheusExposition.format(-.infinity) == "-Inf")
        #expect(PrometheusExposition.format(42) == "42")
        #expect(PrometheusExposition.format(-0.125) == "-0.125")
        #expect(PrometheusExposition.format(1e20) == "1e+20")
    }

    @Test func engineMetrics_writeEveryFamily_withCountsRecorded() {
        let metrics = EngineMetrics()
        metrics.recordAppend(events: 1000, bytes: 5000)
        metrics.recordBatchWritten()
        metrics.recordFsync()
        metrics.recordIngestError(.malformed)
        metrics.recordIngestError(.malformed)
        metrics.sseClientConnected()
        metrics.recordCheckpoint(timeNs: 1_000_000_000)
        var exposition = PrometheusExposition()
        metrics.write(to: &exposition, nowNs: 3_500_000_000)
        let text = exposition.text
        #expect(text.contains("tacho_events_appended_total 1000\n"))
        #expect(text.contains("tacho_bytes_appended_total 5000\n"))
        #expect(text.contains("tacho_batches_written_total 1\n"))
        #expect(text.contains("tacho_fsyncs_total 1\n"))
        #expect(text.contains("tacho_ingest_errors_total{reason=\"malformed\"} 2\n"))
        #expect(text.contains("tacho_ingest_errors_total{reason=\"disk_full\"} 0\n"))
        #expect(text.contains("tacho_sse_clients 1\n"))
        #expect(text.contains("tacho_checkpoint_age_seconds 2.5\n"))
    }

    static let promtoolPath: String? = ["/usr/bin/promtool", "/usr/local/bin/promtool"].first {
        FileManager.default.isExecutableFile(atPath: $0)
    }

    @Test(.enabled(if: promtoolPath != nil, "promtool not installed (Debian package 'prometheus'); skipping the format check"))
    func promtool_acceptsTheOutput() throws {
        let metrics = EngineMetrics()
        metrics.recordAppend(events: 10, bytes: 100)
        var exposition = PrometheusExposition()
        metrics.write(to: &exposition, nowNs: 0)
        exposition.gauge("tacho_health_score", help: "Health score, 0-100.", value: 93.5)
        exposition.gauge("tacho_cache_hit_ratio", help: "Cache hit ratio \"per\" cache\\.", [
            .init(labels: [("cache", "a\"b\\c\nd")], value: 0.9),
        ])
        exposition.summary("tacho_op_latency_seconds", help: "Operation latency.", [
            .init(labels: [("protocol", "http2")], quantiles: [(0.5, 0.001), (0.99, 0.009)], sum: 0.1, count: 20),
        ])
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.promtoolPath!)
        process.arguments = ["check", "metrics"]
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = output
        try process.run()
        input.fileHandleForWriting.write(Data(exposition.text.utf8))
        try input.fileHandleForWriting.close()
        let report = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "promtool check metrics: \(report)")
        #expect(report.isEmpty, "promtool lint findings: \(report)")
    }
}
