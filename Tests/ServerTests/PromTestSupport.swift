import AsyncHTTPClient
import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import PromQL
@testable import Server
#if canImport(Glibc)
import Glibc
#endif

/// The conformance samples as Tacho ingest NDJSON: `*_total`, `*_bucket`, `*_sum`
/// and `*_count` series are counters.
extension ConformanceData {
    static var ndjson: String {
        var lines: [String] = []
        for entry in series {
            let name = entry.labels.metric
            let kind = ["_total", "_bucket", "_sum", "_count"].contains { name.hasSuffix($0) } ? "counter" : "gauge"
            let labels = entry.labels.pairs.filter { $0.name != Labels.metricName }
                .map { "\"\($0.name)\":\"\($0.value)\"" }.joined(separator: ",")
            for sample in entry.samples {
                lines.append(#"{"type":"metric","ts":\#(sample.timestampMs * 1_000_000),"name":"\#(name)","labels":{\#(labels)},"value":\#(sample.value),"kind":"\#(kind)"}"#)
            }
        }
        return lines.joined(separator: "\n")
    }

    /// The expressions of fixtures/promql/conformance.txt.
    static func expressions() throws -> [String] {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("fixtures/promql/conformance.txt").path
        return try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map(String.init)
            .filter { !$0.isEmpty && !$0.hasPrefix("#") }
    }
}

/// Ingests the conformance samples into a running test app and waits for the fold.
func ingestConformanceSamples(_ client: some TestClientProtocol, _ app: TachoApp) async throws {
    let status = try await client.execute(uri: "/api/v1/events", method: .post, body: ByteBuffer(string: ConformanceData.ndjson)) { $0.status }
    guard status == .ok else { throw ExternalToolError(description: "ingesting the conformance samples answered \(status)") }
    guard await app.engine.waitUntilIdle() else { throw ExternalToolError(description: "the engine did not fold the samples in time") }
}

struct ExternalToolError: Error, CustomStringConvertible {
    let description: String
}

/// Where `name` is on PATH, nil when it is not installed.
func executablePath(_ name: String) -> String? {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
    for directory in path.split(separator: ":") {
        let candidate = "\(directory)/\(name)"
        if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
    }
    return nil
}

/// Runs a program to completion within `timeoutSeconds`; its exit status and output.
func runTool(_ executable: String, _ arguments: [String], timeoutSeconds: Double = 60) async throws -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    let output = Pipe()
    process.standardOutput = output
    process.standardError = output
    try process.run()
    // Read while it runs so a full pipe cannot block it.
    let reading = Task.detached { output.fileHandleForReading.readDataToEndOfFile() }
    let deadline = ContinuousClock.now + .milliseconds(Int(timeoutSeconds * 1000))
    while process.isRunning, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
    if process.isRunning {
        process.terminate()
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        throw ExternalToolError(description: "\(executable) \(arguments.joined(separator: " ")) ran over \(timeoutSeconds) s")
    }
    let text = String(decoding: await reading.value, as: UTF8.self)
    return (process.terminationStatus, text)
}

// freeLoopbackPort() is in ForeignIngestSupport.swift, shared by the tests that start external programs.

/// GET `url` with a deadline; the status and body.
func httpGet(_ url: String, timeoutSeconds: Int64 = 30) async throws -> (status: Int, body: String) {
    let request = HTTPClientRequest(url: url)
    let response = try await HTTPClient.shared.execute(request, timeout: .seconds(timeoutSeconds))
    let body = try await response.body.collect(upTo: 64 << 20)
    return (Int(response.status.code), String(buffer: body))
}

/// A Prometheus 2.42 server over blocks made from OpenMetrics text by promtool,
/// on a free loopback port. `stop()` must be called on every path (it is bounded).
final class PrometheusServer: @unchecked Sendable {
    let port: Int
    let directory: TemporaryDirectory
    private let process: Process

    /// Nil (with the reason printed) when prometheus or promtool is not installed.
    static func start(openMetrics: String) async throws -> PrometheusServer? {
        guard let prometheus = executablePath("prometheus"), let promtool = executablePath("promtool") else {
            print("SKIPPED: prometheus and promtool are not installed (tools/test installs Debian's prometheus)")
            return nil
        }
        let directory = try TemporaryDirectory("prometheus")
        do {
            let input = directory.path + "/samples.om"
            try openMetrics.write(toFile: input, atomically: true, encoding: .utf8)
            let created = try await runTool(promtool, ["tsdb", "create-blocks-from", "openmetrics", input, directory.path + "/tsdb"])
            guard created.status == 0 else { throw ExternalToolError(description: "promtool create-blocks-from failed: \(created.output)") }
            try "global:\n  scrape_interval: 1h\n".write(toFile: directory.path + "/prometheus.yml", atomically: true, encoding: .utf8)
            let port = try freeLoopbackPort()
            let process = Process()
            // A shell watches this test process: if it dies without calling stop(),
            // Prometheus is ended anyway instead of outliving the suite.
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = [
                "-c", Self.watchdog, "prometheus-watchdog", String(getpid()), prometheus,
                "--storage.tsdb.path=\(directory.path)/tsdb", "--config.file=\(directory.path)/prometheus.yml",
                "--web.listen-address=127.0.0.1:\(port)", "--storage.tsdb.retention.time=100y", "--log.level=warn",
            ]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            let server = PrometheusServer(port: port, directory: directory, process: process)
            let deadline = ContinuousClock.now + .seconds(30)
            while ContinuousClock.now < deadline {
                if let ready = try? await httpGet("http://127.0.0.1:\(port)/-/ready", timeoutSeconds: 2), ready.status == 200 { return server }
                guard process.isRunning else { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            server.stop()
            throw ExternalToolError(description: "prometheus did not become ready on port \(port) within 30 s")
        } catch {
            directory.remove()
            throw error
        }
    }

    /// `sh -c` script: $1 is the pid to outlive, the rest the command. Ends the command
    /// on SIGTERM or once $1 is gone.
    private static let watchdog = #"""
        parent=$1; shift
        "$@" & child=$!
        trap 'kill $child 2>/dev/null; wait $child; exit 0' TERM INT
        while kill -0 "$parent" 2>/dev/null && kill -0 $child 2>/dev/null; do sleep 0.5; done
        kill $child 2>/dev/null; wait $child
        """#

    private init(port: Int, directory: TemporaryDirectory, process: Process) {
        self.port = port
        self.directory = directory
        self.process = process
    }

    func stop() {
        if process.isRunning {
            process.terminate()
            let deadline = Date().addingTimeInterval(5)
            while process.isRunning, Date() < deadline { usleep(20_000) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
        }
        directory.remove()
    }

    func get(_ pathAndQuery: String) async throws -> String {
        try await httpGet("http://127.0.0.1:\(port)\(pathAndQuery)").body
    }
}

/// `a=b&c=d` with every value percent-encoded.
func formQuery(_ pairs: [(String, String)]) -> String {
    var allowed = CharacterSet.alphanumerics
    allowed.insert(charactersIn: "-._~")
    return pairs.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed)!)" }.joined(separator: "&")
}
