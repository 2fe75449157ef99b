import EventStore
import Foundation
import Testing
@testable import Server

/// A real Prometheus 2.x scrapes the test server's own `/metrics` every second and
/// remote-writes what it scraped back to the server's `/api/v1/write`, with the bearer
/// token. Skips with a message when `prometheus` is not installed.
@Suite struct RemoteWritePrometheusTests {
    @Test func prometheus_remoteWrites_seriesArriveWithLabelsTimesAndCounters() async throws {
        guard let binary = ExternalProgram.find("prometheus") else {
            print("SKIP prometheus_remoteWrites: no 'prometheus' on PATH (apt-get install prometheus; tools/test installs it)")
            return
        }
        let server = try await LiveServer.start { $0.token = "s3cret" }
        let work = try TemporaryDirectory("prometheus")
        defer { work.remove() }
        let startedNs = EventTime.nowNs()
        let config = """
            global:
              scrape_interval: 1s
            scrape_configs:
              - job_name: tacho
                static_configs:
                  - targets: ['127.0.0.1:\(server.port)']
            remote_write:
              - url: http://127.0.0.1:\(server.port)/api/v1/write
                authorization:
                  credentials: s3cret
                queue_config:
                  batch_send_deadline: 500ms
                  min_backoff: 50ms
                metadata_config:
                  send_interval: 1s
            """
        try config.write(toFile: work.path + "/prometheus.yml", atomically: true, encoding: .utf8)
        let prometheus = try ExternalProgram(binary, [
            "--config.file=\(work.path)/prometheus.yml", "--storage.tsdb.path=\(work.path)/data",
            "--web.listen-address=127.0.0.1:\(try freeLoopbackPort())",
        ], outputPath: work.path + "/prometheus.log")
        defer { prometheus.stop() }

        let instance = "127.0.0.1:\(server.port)"
        func received() throws -> [(name: String, labels: [String: String], value: Double, kind: MetricKind, timeNs: Int64)] {
            metricSamples(try server.app.engine.loggedEvents().map(\.event))
        }
        // `up` arrives with the first batch; the counter flag needs the metadata request too,
        // or the `_total` naming rule, whichever comes first — both say counter here.
        let arrived = try await poll(timeout: .seconds(60)) {
            let samples = try received()
            return samples.contains { $0.name == "up" && $0.labels["instance"] == instance }
                && samples.contains { $0.name == "tacho_ingest_format_requests_total" && $0.labels["format"] == "remote_write" }
        }
        let samples = try received()
        try await server.stop()
        #expect(arrived, "no remote-written series within 60 s; prometheus said:\n\(prometheus.output.suffix(3000))")
        guard arrived else { return }
        let up = samples.filter { $0.name == "up" }
        #expect(up.allSatisfy { $0.labels == ["job": "tacho", "instance": instance] && $0.value == 1 && $0.kind == .gauge })
        let nowNs = EventTime.nowNs()
        // Prometheus stamps samples with its scrape time, in milliseconds.
        #expect(up.allSatisfy { $0.timeNs >= startedNs - 1_000_000_000 && $0.timeNs <= nowNs && $0.timeNs % 1_000_000 == 0 })
        let requests = samples.filter { $0.name == "tacho_ingest_format_requests_total" && $0.labels["format"] == "remote_write" }
        #expect(requests.allSatisfy { $0.kind == .counter && $0.labels["job"] == "tacho" })
        let views = samples.filter { $0.name == "tacho_sse_clients" }
        #expect(!views.isEmpty && views.allSatisfy { $0.kind == .gauge })
    }
}
