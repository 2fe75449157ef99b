import EventStore
import Foundation
import Projections
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Replication against the real thing: Debian's nats-server as a 3-node JetStream
/// cluster on loopback, `tacho serve --replicate` / `--follow` and `tacho restore` as
/// child processes. Skipped, with the reason, when nats-server is not installed.
@Suite(.serialized) struct ReplicationClusterTests {
    /// One metric event per (client, sequence): what an acknowledgement promises.
    static func line(client: Int, sequence: Int, timeNs: Int64) -> String {
        #"{"type":"metric","ts":\#(timeNs),"name":"replication_probe","labels":{"client":"\#(client)","seq":"\#(sequence)"},"value":\#(sequence)}"#
    }

    /// The (client, seq) labels of every probe event in a data directory, with the offsets they sit at.
    static func probes(in directory: String) throws -> (keys: [String: [UInt64]], events: [LoggedEvent]) {
        let log = try ReadOnlyEventLog.open(directory: directory)
        let reader = log.reader(from: 0)
        var keys: [String: [UInt64]] = [:]
        var all: [LoggedEvent] = []
        while let batch = try reader.next() {
            for logged in batch.loggedEvents {
                all.append(logged)
                guard case .metric(let sample) = logged.event.body, sample.series.name == "replication_probe" else { continue }
                let labels = sample.series.labels.dictionary
                keys["\(labels["client"] ?? "?")/\(labels["seq"] ?? "?")", default: []].append(logged.offset)
            }
        }
        return (keys, all)
    }

    /// Now, moved back to the start of its health-score interval. Probes stamped within
    /// the next 15 s cross no multiple of `HealthSample.intervalNs`, so the leader appends
    /// no `tacho_health_score` sample among them and the log's offsets are the probes'
    /// alone. From `now` itself a run crossed one about once in fifty (300 probes a
    /// millisecond apart) and held an offset more than the test counted.
    static func baseTimeInOneHealthInterval() -> Int64 {
        let nowNs = EventTime.nowNs()
        return nowNs - nowNs % HealthSample.intervalNs
    }

    /// Rebuilds `directory` from the stream with `tacho restore`.
    static func restore(_ cluster: NATSCluster, stream: String, into directory: String) async throws {
        let result = try await runTool(ServeProcess.binaryPath, ["restore", "--from", cluster.urlList, "--replicate-stream", stream, "--data", directory], timeoutSeconds: 120)
        #expect(result.status == 0, "tacho restore: \(result.output)")
    }

    /// A `/metrics` value of a running server (the first sample of the family).
    static func metric(_ port: Int, _ name: String) async throws -> Double? {
        let body = try await httpRequest(port: port, method: "GET", path: "/metrics").body
        for line in body.split(separator: "\n") where line.hasPrefix(name + " ") || line.hasPrefix(name + "{") {
            return line.split(separator: " ").last.flatMap { Double($0) }
        }
        return nil
    }

    /// Posts `count` probe requests of `eventsPerRequest` events each from `client`;
    /// returns the keys acknowledged (200) and the statuses seen.
    static func ingest(port: Int, client: Int, requests: Range<Int>, eventsPerRequest: Int, baseTimeNs: Int64) async throws -> (acknowledged: [String], statuses: [Int: Int]) {
        var acknowledged: [String] = []
        var statuses: [Int: Int] = [:]
        for request in requests {
            let sequences = (request * eventsPerRequest)..<((request + 1) * eventsPerRequest)
            let body = sequences.map { line(client: client, sequence: $0, timeNs: baseTimeNs + Int64($0) * 1_000_000) }.joined(separator: "\n")
            let status = (try? await httpRequest(port: port, method: "POST", path: "/api/v1/events", body: body).status) ?? 0
            statuses[status, default: 0] += 1
            if status == 200 { acknowledged += sequences.map { "\(client)/\($0)" } }
        }
        return (acknowledged, statuses)
    }

    /// `tacho serve --fsync always --replicate-ack replicated` on `data`, publishing to `stream`.
    /// `ackTimeout`: `--replicate-ack-timeout`, when a test needs the server's 503 to come
    /// well before the test client's own 10 s read timeout (the default is also 10 s).
    static func durableLeader(data: TemporaryDirectory, cluster: NATSCluster, stream: String, ackTimeout: String? = nil) async throws -> ServeProcess {
        try await ServeProcess(arguments: [
            "--data", data.path, "--port", "0", "--no-collect", "--fsync", "always",
            "--replicate", cluster.urlList, "--replicate-stream", stream, "--replicate-ack", "replicated",
        ] + (ackTimeout.map { ["--replicate-ack-timeout", $0] } ?? []))
    }

    /// `clients` concurrent probe clients, 10 events per request; the keys acknowledged.
    static func ingestConcurrently(port: Int, clients: Int, requests: Range<Int>, baseTimeNs: Int64) async throws -> [String] {
        try await withThrowingTaskGroup(of: [String].self) { group in
            for client in 0..<clients {
                group.addTask { try await ingest(port: port, client: client, requests: requests, eventsPerRequest: 10, baseTimeNs: baseTimeNs).acknowledged }
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }
    }

    @Test func replicatedAcks_survive_aNATSNodeKilledMidIngest_everyAcknowledgedEventInTheStreamOnce() async throws {
        guard let cluster = try await NATSCluster.start() else { return }
        defer { cluster.stop() }
        let data = try TemporaryDirectory("leader")
        let restored = try TemporaryDirectory("restored")
        defer { data.remove(); restored.remove() }
        // A request waiting out the election answers 503 after 4 s, before the client gives up at 10 s.
        let leader = try await Self.durableLeader(data: data, cluster: cluster, stream: "KILLNODE", ackTimeout: "4s")
        let baseTimeNs = EventTime.nowNs()
        let clients = 4
        let requestsPerClient = 60
        // Ingest in two halves around the kill of one NATS node (a majority stays).
        let first = try await Self.ingestConcurrently(port: leader.port, clients: clients, requests: 0..<20, baseTimeNs: baseTimeNs)
        let (second, statuses) = try await withThrowingTaskGroup(of: ([String], [Int: Int]).self) { group in
            for client in 0..<clients {
                group.addTask {
                    let result = try await Self.ingest(port: leader.port, client: client, requests: 20..<requestsPerClient, eventsPerRequest: 10, baseTimeNs: baseTimeNs)
                    return (result.acknowledged, result.statuses)
                }
            }
            group.addTask {
                cluster.kill(0)
                return ([], [:])
            }
            var keys: [String] = []
            var statuses: [Int: Int] = [:]
            for try await (acknowledged, seen) in group {
                keys += acknowledged
                statuses.merge(seen, uniquingKeysWith: +)
            }
            return (keys, statuses)
        }
        let acknowledged = first + second
        #expect(first.count == clients * 20 * 10, "every request before the kill is acknowledged")
        #expect(acknowledged.count > first.count, "ingest goes on with two of three NATS nodes (statuses \(statuses))")
        #expect(Set(statuses.keys).isSubset(of: [200, 503]), "a refusal is 503, not replicated in time: \(statuses)")
        // Everything the leader holds reaches the stream (the publisher catches up), then compare.
        let leaderEnd = try #require(try await Self.metric(leader.port, "tacho_log_next_offset"))
        let caughtUp = await poll(timeout: .seconds(60)) {
            (try? await Self.metric(leader.port, "tacho_replication_stream_end_offset")) == leaderEnd
        }
        #expect(caughtUp, "the publisher acknowledged the leader's whole log")
        leader.signal(SIGTERM)
        _ = try await leader.waitForExit(timeout: 20)
        try await Self.restore(cluster, stream: "KILLNODE", into: restored.path)
        let stream = try Self.probes(in: restored.path)
        let local = try Self.probes(in: data.path)
        for key in acknowledged {
            #expect(stream.keys[key]?.count == 1, "acknowledged \(key) is in the stream once (found \(stream.keys[key]?.count ?? 0))")
        }
        #expect(stream.events == local.events, "the stream holds the leader's log: same events at the same offsets")
    }

    @Test func follower_servesTheLeadersViews_refusesWrites_andSSEResumesAcrossNodesWithoutGapOrDuplicate() async throws {
        guard let cluster = try await NATSCluster.start() else { return }
        defer { cluster.stop() }
        let leaderData = try TemporaryDirectory("leader")
        let followerData = try TemporaryDirectory("follower")
        defer { leaderData.remove(); followerData.remove() }
        let leader = try await ServeProcess(arguments: [
            "--data", leaderData.path, "--port", "0", "--no-collect", "--replicate", cluster.urlList, "--replicate-stream", "FOLLOW",
            "--advertise-url", "http://127.0.0.1:1/",
        ])
        let follower = try await ServeProcess(arguments: [
            "--data", followerData.path, "--port", "0", "--follow", cluster.urls[2], "--replicate-stream", "FOLLOW",
        ])
        // Alerts: one SSE event each, whose id is its offset.
        let onLeader = try SSETestClient(port: leader.port)
        #expect(try await offPool { onLeader.waitForHead() })
        for index in 0..<5 {
            let status = try await httpRequest(port: leader.port, method: "POST", path: "/api/v1/events", body: alertLine("r\(index)", atSeconds: Double(index))).status
            #expect(status == 200)
        }
        let firstEvents = try await offPool { onLeader.events { $0.filter { $0.event == "alert" }.count >= 5 } }
        onLeader.connection.close()
        let lastSeen = try #require(firstEvents.filter { $0.event == "alert" }.compactMap(\.id).max())
        for index in 5..<10 {
            _ = try await httpRequest(port: leader.port, method: "POST", path: "/api/v1/events", body: alertLine("r\(index)", atSeconds: Double(index)))
        }
        _ = try await Self.ingest(port: leader.port, client: 9, requests: 0..<5, eventsPerRequest: 20, baseTimeNs: KnownStream.at(11))
        let leaderEnd = try #require(try await Self.metric(leader.port, "tacho_log_next_offset"))
        let caughtUp = await poll(timeout: .seconds(30)) {
            (try? await Self.metric(follower.port, "tacho_log_next_offset")) == leaderEnd
        }
        #expect(caughtUp, "the follower holds the leader's log")
        // Resumed on the other node with the id seen on the first.
        let onFollower = try SSETestClient(port: follower.port, lastEventID: lastSeen)
        let resumed = try await offPool { onFollower.events { $0.filter { $0.event == "alert" }.count >= 5 } }
        onFollower.connection.close()
        let ids = (firstEvents + resumed).filter { $0.event == "alert" }.map { try? jsonObject($0.data)["id"] as? String }
        #expect(ids.compactMap { $0 }.sorted() == (0..<10).map { "r\($0)" }.sorted(), "every alert once across the two nodes: \(ids)")
        #expect(resumed.compactMap(\.id).allSatisfy { $0 > lastSeen })

        // The same views: by event time (deterministic) and the PromQL answer.
        #expect(try await leader.waitUntilIdle())
        #expect(try await follower.waitUntilIdle())
        let at = "/api/v1/views?at=\(KnownStream.at(12))"
        let leaderViews = try await httpRequest(port: leader.port, method: "GET", path: at)
        let followerViews = try await httpRequest(port: follower.port, method: "GET", path: at)
        #expect(leaderViews.status == 200)
        #expect(followerViews.body == leaderViews.body, "the follower's views as of T equal the leader's")
        let query = "/api/v1/query?query=sum(replication_probe)&time=\(Double(KnownStream.at(13)) / 1e9)"
        let leaderAnswer = try await httpRequest(port: leader.port, method: "GET", path: query)
        #expect(leaderAnswer.body.contains("\"result\":[{"), "\(leaderAnswer.body)")
        #expect(try await httpRequest(port: follower.port, method: "GET", path: query).body == leaderAnswer.body)

        // Writes on the follower: 409, naming the leader; nothing appended.
        let refused = try await httpRequest(port: follower.port, method: "POST", path: "/api/v1/events", body: alertLine("no", atSeconds: 20))
        #expect(refused.status == 409)
        #expect(refused.body.contains("http://127.0.0.1:1/"), "\(refused.body)")
        #expect(try await Self.metric(follower.port, "tacho_log_next_offset") == leaderEnd)
        leader.signal(SIGTERM)
        follower.signal(SIGTERM)
        _ = try await leader.waitForExit(timeout: 20)
        _ = try await follower.waitForExit(timeout: 20)
    }

    @Test func leaderLost_withItsDisk_aFollowerFromNothingHoldsEveryAcknowledgedEvent() async throws {
        guard let cluster = try await NATSCluster.start() else { return }
        defer { cluster.stop() }
        let leaderData = try TemporaryDirectory("leader")
        let followerData = try TemporaryDirectory("follower")
        defer { leaderData.remove(); followerData.remove() }
        let leader = try await Self.durableLeader(data: leaderData, cluster: cluster, stream: "LOST")
        let acknowledged = try await Self.ingestConcurrently(port: leader.port, clients: 3, requests: 0..<30, baseTimeNs: EventTime.nowNs())
        #expect(acknowledged.count == 3 * 30 * 10)
        // The machine is gone: process and disk.
        leader.signal(SIGKILL)
        _ = try await leader.waitForExit(timeout: 10)
        leaderData.remove()
        let follower = try await ServeProcess(arguments: [
            "--data", followerData.path, "--port", "0", "--follow", cluster.urlList, "--replicate-stream", "LOST",
        ])
        let rebuilt = await poll(timeout: .seconds(60)) {
            ((try? await Self.metric(follower.port, "tacho_log_next_offset")) ?? 0) >= Double(acknowledged.count)
        }
        #expect(rebuilt, "the new follower caught up with the stream")
        follower.signal(SIGTERM)
        _ = try await follower.waitForExit(timeout: 20)
        let held = try Self.probes(in: followerData.path)
        let missing = acknowledged.filter { held.keys[$0]?.count != 1 }
        #expect(missing.isEmpty, "every acknowledged event once; missing or doubled: \(missing.prefix(10))")
        let result = try await runTool(ServeProcess.binaryPath, ["verify", "--data", followerData.path])
        #expect(result.status == 0, "\(result.output)")
    }

    @Test func restore_whileTheStreamHasNoLeader_waitsForTheClusterToElectOne_thenRestoresEverything() async throws {
        guard let cluster = try await NATSCluster.start() else { return }
        defer { cluster.stop() }
        let data = try TemporaryDirectory("leader")
        let restored = try TemporaryDirectory("restored")
        defer { data.remove(); restored.remove() }
        let leader = try await Self.durableLeader(data: data, cluster: cluster, stream: "NOLEADER")
        let acknowledged = try await Self.ingestConcurrently(port: leader.port, clients: 2, requests: 0..<10, baseTimeNs: EventTime.nowNs())
        #expect(acknowledged.count == 2 * 10 * 10)
        leader.signal(SIGTERM)
        _ = try await leader.waitForExit(timeout: 20)
        // One node of three left: no majority, so the stream has no leader and stream
        // info times out until the others are back.
        cluster.kill(0)
        cluster.kill(1)
        // A cluster that does not come back within the wait fails the restore, naming why.
        let early = try TemporaryDirectory("early")
        defer { early.remove() }
        let givenUp = try await runTool(
            ServeProcess.binaryPath,
            ["restore", "--from", cluster.urlList, "--replicate-stream", "NOLEADER", "--data", early.path, "--unavailable-wait-ms", "1000"],
            timeoutSeconds: 60)
        #expect(givenUp.status != 0 && givenUp.output.contains("unavailable-wait-ms"), "\(givenUp.output)")
        // One that comes back within it is waited for.
        let restore = try ExternalProgram(
            ServeProcess.binaryPath,
            ["restore", "--from", cluster.urlList, "--replicate-stream", "NOLEADER", "--data", restored.path, "--unavailable-wait-ms", "120000"],
            outputPath: "\(restored.path)-restore.log")
        defer {
            restore.stop()
            try? FileManager.default.removeItem(atPath: "\(restored.path)-restore.log")
        }
        let waiting = await poll(timeout: .seconds(60)) { restore.output.contains("; retrying") }
        #expect(waiting, "restore waits for the cluster: \(restore.output)")
        try await cluster.restartAll()
        let finished = await poll(timeout: .seconds(120)) { !restore.process.isRunning }
        #expect(finished, "restore ends once the stream has a leader again")
        #expect(!restore.process.isRunning && restore.process.terminationStatus == 0, "tacho restore: \(restore.output)")
        let stream = try Self.probes(in: restored.path)
        let missing = acknowledged.filter { stream.keys[$0]?.count != 1 }
        #expect(missing.isEmpty, "every acknowledged event once; missing or doubled: \(missing.prefix(10))")
        #expect(stream.events == (try Self.probes(in: data.path)).events, "the stream holds the leader's log")
    }

    @Test func localAcks_goOnThroughANATSOutage_thenThePublisherCatchesUpWithoutDuplicates() async throws {
        guard let cluster = try await NATSCluster.start() else { return }
        defer { cluster.stop() }
        let data = try TemporaryDirectory("leader")
        let restored = try TemporaryDirectory("restored")
        defer { data.remove(); restored.remove() }
        let leader = try await ServeProcess(arguments: [
            "--data", data.path, "--port", "0", "--no-collect", "--replicate", cluster.urlList, "--replicate-stream", "OUTAGE",
        ])
        let baseTimeNs = EventTime.nowNs()
        let before = try await Self.ingest(port: leader.port, client: 0, requests: 0..<20, eventsPerRequest: 10, baseTimeNs: baseTimeNs)
        #expect(before.statuses == [200: 20])
        let published = await poll(timeout: .seconds(30)) { (try? await Self.metric(leader.port, "tacho_replication_lag_events")) == 0 }
        #expect(published)
        for index in cluster.nodes.indices { cluster.kill(index) }
        // NATS is gone: ingest is still answered from the local log.
        let during = try await Self.ingest(port: leader.port, client: 1, requests: 0..<20, eventsPerRequest: 10, baseTimeNs: baseTimeNs)
        #expect(during.statuses == [200: 20], "local acks do not wait for NATS")
        let lagging = try await Self.metric(leader.port, "tacho_replication_lag_events") ?? 0
        #expect(lagging > 0, "the lag shows in /metrics")
        try await cluster.restartAll()
        let leaderEnd = try #require(try await Self.metric(leader.port, "tacho_log_next_offset"))
        let caughtUp = await poll(timeout: .seconds(60)) {
            (try? await Self.metric(leader.port, "tacho_replication_stream_end_offset")) == leaderEnd
        }
        #expect(caughtUp, "the publisher caught up after the outage")
        leader.signal(SIGTERM)
        _ = try await leader.waitForExit(timeout: 20)
        try await Self.restore(cluster, stream: "OUTAGE", into: restored.path)
        let stream = try Self.probes(in: restored.path)
        #expect(stream.keys.values.allSatisfy { $0.count == 1 }, "nothing duplicated")
        #expect(stream.keys.count == 400)
        #expect(stream.events == (try Self.probes(in: data.path)).events, "the stream holds the leader's log")
    }

    @Test func leaderLost_theFollowerIsPromoted_andContinuesTheStream_nothingAcknowledgedLost() async throws {
        guard let cluster = try await NATSCluster.start() else { return }
        defer { cluster.stop() }
        let leaderData = try TemporaryDirectory("leader")
        let followerData = try TemporaryDirectory("follower")
        let rebuilt = try TemporaryDirectory("rebuilt")
        defer { leaderData.remove(); followerData.remove(); rebuilt.remove() }
        let leader = try await Self.durableLeader(data: leaderData, cluster: cluster, stream: "PROMOTE")
        let follower = try await ServeProcess(arguments: [
            "--data", followerData.path, "--port", "0", "--follow", cluster.urlList, "--replicate-stream", "PROMOTE",
        ])
        let baseTimeNs = Self.baseTimeInOneHealthInterval()
        let before = try await Self.ingest(port: leader.port, client: 0, requests: 0..<30, eventsPerRequest: 10, baseTimeNs: baseTimeNs)
        #expect(before.statuses == [200: 30])
        // The leader's machine is lost; the follower has what JetStream acknowledged.
        leader.signal(SIGKILL)
        _ = try await leader.waitForExit(timeout: 10)
        leaderData.remove()
        let caughtUp = await poll(timeout: .seconds(30)) { (try? await Self.metric(follower.port, "tacho_log_next_offset")) == 300 }
        #expect(caughtUp)
        follower.signal(SIGTERM)
        _ = try await follower.waitForExit(timeout: 20)
        // Promoted: the same directory, now publishing.
        let promoted = try await Self.durableLeader(data: followerData, cluster: cluster, stream: "PROMOTE")
        let after = try await Self.ingest(port: promoted.port, client: 1, requests: 0..<30, eventsPerRequest: 10, baseTimeNs: baseTimeNs)
        #expect(after.statuses == [200: 30])
        promoted.signal(SIGTERM)
        _ = try await promoted.waitForExit(timeout: 20)
        try await Self.restore(cluster, stream: "PROMOTE", into: rebuilt.path)
        let stream = try Self.probes(in: rebuilt.path)
        let missing = (before.acknowledged + after.acknowledged).filter { stream.keys[$0]?.count != 1 }
        #expect(missing.isEmpty, "every acknowledged event once across the failover; missing or doubled: \(missing.prefix(10))")
        #expect(stream.events.map(\.offset) == Array(0..<600), "one history, no gap")
    }

    @Test func anOldLeaderWhoseLogDivergedFromTheStream_refusesToPublish() async throws {
        guard let cluster = try await NATSCluster.start() else { return }
        defer { cluster.stop() }
        let oldData = try TemporaryDirectory("old-leader")
        let newData = try TemporaryDirectory("new-leader")
        defer { oldData.remove(); newData.remove() }
        let baseTimeNs = EventTime.nowNs()
        let replicate = ["--no-collect", "--port", "0", "--replicate", cluster.urlList, "--replicate-stream", "SPLIT"]
        let old = try await ServeProcess(arguments: ["--data", oldData.path] + replicate)
        _ = try await Self.ingest(port: old.port, client: 0, requests: 0..<5, eventsPerRequest: 10, baseTimeNs: baseTimeNs)
        #expect(await poll(timeout: .seconds(30)) { (try? await Self.metric(old.port, "tacho_replication_lag_events")) == 0 })
        old.signal(SIGTERM)
        _ = try await old.waitForExit(timeout: 20)
        // Meanwhile another node took over the stream and wrote to it...
        try await Self.restore(cluster, stream: "SPLIT", into: newData.path)
        let new = try await ServeProcess(arguments: ["--data", newData.path] + replicate)
        _ = try await Self.ingest(port: new.port, client: 1, requests: 0..<2, eventsPerRequest: 10, baseTimeNs: baseTimeNs)
        #expect(await poll(timeout: .seconds(30)) { (try? await Self.metric(new.port, "tacho_replication_lag_events")) == 0 })
        new.signal(SIGTERM)
        _ = try await new.waitForExit(timeout: 20)
        // ...while the old one, cut off, took other writes at the same offsets.
        let alone = try await ServeProcess(arguments: ["--data", oldData.path, "--no-collect", "--port", "0"])
        _ = try await Self.ingest(port: alone.port, client: 2, requests: 0..<3, eventsPerRequest: 10, baseTimeNs: baseTimeNs)
        alone.signal(SIGTERM)
        _ = try await alone.waitForExit(timeout: 20)
        let refused = try await runTool(ServeProcess.binaryPath, ["serve", "--data", oldData.path] + replicate, timeoutSeconds: 60)
        #expect(refused.status != 0)
        // At 60..<70, moved on by the health score's samples (`tacho_health_score`, one
        // each time the events' times cross a 15 s boundary, which depends on the clock).
        let named = refused.output.firstMatch(of: /holds other events than this data directory at offsets (\d+)\.\.<(\d+)/)
        let range = named.flatMap { match in Int(match.1).flatMap { low in Int(match.2).map { low..<$0 } } }
        #expect(range.map { (60...63).contains($0.lowerBound) && $0.count == 10 } == true, "\(refused.output)")
    }

    @Test func aLeaderWhoseNATSIsUnreachable_startsAndTakesLocalWrites_showingTheLag() async throws {
        let data = try TemporaryDirectory("leader")
        defer { data.remove() }
        // A free port: nothing listens there.
        let nowhere = "nats://127.0.0.1:\(try freeLoopbackPort())"
        let leader = try await ServeProcess(arguments: ["--data", data.path, "--port", "0", "--no-collect", "--replicate", nowhere])
        defer { leader.signal(SIGKILL) }
        let answer = try await httpRequest(port: leader.port, method: "POST", path: "/api/v1/events", body: Self.line(client: 0, sequence: 0, timeNs: EventTime.nowNs()))
        #expect(answer.status == 200)
        #expect(try await Self.metric(leader.port, "tacho_replication_connected") == 0)
        #expect(try await Self.metric(leader.port, "tacho_replication_lag_events") == 1)
        leader.signal(SIGTERM)
        #expect(try await leader.waitForExit(timeout: 20) == 0, "it stops in time although NATS never answered")
    }
}
