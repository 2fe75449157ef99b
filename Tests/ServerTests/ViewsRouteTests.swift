import EventStore
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
@testable import Server

@Suite struct ViewsRouteTests {
    static let members: [(name: String, path: String)] = [
        ("health", "/api/v1/health"), ("faultTolerance", "/api/v1/fault-tolerance/status"),
        ("breakers", "/api/v1/fault-tolerance/circuit-breakers"), ("alerts", "/api/v1/fault-tolerance/alerts?limit=200"),
        ("optimization", "/api/v1/performance/optimization/status"), ("batch", "/api/v1/performance/batch/metrics"),
        ("cache", "/api/v1/performance/cache/stats"), ("suggestions", "/api/v1/performance/suggestions"),
        ("topology", "/api/v1/topology"), ("rps", "/api/v1/metrics/rps"), ("latency", "/api/v1/metrics/latency"),
        ("protocols", "/api/v1/metrics/protocols"), ("cpu", "/api/v1/system/cpu"), ("memory", "/api/v1/system/memory"),
        ("connections", "/api/v1/connections/metrics"), ("performanceAlerts", "/api/v1/alerts/performance?limit=200"),
    ]

    /// The JSON of `object[name]` re-encoded with sorted keys, to compare with an endpoint's bytes.
    static func member(_ body: String, _ name: String) throws -> String {
        let object = try jsonObject(body)
        let value = try #require(object[name], "member \(name)")
        let data = try JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .withoutEscapingSlashes, .fragmentsAllowed])
        return String(decoding: data, as: UTF8.self)
    }

    static func normalized(_ body: String) throws -> String {
        let value = try JSONSerialization.jsonObject(with: Data(body.utf8), options: [.fragmentsAllowed])
        let data = try JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .withoutEscapingSlashes, .fragmentsAllowed])
        return String(decoding: data, as: UTF8.self)
    }

    @Test func views_answerEveryViewInOneRequest_eachEqualToItsOwnEndpoint_liveAndAsOfAt() async throws {
        try await withRunningEngine { app in
            try await Application(router: app.router()).test(.router) { client in
                try await client.execute(uri: "/api/v1/events", method: .post, body: ByteBuffer(string: KnownStream.ndjson)) { response in
                    #expect(response.status == .ok)
                }
                #expect(await app.engine.waitUntilIdle())
                for at in ["", EventTime.formatRFC3339(KnownStream.at(2.5))] {
                    let query = at.isEmpty ? "" : "at=\(at)"
                    let all = try await client.execute(uri: "/api/v1/views?limit=200&\(query)", method: .get) { response in
                        #expect(response.status == .ok)
                        return String(buffer: response.body)
                    }
                    // With `heatmap=`, the page's heatmap comes in the same answer (one request per seek).
                    let withHeatmap = try await client.execute(
                        uri: "/api/v1/views?heatmap=throughput&heatmapRange=15m&heatmapBy=protocol&\(query)", method: .get
                    ) { String(buffer: $0.body) }
                    let heatmap = try await client.execute(
                        uri: "/api/v1/metrics/heatmap/throughput?range=15m&by=protocol" + (query.isEmpty ? "" : "&" + query), method: .get
                    ) { String(buffer: $0.body) }
                    #expect(try Self.member(withHeatmap, "heatmap") == Self.normalized(heatmap), "heatmap at '\(at)'")
                    #expect(try jsonObject(all)["heatmap"] == nil, "no heatmap unless asked for")
                    for (name, path) in Self.members {
                        let separator = path.contains("?") ? "&" : "?"
                        let own = try await client.execute(uri: path + (query.isEmpty ? "" : separator + query), method: .get) {
                            String(buffer: $0.body)
                        }
                        #expect(try Self.member(all, name) == Self.normalized(own), "\(name) at '\(at)' differs from \(path)")
                    }
                    let offset = try jsonObject(all)["offset"] as? Int
                    // The newest offset whose event is at or before the time: the rule engine's
                    // alert for the breaker (stamped 2 s, appended last) counts at 2.5 s.
                    let limitNs = at.isEmpty ? Int64.max : KnownStream.at(2.5)
                    let expected = try app.engine.loggedEvents().last { $0.event.timeNs <= limitNs }?.offset
                    #expect(offset.map(UInt64.init) == expected, "views cover offset \(String(describing: offset))")
                    // The optimizer's report at 3 s is in the live answer and not yet at 2.5 s.
                    let optimization = try jsonObject(all)["optimization"] as? [String: Any]
                    #expect((optimization?["mode"] as? String == nil) == !at.isEmpty, "optimization: \(String(describing: optimization))")
                }
                // A bad parameter names itself, as every read does.
                for (uri, parameter) in [("/api/v1/views?at=yesterday", "'at'"), ("/api/v1/views?heatmap=colour", "'heatmap'"),
                                         ("/api/v1/views?heatmap=latency&heatmapRange=2d", "'heatmapRange'")] {
                    try await client.execute(uri: uri, method: .get) { response in
                        #expect(response.status == .badRequest, "\(uri)")
                        #expect(String(buffer: response.body).contains(parameter), "\(uri)")
                    }
                }
            }
        }
    }
}
