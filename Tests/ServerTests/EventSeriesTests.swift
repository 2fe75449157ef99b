import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing
@testable import Server

/// Tacho's own events as PromQL series: operations, breakers, caches, connections,
/// and the health score the server records.
@Suite struct EventSeriesTests {
    static let baseNs: Int64 = 1_700_000_000_000_000_000

    static var events: String {
        var lines: [String] = []
        for index in 0..<10 {
            let ts = baseNs + Int64(index) * 1_000_000_000
            lines.append(#"{"type":"op","ts":\#(ts),"name":"GET /a","protocol":"http2","durationMs":\#(10 + index),"ok":\#(index != 7)}"#)
        }
        lines.append(#"{"type":"breaker","ts":\#(baseNs + 5_000_000_000),"connection":"db","from":"CLOSED","to":"OPEN","failures":5}"#)
        lines.append(#"{"type":"cache","ts":\#(baseNs + 6_000_000_000),"cache":"pages","hits":90,"misses":10,"evictions":1,"sizeBytes":4096,"entries":12,"compressionRatio":1.5,"avgTTLms":1000}"#)
        return lines.joined(separator: "\n")
    }

    /// The instant query's vector, as (labels, value).
    static func query(_ client: some TestClientProtocol, _ expression: String, atSeconds: Double) async throws -> [([String: String], String)] {
        let uri = "/api/v1/query?" + formQuery([("query", expression), ("time", String(atSeconds))])
        return try await client.execute(uri: uri, method: .get) { response in
            let body = try jsonObject(String(buffer: response.body))
            #expect(body["status"] as? String == "success", "\(expression): \(String(buffer: response.body))")
            let result = (body["data"] as? [String: Any])?["result"] as? [[String: Any]] ?? []
            return result.map { (($0["metric"] as? [String: String]) ?? [:], (($0["value"] as? [Any])?.last as? String) ?? "?") }
        }
    }

    @Test func operationsBreakersAndCaches_answerPromQL_asSeriesOfTheirEvents() async throws {
        try await withRunningEngine { app in
            try await Application(router: app.router()).test(.router) { client in
                let status = try await client.execute(uri: "/api/v1/events", method: .post, body: ByteBuffer(string: Self.events)) { $0.status }
                #expect(status == .ok)
                #expect(await app.engine.waitUntilIdle())
                let at = Double(Self.baseNs) / 1e9 + 9.5
                let count = try await Self.query(client, #"count_over_time(tacho_operation_duration_milliseconds{operation="GET /a"}[1m])"#, atSeconds: at)
                #expect(count.map(\.1).sorted() == ["1", "9"], "nine ok and one failed operation: \(count)")
                let slowest = try await Self.query(client, "max(max_over_time(tacho_operation_duration_milliseconds[1m]))", atSeconds: at)
                #expect(slowest.first?.1 == "19")
                let failed = try await Self.query(client, #"sum by (operation) (count_over_time(tacho_operation_duration_milliseconds{ok="false"}[1m]))"#, atSeconds: at)
                #expect(failed.first?.0 == ["operation": "GET /a"])
                #expect(failed.first?.1 == "1")
                let open = try await Self.query(client, "tacho_breaker_state == 1", atSeconds: at)
                #expect(open.first?.0["connection"] == "db")
                let hitRatio = try await Self.query(client, "tacho_cache_hits / (tacho_cache_hits + tacho_cache_misses)", atSeconds: at)
                #expect(hitRatio.first?.1 == "0.9")
                // Before the breaker opened there is no breaker series.
                #expect(try await Self.query(client, "tacho_breaker_state", atSeconds: Double(Self.baseNs) / 1e9 + 4).isEmpty)
            }
        }
    }

    @Test func theHealthScore_isASeries_recordedEvery15sOfEventTime_withTheScoreTheHealthViewShowed() async throws {
        try await withRunningEngine { app in
            try await Application(router: app.router()).test(.router) { client in
                // 1_700_000_010 s is a multiple of 15 s: operations for 31 s from 5 s before it.
                let start = Self.baseNs + 5_000_000_000
                var lines: [String] = []
                for second in 0...30 {
                    lines.append(#"{"type":"op","ts":\#(start + Int64(second) * 1_000_000_000),"name":"GET /a","durationMs":5,"ok":\#(second % 4 != 0)}"#)
                }
                let status = try await client.execute(uri: "/api/v1/events", method: .post, body: ByteBuffer(string: lines.joined(separator: "\n"))) { $0.status }
                #expect(status == .ok)
                #expect(await app.engine.waitUntilIdle())
                // The score as of 1_700_000_025 s, by PromQL and by the health view as of the same time.
                let at = Double(Self.baseNs) / 1e9 + 25
                let sample = try await Self.query(client, "tacho_health_score", atSeconds: at)
                #expect(sample.count == 1 && sample.first?.0 == ["__name__": "tacho_health_score"], "\(sample)")
                let series = try await client.execute(
                    uri: "/api/v1/query_range?" + formQuery([("query", "tacho_health_score"), ("start", String(at - 30)), ("end", String(at + 20)), ("step", "5")]),
                    method: .get
                ) { response in
                    let body = try jsonObject(String(buffer: response.body))
                    return ((body["data"] as? [String: Any])?["result"] as? [[String: Any]])?.first?["values"] as? [[Any]] ?? []
                }
                // Samples at +10 s and +25 s (the last boundary, +40 s, is not crossed yet):
                // the range's first point is the first boundary's.
                #expect((series.first?.first as? Double) == at - 15, "\(series)")
                let health = try await client.execute(uri: "/api/v1/health?at=\(Self.baseNs + 25_000_000_000 - 1)", method: .get) { response in
                    try jsonObject(String(buffer: response.body))
                }
                let score = try #require(health["score"] as? Double)
                #expect(Double(sample.first?.1 ?? "") == score, "PromQL \(sample), /api/v1/health?at= \(score)")
            }
        }
    }
}
