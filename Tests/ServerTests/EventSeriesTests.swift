import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing
@testable import Server

/// Tacho's own events as PromQL series: operations, breakers, caches, connections.
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
}
