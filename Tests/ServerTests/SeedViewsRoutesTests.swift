import EventStore
import Foundation
import Hummingbird
import HummingbirdTesting
import Projections
import Testing
@testable import Server

/// A stream for the connection, performance-alert and heatmap views, in time order
/// from 2026-01-01T10:00:00Z over 90 s (`KnownStream.at`).
enum SeedViewsStream {
    static let ndjson: String = [
        connection("db", 0, tps: 100, load: 40, parseRate: 0.95),
        connection("api", 0, tps: 0, load: 0, parseRate: 1),
        connection("batch", 0, tps: 5, load: 10, parseRate: 1),
        op("GET /a", "http1", 1, ms: 15, ok: true),
        op("GET /a", "http1", 1.5, ms: 25, ok: true),
        op("GET /b", "grpc", 12, ms: 30, ok: true),
        op("GET /b", "grpc", 13, ms: 45, ok: false),
        metric("http_connections_opened_total", #"{"service":"a"}"#, 20, 100, counter: true),
        metric("http_connections", #"{"service":"a","state":"active"}"#, 40, 7),
        metric("http_connections_opened_total", #"{"service":"a"}"#, 50, 130, counter: true),
        op("GET /a", "http1", 75, ms: 600, ok: false),
        connection("db", 80, tps: 120, load: 50, parseRate: 0.95),
        connection("api", 80, tps: 0, load: 0, parseRate: 1),
        connection("cache", 85, tps: 10, load: 5, parseRate: 0.5),
        #"{"type":"breaker","ts":\#(KnownStream.at(86)),"connection":"db","from":"CLOSED","to":"OPEN","failures":5}"#,
        metric("http_connections", #"{"service":"a","state":"active"}"#, 88, 9),
        metric("http_connections", #"{"service":"a","state":"idle"}"#, 88, 3),
        metric("http_connections", #"{"service":"b","state":"active"}"#, 88, 4),
        metric("http_connections_opened_total", #"{"service":"a"}"#, 89, 160, counter: true),
        op("GET /c", "http2", 90, ms: 0.3, ok: true),
    ].joined(separator: "\n")

    static func connection(_ name: String, _ t: Double, tps: Double, load: Double, parseRate: Double) -> String {
        #"{"type":"connection","ts":\#(KnownStream.at(t)),"connection":"\#(name)","monitors":["m"],"load":\#(load),"tps":\#(tps),"parseRate":\#(parseRate),"latencyMs":5}"#
    }

    static func op(_ name: String, _ proto: String, _ t: Double, ms: Double, ok: Bool) -> String {
        #"{"type":"op","ts":\#(KnownStream.at(t)),"name":"\#(name)","protocol":"\#(proto)","durationMs":\#(ms),"ok":\#(ok)}"#
    }

    static func metric(_ name: String, _ labels: String, _ t: Double, _ value: Double, counter: Bool = false) -> String {
        #"{"type":"metric","ts":\#(KnownStream.at(t)),"name":"\#(name)","labels":\#(labels),"value":\#(value),"kind":"\#(counter ? "counter" : "gauge")"}"#
    }
}

@Suite struct SeedViewsRoutesTests {
    private func ingest(_ client: some TestClientProtocol, _ app: TachoApp) async throws {
        try await client.execute(uri: "/api/v1/events", method: .post, body: ByteBuffer(string: SeedViewsStream.ndjson)) { response in
            #expect(response.status == .ok, "\(String(buffer: response.body))")
        }
        #expect(await app.engine.waitUntilIdle())
    }

    private func get(_ client: some TestClientProtocol, _ uri: String) async throws -> [String: Any] {
        try await client.execute(uri: uri, method: .get) { response in
            #expect(response.status == .ok, "GET \(uri): \(String(buffer: response.body))")
            return try jsonObject(String(buffer: response.body))
        }
    }

    private static func close(_ a: Any?, _ b: Double) -> Bool {
        guard let a = a as? Double else { return false }
        return abs(a - b) < 1e-9
    }

    @Test func connectionsMetrics_countReportsAndTheMetricFamily_nowAndAt() async throws {
        try await withRunningEngine { app in
            try await Application(router: app.router()).test(.router) { client in
                try await ingest(client, app)
                let now = try await get(client, "/api/v1/connections/metrics")
                // Reports fresh at 90 s: db (active, breaker open), api (idle), cache (active,
                // parse rate 0.5); batch last reported at 0 s is stale. Family: active 9 + 4,
                // idle 3, opened 30 + 30 within (30 s, 90 s].
                #expect(Self.close(now["active"], 15))
                #expect(Self.close(now["idle"], 4))
                #expect(Self.close(now["total"], 19))
                #expect(Self.close(now["connectionRate"], 61.0 / 60))
                #expect(now["healthStatus"] as? String == "critical")
                let reports = now["reports"] as? [String: Any]
                #expect(reports?["active"] as? Int == 2)
                #expect(reports?["idle"] as? Int == 1)
                #expect(reports?["stale"] as? Int == 1)
                #expect(reports?["openedInWindow"] as? Int == 1)
                #expect(reports?["failed"] as? Int == 1)
                #expect(reports?["degraded"] as? Int == 1)
                #expect(reports?["healthy"] as? Int == 1)
                let metrics = now["metrics"] as? [String: Any]
                #expect(Self.close(metrics?["active"], 13))
                #expect(Self.close(metrics?["idle"], 3))
                #expect(Self.close(metrics?["openedInWindow"], 60))

                // At 55 s: db, api, batch fresh and healthy; the family has 7 active and 30 opened.
                let early = try await get(client, "/api/v1/connections/metrics?at=\(KnownStream.at(55))")
                #expect(Self.close(early["active"], 9))
                #expect(Self.close(early["idle"], 1))
                #expect(Self.close(early["connectionRate"], 33.0 / 60))
                #expect(early["healthStatus"] as? String == "healthy")
                #expect((early["asOf"] as? [String: Any])?["timeNs"] as? Int64 == KnownStream.at(55))
            }
        }
    }

    @Test func performanceAlerts_listTheDefaultRulesThresholdAlerts_withCurrentValues_andAcknowledge() async throws {
        try await withRunningEngine { app in
            try await Application(router: app.router()).test(.router) { client in
                try await ingest(client, app)
                // The default rules raise "throughput-low" (below 400 ops/s for 30 s) and
                // "error-rate-high" (1 failure in 4 operations, 25 % above 5 % for 30 s).
                let list = try await get(client, "/api/v1/alerts/performance")
                let alerts = list["alerts"] as? [[String: Any]] ?? []
                let errorRate = alerts.first { $0["rule"] as? String == "error-rate-high" }
                #expect(errorRate?["metric"] as? String == "errorRatePercent")
                #expect(Self.close(errorRate?["threshold"], 5))
                #expect(errorRate?["comparison"] as? String == "above")
                #expect(Self.close(errorRate?["valueAtRaise"], 25))
                // Now: (30 s, 90 s] holds one failure in two operations.
                #expect(Self.close(errorRate?["currentValue"], 50))
                #expect((errorRate?["resolution"] as? String)?.isEmpty == false)
                #expect((errorRate?["description"] as? String)?.contains("error rate") == true)
                let throughput = alerts.first { $0["rule"] as? String == "throughput-low" }
                #expect(throughput?["metric"] as? String == "throughputOpsPerSecond")
                #expect(Self.close(throughput?["currentValue"], 2.0 / 60))
                #expect(alerts.allSatisfy { $0["metric"] != nil && $0["threshold"] != nil })
                #expect(list["activeCount"] as? Int == alerts.count)

                // Before either rule held for 30 s there is none.
                let early = try await get(client, "/api/v1/alerts/performance?at=\(KnownStream.at(30))")
                #expect((early["alerts"] as? [Any])?.isEmpty == true)

                let id = try #require(errorRate?["id"] as? String)
                let encoded = id.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? id
                try await client.execute(uri: "/api/v1/alerts/performance/\(encoded)/ack?by=ops", method: .post) { response in
                    #expect(response.status == .ok)
                    let answer = try jsonObject(String(buffer: response.body))
                    #expect(answer["appended"] as? String == "alert_ack")
                }
                #expect(await app.engine.waitUntilIdle())
                let after = try await get(client, "/api/v1/alerts/performance")
                let acked = (after["alerts"] as? [[String: Any]])?.first { $0["id"] as? String == id }
                #expect(acked?["status"] as? String == "acknowledged")
                #expect(acked?["acknowledgedBy"] as? String == "ops")
                #expect(after["acknowledgedCount"] as? Int == 1)
                try await client.execute(uri: "/api/v1/alerts/performance/nope/ack", method: .post) { response in
                    #expect(response.status == .notFound)
                }
            }
        }
    }

    @Test func heatmaps_onTheStream_placeEachOperationInItsColumnAndRow_nowAndAt() async throws {
        try await withRunningEngine { app in
            try await Application(router: app.router()).test(.router) { client in
                try await ingest(client, app)
                // 15 m: 90 columns of 10 s ending with the one holding 90 s, so the
                // column of t is floor(t / 10) + 80.
                let latency = try await get(client, "/api/v1/metrics/heatmap/latency?range=15m")
                #expect((latency["columns"] as? [Any])?.count == 90)
                #expect(latency["columnWidthNs"] as? Int64 == 10_000_000_000)
                #expect(latency["totalCount"] as? Int == 6)
                let cells = (latency["cells"] as? [[String: Any]] ?? []).map {
                    [$0["row"] as? Int ?? -1, $0["column"] as? Int ?? -1, $0["count"] as? Int ?? -1]
                }
                // Bands: 0.3 ms → 0–0.5, 15 → 10–20, 25/30/45 → 20–50, 600 → 500–1000.
                #expect(cells == [[0, 89, 1], [5, 80, 1], [6, 80, 1], [6, 81, 2], [10, 87, 1]])
                let pair = (latency["cells"] as? [[String: Any]])?.first { $0["column"] as? Int == 81 }
                #expect(Self.close(pair?["value"], 37.5), "the mean of 30 and 45 ms")
                #expect(pair?["timeNs"] as? Int64 == KnownStream.at(10))

                let throughput = try await get(client, "/api/v1/metrics/heatmap/throughput?range=15m")
                let rows = (throughput["rows"] as? [[String: Any]] ?? []).map { $0["label"] as? String ?? "" }
                #expect(rows == ["GET /a", "GET /b", "GET /c"])
                let first = (throughput["cells"] as? [[String: Any]])?.first
                #expect(first?["row"] as? Int == 0 && first?["column"] as? Int == 80 && first?["count"] as? Int == 2)
                #expect(Self.close(first?["value"], 0.2), "2 operations over 10 s")

                let errors = try await get(client, "/api/v1/metrics/heatmap/errors?range=15m&by=protocol")
                #expect((errors["rows"] as? [[String: Any]] ?? []).map { $0["label"] as? String ?? "" } == ["http1", "grpc", "http2"])
                let errorCells = (errors["cells"] as? [[String: Any]] ?? []).map { [$0["row"] as? Int ?? -1, $0["column"] as? Int ?? -1, $0["count"] as? Int ?? -1] }
                #expect(errorCells == [[0, 80, 0], [0, 87, 1], [1, 81, 1], [2, 89, 0]])
                let grpc = (errors["cells"] as? [[String: Any]])?.first { $0["row"] as? Int == 1 }
                #expect(Self.close(grpc?["value"], 50))

                let hour = try await get(client, "/api/v1/metrics/heatmap/throughput?range=1h")
                #expect((hour["columns"] as? [Any])?.count == 60)
                let hourCell = (hour["cells"] as? [[String: Any]])?.first
                #expect(hourCell?["column"] as? Int == 58 && hourCell?["count"] as? Int == 2)
                #expect(Self.close(hourCell?["value"], 2.0 / 60))
                for range in ["6h", "24h", "7d"] {
                    let wide = try await get(client, "/api/v1/metrics/heatmap/throughput?range=\(range)")
                    #expect(wide["totalCount"] as? Int == 6, "range \(range)")
                }

                // At 50 s the range ends with the column of 50 s (t → floor(t / 10) + 84)
                // and holds the first four operations only.
                let early = try await get(client, "/api/v1/metrics/heatmap/throughput?range=15m&at=\(KnownStream.at(50))")
                #expect(early["totalCount"] as? Int == 4)
                let earlyCells = (early["cells"] as? [[String: Any]] ?? []).map { [$0["row"] as? Int ?? -1, $0["column"] as? Int ?? -1, $0["count"] as? Int ?? -1] }
                #expect(earlyCells == [[0, 84, 2], [1, 85, 2]])

                try await client.execute(uri: "/api/v1/metrics/heatmap/disk", method: .get) { #expect($0.status == .notFound) }
                try await client.execute(uri: "/api/v1/metrics/heatmap/latency?range=2y", method: .get) { #expect($0.status == .badRequest) }
                try await client.execute(uri: "/api/v1/metrics/heatmap/errors?by=host", method: .get) { #expect($0.status == .badRequest) }
            }
        }
    }
}
