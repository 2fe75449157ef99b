import EventStore
import Foundation
import Testing
@testable import Server
#if canImport(Glibc)
import Glibc
#endif

@Suite(.serialized) struct CrashRecoveryTests {
    static let viewPaths = [
        "/api/v1/health", "/api/v1/fault-tolerance/circuit-breakers", "/api/v1/fault-tolerance/alerts?limit=500",
        "/api/v1/performance/optimization/status", "/api/v1/performance/batch/metrics", "/api/v1/performance/cache/stats",
        "/api/v1/performance/suggestions", "/api/v1/topology", "/api/v1/metrics/rps", "/api/v1/metrics/latency",
        "/api/v1/metrics/protocols", "/api/v1/system/cpu", "/api/v1/system/memory",
    ]

    @Test func killNine_underFsyncAlways_losesNoAcknowledgedEvent_andTheViewsComeBackEqual() async throws {
        let directory = try TemporaryDirectory("crash")
        defer { directory.remove() }
        let arguments = ["--data", directory.path, "--port", "0", "--fsync", "always", "--no-collect", "--retention", "none"]
        let first = try await ServeProcess(arguments: arguments)

        // Acknowledged requests and the offsets the server assigned them.
        var acknowledged: [(lines: String, offsets: ClosedRange<UInt64>)] = []
        let lines = KnownStream.ndjson.split(separator: "\n").map(String.init)
        for chunk in stride(from: 0, to: lines.count, by: 5) {
            let body = lines[chunk..<min(chunk + 5, lines.count)].joined(separator: "\n")
            acknowledged.append((body, try await ingest(port: first.port, body)))
        }
        for index in 0..<10 {
            let body = alertLine("crash-\(index)", atSeconds: 10 + Double(index))
            acknowledged.append((body, try await ingest(port: first.port, body)))
        }
        #expect(try await first.waitUntilIdle())
        var before: [String: String] = [:]
        for path in Self.viewPaths { before[path] = try await httpRequest(port: first.port, method: "GET", path: path).body }

        first.signal(SIGKILL)
        #expect(try await first.waitForExit(timeout: 10) != nil)

        let second = try await ServeProcess(arguments: arguments)
        #expect(try await second.waitUntilIdle())
        for path in Self.viewPaths {
            let after = try await httpRequest(port: second.port, method: "GET", path: path).body
            #expect(after == before[path], "\(path) differs after kill -9 and restart")
        }
        second.signal(SIGTERM)
        #expect(try await second.waitForExit(timeout: 2) == 0, "SIGTERM: exit 0 within 2 s")

        // Every acknowledged event is in the log, at its offsets, as sent.
        let log = try EventLog.open(directory: directory.path)
        var stored: [UInt64: Event] = [:]
        let reader = log.reader(from: 0)
        while let batch = try reader.next() {
            for logged in batch.loggedEvents { stored[logged.offset] = logged.event }
        }
        try await log.close()
        for request in acknowledged {
            let sent = try Array(request.lines.utf8).withUnsafeBytes { bytes in
                try EventJSONDecoder().decode(bytes, defaultTimeNs: 0)
            }
            #expect(sent.count == request.offsets.count)
            for (offset, event) in zip(request.offsets, sent) {
                #expect(stored[offset] == event, "offset \(offset)")
            }
        }
    }

    @Test func sigterm_withStreamsOpen_exitsZeroWithinTwoSeconds_andCheckpoints() async throws {
        let directory = try TemporaryDirectory("sigterm")
        defer { directory.remove() }
        let server = try await ServeProcess(arguments: ["--data", directory.path, "--port", "0", "--no-collect", "--demo"])
        let clients = try (0..<2).map { _ in try SSETestClient(port: server.port) }
        // Both streams are live: each has received a message.
        for client in clients {
            let first = try await offPool { client.next() }
            #expect(first != nil)
        }
        let started = Date()
        server.signal(SIGTERM)
        let status = try await server.waitForExit(timeout: 5)
        #expect(status == 0)
        #expect(Date().timeIntervalSince(started) < 2)
        let checkpoints = try FileManager.default.contentsOfDirectory(atPath: directory.path + "/checkpoints")
        #expect(checkpoints.contains { $0.hasSuffix(".ckpt") })
        let info = try await offPool { clients[0].drain(timeoutMs: 2000) }
        #expect(info.ended)
    }

    private func ingest(port: Int, _ body: String) async throws -> ClosedRange<UInt64> {
        let answer = try await httpRequest(port: port, method: "POST", path: "/api/v1/events", body: body)
        #expect(answer.status == 200, "\(answer.body)")
        let offsets = try jsonObject(answer.body)["offsets"] as? [String: Any]
        let first = try #require(offsets?["first"] as? Int)
        let last = try #require(offsets?["last"] as? Int)
        return UInt64(first)...UInt64(last)
    }
}
