import EventStore
import Foundation
import Testing
@testable import Server

/// `tacho serve --scrape` against a real Python `prometheus_client` exposition.
/// Skips with a message when python3 or the package is missing.
@Suite struct ScrapeProcessTests {
    static let exporter = """
        import sys, time
        from prometheus_client import start_http_server, Counter, Gauge, Histogram
        jobs = Counter('jobs_processed', 'Jobs processed.', ['queue'])
        depth = Gauge('queue_depth', 'Jobs waiting.')
        seconds = Histogram('job_seconds', 'Time per job.', buckets=[0.1, 1])
        jobs.labels(queue='fast').inc(3)
        depth.set(7)
        seconds.observe(0.5)
        start_http_server(int(sys.argv[1]), addr='127.0.0.1')
        print('exporting', flush=True)
        while True:
            time.sleep(60)
        """

    /// The metric samples in a data directory another process is writing; what is
    /// readable so far (a batch being written is not yet).
    static func samplesIn(_ directory: String) -> [(name: String, labels: [String: String], value: Double, kind: MetricKind, timeNs: Int64)] {
        guard let log = try? ReadOnlyEventLog.open(directory: directory) else { return [] }
        let reader = log.reader()
        var events: [Event] = []
        while let batch = try? reader.next() { events += batch.events }
        return metricSamples(events)
    }

    @Test func serveScrape_pullsAPythonExporter_withJobInstanceUpAndCounters() async throws {
        guard let python = ExternalProgram.find("python3") else {
            print("SKIP serveScrape: no python3 on PATH")
            return
        }
        let work = try TemporaryDirectory("scrape")
        defer { work.remove() }
        let check = try ExternalProgram(python, ["-c", "import prometheus_client"], outputPath: work.path + "/check.log")
        check.process.waitUntilExit()
        guard check.process.terminationStatus == 0 else {
            print("SKIP serveScrape: python3 has no prometheus_client (python3 -m pip install prometheus-client; tools/test installs it)")
            return
        }
        try Self.exporter.write(toFile: work.path + "/exporter.py", atomically: true, encoding: .utf8)
        let exporterPort = try freeLoopbackPort()
        let exporter = try ExternalProgram(python, [work.path + "/exporter.py", "\(exporterPort)"], outputPath: work.path + "/exporter.log")
        defer { exporter.stop() }
        #expect(await poll(timeout: .seconds(20)) { exporter.output.contains("exporting") }, "exporter: \(exporter.output)")

        let data = work.path + "/data"
        let tacho = try await ServeProcess(arguments: [
            "--data", data, "--port", "0", "--no-collect", "--scrape", "http://127.0.0.1:\(exporterPort)/metrics",
            "--scrape-interval", "200ms", "--scrape-timeout", "150ms", "--scrape-job", "worker",
        ])
        let instance = "127.0.0.1:\(exporterPort)"
        let arrived = await poll(timeout: .seconds(30)) {
            Self.samplesIn(data).contains { $0.name == "jobs_processed_total" } && Self.samplesIn(data).contains { $0.name == "up" }
        }
        tacho.signal(SIGTERM)
        #expect(try await tacho.waitForExit(timeout: 20) == 0)
        #expect(arrived, "no scraped series within 30 s")
        let samples = Self.samplesIn(data)
        let jobs = samples.filter { $0.name == "jobs_processed_total" }
        #expect(!jobs.isEmpty && jobs.allSatisfy {
            $0.value == 3 && $0.kind == .counter && $0.labels == ["queue": "fast", "job": "worker", "instance": instance]
        })
        #expect(samples.contains { $0.name == "queue_depth" && $0.value == 7 && $0.kind == .gauge })
        let bucket = samples.first { $0.name == "job_seconds_bucket" && $0.labels["le"] == "1.0" }
        #expect(bucket?.value == 1 && bucket?.kind == .counter)
        #expect(samples.contains { $0.name == "job_seconds_count" && $0.value == 1 && $0.kind == .counter })
        let up = samples.filter { $0.name == "up" }
        #expect(!up.isEmpty && up.allSatisfy { $0.value == 1 && $0.labels == ["job": "worker", "instance": instance] })
        #expect(samples.contains { $0.name == "scrape_duration_seconds" && $0.value > 0 && $0.value < 0.15 })
        // Every sample of one scrape carries that scrape's start time.
        if let first = jobs.first { #expect(samples.contains { $0.name == "up" && $0.timeNs == first.timeNs }) }
    }

    @Test func unreachableTarget_isUpZero_andServerCarriesOn() async throws {
        let work = try TemporaryDirectory("scrape-down")
        defer { work.remove() }
        let data = work.path + "/data"
        let port = try freeLoopbackPort()
        let tacho = try await ServeProcess(arguments: [
            "--data", data, "--port", "0", "--no-collect", "--scrape", "http://127.0.0.1:\(port)/metrics", "--scrape-interval", "100ms",
            "--scrape-timeout", "100ms",
        ])
        let arrived = await poll(timeout: .seconds(30)) { Self.samplesIn(data).filter { $0.name == "up" }.count >= 2 }
        let status = try await httpRequest(port: tacho.port, method: "GET", path: "/metrics")
        tacho.signal(SIGTERM)
        #expect(try await tacho.waitForExit(timeout: 20) == 0)
        #expect(arrived)
        #expect(Self.samplesIn(data).filter { $0.name == "up" }.allSatisfy { $0.value == 0 && $0.labels["job"] == "scrape" })
        #expect(status.body.contains(#"tacho_ingest_format_requests_total{format="scrape"}"#))
    }
}
