import EventStore
import Foundation
import ServiceLifecycle
import Synchronization
import Testing
@testable import Server
import Runtime

/// A real server on 127.0.0.1 and a free port, stopped gracefully by `stop()`.
final class LiveServer: Sendable {
    let app: TachoApp
    let port: Int
    let group: ServiceGroup
    private let running: Task<Void, any Error>
    let directory: TemporaryDirectory

    static func start(configure: (inout ServerOptions) -> Void = { _ in }) async throws -> LiveServer {
        let directory = try TemporaryDirectory("live")
        var options = ServerOptions()
        options.dataDirectory = directory.path
        options.port = 0
        options.collectsHostVitals = false
        configure(&options)
        let app = try await TachoApp.open(options: options)
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let group = app.serviceGroup(handlesSignals: false) { port in continuation.yield(port) }
        let running = Task { try await group.run() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { throw CancellationError() }
        return LiveServer(app: app, port: port, group: group, running: running, directory: directory)
    }

    private init(app: TachoApp, port: Int, group: ServiceGroup, running: Task<Void, any Error>, directory: TemporaryDirectory) {
        self.app = app
        self.port = port
        self.group = group
        self.running = running
        self.directory = directory
    }

    /// Triggers graceful shutdown and waits for it; returns how long it took.
    @discardableResult
    func stop(keepingDirectory: Bool = false) async throws -> Duration {
        let clock = ContinuousClock()
        let started = clock.now
        await group.triggerGracefulShutdown()
        try await running.value
        let took = started.duration(to: clock.now)
        if !keepingDirectory { directory.remove() }
        return took
    }

    /// POSTs NDJSON to the ingest route; returns the first and last offsets assigned.
    func ingest(_ ndjson: String) async throws -> ClosedRange<UInt64> {
        let answer = try await httpRequest(port: port, method: "POST", path: "/api/v1/events", body: ndjson)
        guard answer.status == 200, let offsets = try jsonObject(answer.body)["offsets"] as? [String: Any],
              let first = offsets["first"] as? Int, let last = offsets["last"] as? Int
        else { throw IngestRefused(status: answer.status, body: answer.body) }
        return UInt64(first)...UInt64(last)
    }

    struct IngestRefused: Error { let status: Int; let body: String }
}

func alertLine(_ id: String, atSeconds seconds: Double) -> String {
    #"{"type":"alert","ts":\#(KnownStream.at(seconds)),"id":"\#(id)","severity":"warning","kind":"test","message":"alert \#(id)"}"#
}

@Suite(.serialized) struct StreamLiveTests {
    @Test func stream_droppedAndResumedWithLastEventID_deliversEveryAlertOnce_withIncreasingOffsets() async throws {
        let server = try await LiveServer.start()
        var offsetsByAlert: [String: UInt64] = [:]

        // First connection: five alerts, one request (one batch, one update) each.
        let first = try SSETestClient(port: server.port)
        #expect(try await offPool { first.waitForHead() }, "the stream answered")
        var firstEvents: [ReceivedEvent] = []
        for index in 0..<5 {
            offsetsByAlert["x\(index)"] = try await server.ingest(alertLine("x\(index)", atSeconds: Double(index))).lowerBound
        }
        firstEvents = try await offPool {
            first.events { seen in seen.filter { $0.event == "alert" }.count >= 5 }
        }
        #expect(first.status == 200)
        #expect(first.headers["cache-control"] == "no-cache")
        #expect(first.headers["x-accel-buffering"] == "no")
        #expect(first.headers["content-type"] == "text/event-stream; charset=utf-8")
        first.connection.close()
        let lastSeen = try #require(firstEvents.compactMap(\.id).max())

        // Missed while disconnected: five more alerts and a new connection's report.
        for index in 5..<10 {
            offsetsByAlert["x\(index)"] = try await server.ingest(alertLine("x\(index)", atSeconds: Double(index))).lowerBound
        }
        _ = try await server.ingest(
            #"{"type":"connection","ts":\#(KnownStream.at(10)),"connection":"late","monitors":["m"],"load":1,"tps":1,"parseRate":1,"latencyMs":1}"#)

        let second = try SSETestClient(port: server.port, lastEventID: lastSeen)
        let replayed = try await offPool {
            second.events { seen in
                seen.filter { $0.event == "alert" }.count >= 5 && seen.contains { $0.event == "topology" }
            }
        }
        // Then live again.
        for index in 10..<12 {
            offsetsByAlert["x\(index)"] = try await server.ingest(alertLine("x\(index)", atSeconds: Double(index))).lowerBound
        }
        let live = try await offPool {
            second.events { seen in seen.filter { $0.event == "alert" }.count >= 2 }
        }
        second.connection.close()
        let secondEvents = replayed + live

        func alertIDs(_ events: [ReceivedEvent]) throws -> [String] {
            try events.filter { $0.event == "alert" }.map { try jsonObject($0.data)["id"] as? String ?? "?" }
        }
        let all = try alertIDs(firstEvents) + alertIDs(secondEvents)
        #expect(all.sorted() == (0..<12).map { "x\($0)" }.sorted(), "every alert exactly once")
        // Live alerts carry their own event's offset.
        for event in (firstEvents + live) where event.event == "alert" {
            let id = try jsonObject(event.data)["id"] as? String ?? "?"
            #expect(event.id == offsetsByAlert[id], "alert \(id)")
        }
        // Nothing at or before the resume point is sent again; offsets never go back.
        #expect(secondEvents.compactMap(\.id).allSatisfy { $0 > lastSeen })
        for events in [firstEvents, secondEvents] {
            let ids = events.compactMap(\.id)
            #expect(ids == ids.sorted(), "ids go forward: \(ids)")
        }
        // The replay covers the missed offsets: its messages reflect the last of them.
        let replayedAlertIDs = replayed.filter { $0.event == "alert" }.compactMap(\.id)
        #expect(replayedAlertIDs.allSatisfy { $0 >= offsetsByAlert["x9"]! + 1 })
        let topology = try #require(replayed.first { $0.event == "topology" })
        #expect(try jsonObject(topology.data)["connections"].map { ($0 as? [[String: Any]])?.first?["id"] as? String } == "late")
        try await server.stop()
    }

    @Test func stream_sendsAMetricsSummaryEverySecond_inTheShapeOfTheReadEndpoints() async throws {
        let server = try await LiveServer.start()
        let offsets = try await server.ingest(KnownStream.ndjson)
        #expect(await server.app.engine.waitUntilIdle())
        let client = try SSETestClient(port: server.port)
        let summaries = try await offPool {
            client.events { seen in seen.filter { $0.event == "metrics" }.count >= 2 }.filter { $0.event == "metrics" }
        }
        client.connection.close()
        #expect(summaries.count == 2)
        let summary = try jsonObject(try #require(summaries.last).data)
        for key in ["time", "rps", "latency", "cpu", "memory", "protocols", "health", "activeConnections"] {
            #expect(summary[key] != nil, "metrics lacks \(key)")
        }
        #expect((summary["rps"] as? [String: Any])?["total"] as? Int == 4)
        #expect((summary["cpu"] as? [String: Any])?["total"] as? Double == 40)
        #expect(summary["activeConnections"] as? Int == 1, "db's breaker is open")
        #expect((summaries.last?.id ?? 0) >= offsets.upperBound)
        try await server.stop()
    }

    @Test func stream_fromAnOffsetNotInTheLog_getsAResetSnapshot() async throws {
        let server = try await LiveServer.start()
        _ = try await server.ingest(KnownStream.ndjson)
        #expect(await server.app.engine.waitUntilIdle())
        let client = try SSETestClient(port: server.port, lastEventID: 1_000_000)
        let event = try await offPool { client.next() }
        #expect(event?.event == "reset")
        let snapshot = try jsonObject(try #require(event).data)
        for key in ["health", "faultTolerance", "breakers", "alerts", "optimization", "batch", "cache", "suggestions", "topology", "rps", "latency", "protocols", "cpu", "memory"] {
            #expect(snapshot[key] != nil, "reset lacks \(key)")
        }
        #expect(event?.id == server.app.engine.currentSnapshot().offset)
        client.connection.close()
        try await server.stop()
    }

    @Test func slowClient_getsLagged_andIsDisconnected_whileOthersKeepStreaming() async throws {
        let server = try await LiveServer.start { options in
            options.sseClientMessagesMax = 8
            options.sseClientBytesMax = 64 * 1024
        }
        let slow = try SSETestClient(port: server.port, receiveBufferBytes: 4096)
        // Wait until the slow client is registered before flooding.
        let deadline = ContinuousClock.now.advanced(by: .seconds(10))
        while await server.app.broadcaster.clientCount < 1, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
        // Large topology and breaker views: 300 connections with long monitor names.
        let monitors = (0..<4).map { "\"monitor-\($0)-\(String(repeating: "m", count: 40))\"" }.joined(separator: ",")
        for round in 0..<40 {
            let lines = (0..<300).map { index in
                #"{"type":"connection","ts":\#(KnownStream.at(Double(round))),"connection":"connection-\#(index)-\#(String(repeating: "c", count: 30))","monitors":[\#(monitors)],"load":\#(round % 100),"tps":\#(index),"parseRate":1,"latencyMs":1}"#
            }
            _ = try await server.ingest(lines.joined(separator: "\n"))
            if server.app.engine.metrics.snapshot().sseLaggedDisconnects > 0 { break }
        }
        let drained = try await offPool { slow.drain() }
        #expect(drained.events.last?.event == "lagged")
        #expect(drained.ended, "the server closes a lagged client's stream")
        #expect(server.app.engine.metrics.snapshot().sseLaggedDisconnects == 1)
        // A new client still gets live messages. The flood's large views may still be
        // on their way when it connects, and with this test's 64 KiB bound they can lag
        // it too: then it reconnects, as a browser does, and the next attempt gets them.
        var gotAlert = false
        for attempt in 0..<5 where !gotAlert {
            let fresh = try SSETestClient(port: server.port)
            #expect(try await offPool { fresh.waitForHead() }, "the stream answered")
            _ = try await server.ingest(alertLine("after-lag-\(attempt)", atSeconds: 100 + Double(attempt)))
            let received = try await offPool { fresh.events { seen in seen.contains { $0.event == "alert" || $0.event == "lagged" } } }
            fresh.connection.close()
            gotAlert = received.contains { $0.event == "alert" }
            if !gotAlert { #expect(received.last?.event == "lagged", "attempt \(attempt) ended without an alert and without lag: \(received.map(\.event))") }
        }
        #expect(gotAlert, "a client connected after the lag gets live messages")
        try await server.stop()
    }

    @Test func clientThatStopsReading_isClosedAfterTheStalledWriteTimeout_andCounted() async throws {
        let server = try await LiveServer.start { options in
            options.stalledWriteTimeoutMs = 300
        }
        let stalled = try SSETestClient(port: server.port, receiveBufferBytes: 4096)
        #expect(try await offPool { stalled.waitForHead() }, "the stream answered")
        // Large topology views until the kernel's buffers for this socket are full and
        // the channel stays unwritable; the client never reads again.
        let monitors = (0..<4).map { "\"monitor-\($0)-\(String(repeating: "m", count: 40))\"" }.joined(separator: ",")
        let deadline = ContinuousClock.now.advanced(by: .seconds(60))
        var round = 0
        while server.app.engine.metrics.snapshot().stalledConnectionsClosed == 0, ContinuousClock.now < deadline {
            if round < 400 {
                let lines = (0..<300).map { index in
                    #"{"type":"connection","ts":\#(KnownStream.at(Double(round))),"connection":"connection-\#(index)-\#(String(repeating: "c", count: 30))","monitors":[\#(monitors)],"load":\#(round % 100),"tps":\#(index),"parseRate":1,"latencyMs":1}"#
                }
                _ = try await server.ingest(lines.joined(separator: "\n"))
                round += 1
            } else {
                try await Task.sleep(for: .milliseconds(20))
            }
        }
        #expect(server.app.engine.metrics.snapshot().stalledConnectionsClosed == 1, "after \(round) rounds")
        let metrics = try await httpRequest(port: server.port, method: "GET", path: "/metrics").body
        #expect(metrics.contains("tacho_stalled_connections_closed_total 1"))
        stalled.connection.close()
        try await server.stop()
    }

    @Test func gracefulShutdown_withOpenStreams_endsThemAndStopsWithinTwoSeconds() async throws {
        let server = try await LiveServer.start()
        let clients = try (0..<3).map { _ in try SSETestClient(port: server.port) }
        let deadline = ContinuousClock.now.advanced(by: .seconds(10))
        while await server.app.broadcaster.clientCount < 3, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
        let acknowledged = try await server.ingest(KnownStream.ndjson)
        let took = try await server.stop(keepingDirectory: true)
        defer { server.directory.remove() }
        #expect(took < .seconds(2), "graceful shutdown took \(took)")
        for client in clients {
            let drained = try await offPool { client.drain(timeoutMs: 5000) }
            #expect(drained.ended, "the stream was ended by the shutdown")
        }
        // The shutdown flushed the log and checkpointed past every acknowledged event.
        let checkpoints = try FileCheckpointStore(directory: server.directory.path + "/checkpoints").list()
        #expect((checkpoints.checkpoints.first?.nextOffset ?? 0) > acknowledged.upperBound)
    }
}
