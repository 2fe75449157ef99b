import EventStore
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Sharding against the real thing: two leaders each own a JetStream stream on a
/// 3-node nats-server cluster (sources split by a region label), one follower follows
/// both and serves their views merged. The oracle is a third, standalone node that
/// took every event of both regions in one log: where the merge is exact (DESIGN:
/// counts add, HDR histograms merge, breakers keep the later transition, alerts and
/// topology union) the follower's answers must equal it.
@Suite(.serialized) struct ShardedFollowerTests {
    /// One region's events: its own connections, operations, breaker, cache, series,
    /// batch and optimizer reports and annotation, at `offset` seconds into the known
    /// stream's time.
    static func region(_ name: String, offset: Double, failing: Bool) -> [String] {
        func at(_ seconds: Double) -> Int64 { KnownStream.at(offset + seconds) }
        var lines = [
            #"{"type":"connection","ts":\#(at(0)),"connection":"\#(name)-db","monitors":["m-\#(name)"],"load":40,"tps":100,"parseRate":0.95,"latencyMs":12}"#,
            #"{"type":"connection","ts":\#(at(0)),"connection":"\#(name)-api","monitors":["m-\#(name)"],"load":20,"tps":50,"parseRate":1,"latencyMs":5}"#,
            #"{"type":"cache","ts":\#(at(2)),"cache":"\#(name)-users","hits":50,"misses":\#(failing ? 150 : 50),"evictions":3,"sizeBytes":1000,"entries":10,"compressionRatio":2,"avgTTLms":500}"#,
            #"{"type":"annotation","ts":\#(at(3)),"text":"deploy \#(name)","tags":["deploy","\#(name)"]}"#,
            #"{"type":"batch","ts":\#(at(3)),"size":\#(failing ? 50 : 80),"optimalSize":100,"latencyMs":10,"queueDepth":\#(failing ? 3 : 1),"priority":{"high":1,"medium":2,"low":3}}"#,
            #"{"type":"optimization","ts":\#(at(3)),"mode":"auto","efficiency":\#(failing ? 0.6 : 0.8),"params":{"batchSize":\#(failing ? 50 : 80),"batchTimeoutMs":20,"cacheTTLMultiplier":2,"maxConcurrentOps":8}}"#,
        ]
        for index in 0..<40 {
            let seconds = 1 + Double(index) * 0.05
            let ok = !(failing && index % 4 == 0)
            lines.append(#"{"type":"op","ts":\#(at(seconds)),"name":"GET /\#(name)","protocol":"\#(index % 2 == 0 ? "http1" : "grpc")","durationMs":\#(5 + index),"ok":\#(ok)}"#)
            lines.append(#"{"type":"metric","ts":\#(at(seconds)),"name":"requests_total","labels":{"region":"\#(name)"},"value":\#(index * 10),"kind":"counter"}"#)
        }
        if failing {
            lines.append(#"{"type":"breaker","ts":\#(at(2.5)),"connection":"\#(name)-db","from":"CLOSED","to":"OPEN","failures":5,"reason":"timeouts"}"#)
        }
        return lines
    }

    static func post(_ port: Int, _ lines: [String]) async throws {
        let answer = try await httpRequest(port: port, method: "POST", path: "/api/v1/events", body: lines.joined(separator: "\n"))
        #expect(answer.status == 200, "ingest on :\(port): \(answer.body)")
    }

    /// The members of `/api/v1/views` (at `at`, or live) on each node that differ.
    static func differingViews(_ a: Int, _ b: Int, at: Int64?) async throws -> (differing: [String], compared: Int) {
        let path = "/api/v1/views" + (at.map { "?at=\($0)" } ?? "")
        let left = try jsonObject(try await httpRequest(port: a, method: "GET", path: path).body)
        let right = try jsonObject(try await httpRequest(port: b, method: "GET", path: path).body)
        // The offset is a position in one log; the merged node's is the streams' sum.
        let names = Set(left.keys).union(right.keys).subtracting(["offset"])
        let differing = names.filter { name in
            !NSDictionary(dictionary: ["v": left[name] ?? NSNull()]).isEqual(to: ["v": right[name] ?? NSNull()])
        }
        return (differing.sorted(), names.count)
    }

    @Test func followerOfTwoShardedStreams_servesTheMergedViews_equalToOneNodeThatTookEveryEvent() async throws {
        guard let cluster = try await NATSCluster.start() else { return }
        defer { cluster.stop() }
        let directories = try ["eu", "us", "reference", "follower"].map { try TemporaryDirectory("shard-\($0)") }
        defer { directories.forEach { $0.remove() } }
        func leader(_ directory: TemporaryDirectory, stream: String, advertised: String) async throws -> ServeProcess {
            try await ServeProcess(arguments: [
                "--data", directory.path, "--port", "0", "--no-collect", "--replicate", cluster.urlList, "--replicate-stream", stream,
                "--advertise-url", advertised,
            ])
        }
        let eu = try await leader(directories[0], stream: "SHARD_EU", advertised: "http://eu.example:8080/")
        let us = try await leader(directories[1], stream: "SHARD_US", advertised: "http://us.example:8080/")
        let reference = try await ServeProcess(arguments: ["--data", directories[2].path, "--port", "0", "--no-collect"])
        let follower = try await ServeProcess(arguments: [
            "--data", directories[3].path, "--port", "0", "--follow", cluster.urls[1], "--replicate-stream", "SHARD_EU,SHARD_US",
        ])
        defer { [eu, us, reference, follower].forEach { $0.signal(SIGKILL) } }

        // Sources split by label: each leader takes its region, the reference both.
        let euLines = Self.region("eu", offset: 0, failing: true)
        let usLines = Self.region("us", offset: 0.5, failing: false)
        try await Self.post(eu.port, euLines)
        try await Self.post(us.port, usLines)
        try await Self.post(reference.port, euLines)
        try await Self.post(reference.port, usLines)
        for node in [eu, us, reference] { #expect(try await node.waitUntilIdle()) }

        // The follower holds each leader's log (its own offsets) and folded it.
        let euEnd = try #require(try await ReplicationClusterTests.metric(eu.port, "tacho_log_next_offset"))
        let usEnd = try #require(try await ReplicationClusterTests.metric(us.port, "tacho_log_next_offset"))
        let caughtUp = await poll(timeout: .seconds(60)) {
            guard let log = try? jsonObject(try await httpRequest(port: follower.port, method: "GET", path: "/api/v1/log").body),
                  let streams = log["streams"] as? [String: [String: Any]]
            else { return false }
            return (streams["SHARD_EU"]?["nextOffset"] as? Double) == euEnd && (streams["SHARD_US"]?["nextOffset"] as? Double) == usEnd
        }
        #expect(caughtUp, "the follower holds both streams")
        #expect(try await follower.waitUntilIdle())

        // Live and as of a moment inside the incident, the same views as the reference.
        let live = try await Self.differingViews(follower.port, reference.port, at: nil)
        #expect(live.differing.isEmpty, "views that differ from one node's fold of every event: \(live.differing)")
        #expect(live.compared > 15)
        let during = try await Self.differingViews(follower.port, reference.port, at: KnownStream.at(1.6))
        #expect(during.differing.isEmpty, "views as of T that differ: \(during.differing)")

        // Not merely the first stream's views: both regions are there.
        let breakers = try await httpRequest(port: follower.port, method: "GET", path: "/api/v1/fault-tolerance/circuit-breakers").body
        for connection in ["eu-db", "eu-api", "us-db", "us-api"] { #expect(breakers.contains(connection), "\(connection) in \(breakers)") }

        // The alerts each leader's rules raised (the EU breaker opened) are there too.
        let alerts = try jsonObject(try await httpRequest(port: follower.port, method: "GET", path: "/api/v1/fault-tolerance/alerts").body)
        #expect(!((alerts["alerts"] as? [Any]) ?? []).isEmpty, "\(alerts)")

        // PromQL over both shards' series equals the reference's answer.
        let query = "/api/v1/query?query=sum%20by%20(region)%20(requests_total)&time=\(Double(KnownStream.at(5)) / 1e9)"
        let expected = try await httpRequest(port: reference.port, method: "GET", path: query)
        #expect(expected.body.contains(#""region":"us""#) && expected.body.contains(#""region":"eu""#), "\(expected.body)")
        #expect(try await httpRequest(port: follower.port, method: "GET", path: query).body == expected.body)

        // Annotations of both regions, in event-time order.
        let annotations = try await httpRequest(port: follower.port, method: "GET", path: "/api/v1/annotations").body
        let referenceAnnotations = try await httpRequest(port: reference.port, method: "GET", path: "/api/v1/annotations").body
        let texts = { (body: String) in
            ((try? jsonObject(body))?["annotations"] as? [[String: Any]] ?? []).compactMap { $0["text"] as? String }
        }
        #expect(texts(annotations) == ["deploy eu", "deploy us"])
        #expect(texts(annotations) == texts(referenceAnnotations))

        // A live stream client: a change on one leader reaches it as a merged view; a
        // reconnect naming an offset gets every view whole (no offset names a position
        // in merged logs).
        let stream = try SSETestClient(port: follower.port)
        #expect(try await offPool { stream.waitForHead() })
        try await Self.post(us.port, [#"{"type":"breaker","ts":\#(KnownStream.at(6)),"connection":"us-api","from":"CLOSED","to":"OPEN","failures":3,"reason":"errors"}"#])
        let received = try await offPool {
            stream.events { events in events.contains { $0.event == "circuit-breaker" && $0.data.contains("us-api") && $0.data.contains("eu-db") } }
        }
        stream.connection.close()
        let breakerMessage = try #require(received.last { $0.event == "circuit-breaker" })
        #expect(breakerMessage.data.contains(#""us-api""#) && breakerMessage.data.contains(#""eu-db""#), "\(breakerMessage.data)")
        let resumed = try SSETestClient(port: follower.port, lastEventID: 3)
        let reset = try await offPool { resumed.events { $0.contains { $0.event == "reset" } } }
        resumed.connection.close()
        let resetMessage = try #require(reset.first { $0.event == "reset" })
        #expect(resetMessage.data.contains("several streams") && resetMessage.data.contains("us-api"), "\(resetMessage.data.prefix(300))")

        // Writes: 409, naming the leaders; nothing appended anywhere.
        let refused = try await httpRequest(port: follower.port, method: "POST", path: "/api/v1/events", body: alertLine("no", atSeconds: 9))
        #expect(refused.status == 409)
        #expect(refused.body.contains("http://eu.example:8080/") && refused.body.contains("http://us.example:8080/"), "\(refused.body)")

        for node in [eu, us, reference, follower] { node.signal(SIGTERM) }
        for node in [eu, us, reference, follower] { #expect(try await node.waitForExit(timeout: 20) == 0) }
        // Each stream's log under the follower is the leader's, byte for byte in events and offsets.
        let euLog = try ReplicationClusterTests.probes(in: directories[0].path).events
        let followedEU = try ReplicationClusterTests.probes(in: directories[3].path + "/streams/SHARD_EU").events
        #expect(followedEU == euLog)
    }
}
