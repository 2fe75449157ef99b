import EventStore
import Foundation
import Projections
import Testing
@testable import Server

/// A real replay server on 127.0.0.1: reads at the cursor and with `?at=`, the control
/// API, the refused writes, the untouched directory, and the stream.
@Suite(.serialized) struct ReplayServerTests {
    static func rfc3339(_ seconds: Double) -> String { EventTime.formatRFC3339(ReplayRecording.at(seconds)) }

    @Test func reads_withoutAtAnswerTheCursor_withAtThatTime_andInfoAndLogSayReplay() async throws {
        let (directory, events) = try await recordedReplayDirectory("replay-reads")
        defer { directory.remove() }
        let server = try await ReplayServer.start(directory: directory.path)

        let seek = try await server.control(#"{"action":"seek","at":"\#(Self.rfc3339(6.5))"}"#)
        #expect(seek.status == 200)
        #expect(try jsonObject(seek.body)["cursorNs"] as? Int == Int(ReplayRecording.at(6.5)))
        let atCursor = ReplayRecording.fold(events, upToNs: ReplayRecording.at(6.5))
        #expect(try await server.get("/api/v1/health").body == JSONResponse.encodeString(atCursor.healthView()))
        #expect(try await server.get("/api/v1/topology").body == JSONResponse.encodeString(atCursor.topologyView()))
        #expect(try await server.get("/api/v1/fault-tolerance/alerts").body == JSONResponse.encodeString(atCursor.alerts.view()))
        #expect(try await server.get("/api/v1/performance/cache/stats").body == JSONResponse.encodeString(atCursor.caches.view()))

        let earlier = ReplayRecording.fold(events, upToNs: ReplayRecording.at(2.25))
        #expect(try await server.get("/api/v1/health?at=\(Self.rfc3339(2.25))").body == JSONResponse.encodeString(earlier.healthView()))
        #expect(try await server.get("/api/v1/fault-tolerance/circuit-breakers?at=\(ReplayRecording.at(2.25))").body
            == JSONResponse.encodeString(earlier.breakers.view()))
        let alertsLater = try jsonObject(try await server.get("/api/v1/fault-tolerance/alerts?at=\(Self.rfc3339(9.5))").body)
        #expect((alertsLater["alerts"] as? [[String: Any]])?.first?["status"] as? String == "acknowledged")

        let info = try jsonObject(try await server.get("/api/v1/info").body)
        #expect(info["mode"] as? String == "replay")
        #expect(info["dataDirectory"] as? String == directory.path)
        let log = try jsonObject(try await server.get("/api/v1/log").body)
        #expect(log["firstTimeNs"] as? Int == Int(ReplayRecording.startNs))
        #expect(log["lastTimeNs"] as? Int == Int(events.map(\.event.timeNs).max()!))
        #expect(log["nextOffset"] as? Int == events.count)
        let state = try jsonObject(try await server.get("/api/v1/replay").body)
        #expect(state["cursorNs"] as? Int == Int(ReplayRecording.at(6.5)))
        #expect(state["playing"] as? Bool == false)
        try await server.stop()
    }

    /// Grafana and promtool read a recording through `tacho replay --serve`: PromQL over
    /// the samples of the range only, and a query that names no time asks at the cursor.
    @Test func promQL_readsTheRangesSamples_andAQueryWithoutATimeAsksAtTheCursor() async throws {
        let (directory, events) = try await recordedReplayDirectory("replay-promql")
        defer { directory.remove() }
        let toNs = ReplayRecording.at(8)
        let server = try await ReplayServer.start(directory: directory.path, toNs: toNs)
        let samples = events.compactMap { logged -> (timeNs: Int64, value: Double)? in
            guard case .metric(let sample) = logged.event.body, sample.series.name == "cpu_percent", sample.series.labels["core"] == "total" else { return nil }
            return (logged.event.timeNs, sample.value)
        }
        #expect(samples.count == ReplayRecording.seconds)
        let selector = "query=cpu_percent%7Bcore%3D%22total%22%7D"
        func result(_ query: String) async throws -> [[String: Any]] {
            let answer = try await server.get("/api/v1/query?" + query)
            #expect(answer.status == 200, "\(query): \(answer.body)")
            let data = try #require(try jsonObject(answer.body)["data"] as? [String: Any])
            return try #require(data["result"] as? [[String: Any]])
        }
        func value(_ entry: [String: Any]?) -> Double? { ((entry?["value"] as? [Any])?.last as? String).flatMap(Double.init) }

        _ = try await server.control(#"{"action":"seek","at":"\#(Self.rfc3339(6.5))"}"#)
        let atCursor = try await result(selector)
        #expect(atCursor.count == 1)
        #expect(value(atCursor.first) == samples.last { $0.timeNs <= ReplayRecording.at(6.5) }?.value, "the newest sample at the cursor")
        _ = try await server.control(#"{"action":"seek","at":"\#(Self.rfc3339(2.5))"}"#)
        #expect(value(try await result(selector).first) == samples.last { $0.timeNs <= ReplayRecording.at(2.5) }?.value)

        // Past the range's end, only its samples count.
        let afterEnd = Double(ReplayRecording.at(11)) / 1e9
        let counted = try await result("query=count_over_time(cpu_percent%7Bcore%3D%22total%22%7D%5B1m%5D)&time=\(afterEnd)")
        #expect(value(counted.first) == Double(samples.filter { $0.timeNs < toNs }.count))
        #expect(samples.contains { $0.timeNs >= toNs }, "the recording holds samples past the range")
        let build = try await server.get("/api/v1/status/buildinfo")
        #expect(build.status == 200 && build.body.contains(#""status":"success""#))
        try await server.stop()
    }

    @Test func badControlInput_is400NamingTheField_andChangesNothing() async throws {
        let (directory, _) = try await recordedReplayDirectory("replay-bad")
        defer { directory.remove() }
        let server = try await ReplayServer.start(directory: directory.path)
        #expect(try await server.control(#"{"action":"seek","at":"\#(Self.rfc3339(7))"}"#).status == 200)
        let before = try await server.get("/api/v1/replay").body
        let healthBefore = try await server.get("/api/v1/health").body
        for (body, field) in [
            (#"{"action":"rewind"}"#, "action"), (#"{"action":"play","speed":0}"#, "speed"),
            (#"{"action":"play","speed":"warp"}"#, "speed"), (#"{"action":"seek"}"#, "at"),
            (#"{"action":"seek","at":"noon"}"#, "at"), ("not json", "body"), ("", "body"),
        ] {
            let answer = try await server.control(body)
            #expect(answer.status == 400, "\(body)")
            let error = try jsonObject(answer.body)
            #expect(error["error"] as? String == "bad request")
            #expect((error["detail"] as? String)?.contains("field '\(field)'") == true, "\(body): \(answer.body)")
        }
        #expect(try await server.get("/api/v1/replay").body == before, "nothing changed")
        #expect(try await server.get("/api/v1/health").body == healthBefore)
        #expect(try await server.get("/api/v1/health?at=bogus").status == 400)
        try await server.stop()
    }

    @Test func writesAreRefused_andTheRecordedFilesStayByteIdentical_afterAWholeReplay() async throws {
        let (directory, events) = try await recordedReplayDirectory("replay-readonly")
        defer { directory.remove() }
        let filesBefore = try ReplayRecording.files(directory.path)
        #expect(filesBefore.keys.contains { $0.hasPrefix("/log/") })
        var options = ReplayOptions()
        options.eventsPerTickMax = 2000
        let server = try await ReplayServer.start(directory: directory.path, speed: .max, playing: true, replayOptions: options)
        let ended = try #require(await server.waitForStatus { $0.ended })
        #expect(ended.eventsFolded == UInt64(events.count))

        let alertID = "replay-a1"
        for path in ["/api/v1/events", "/api/v1/fault-tolerance/alerts/\(alertID)/ack", "/api/v1/performance/suggestions/s1/apply"] {
            let answer = try await server.post(path, body: #"{"type":"annotation","text":"x","tags":[]}"#)
            #expect(answer.status == 409, "\(path)")
            #expect(try jsonObject(answer.body)["error"] as? String == "read-only", "\(path)")
        }
        #expect(try await server.control(#"{"action":"seek","at":"\#(Self.rfc3339(3))"}"#).status == 200)
        #expect(try await server.control(#"{"action":"step"}"#).status == 200)
        _ = try await server.get("/api/v1/metrics/historical?range=15m&at=\(Self.rfc3339(9))")
        _ = try await server.get("/api/v1/annotations")
        let client = try SSETestClient(port: server.port)
        #expect(try await offPool { client.waitForHead() })
        try await server.stop()
        client.connection.close()

        let filesAfter = try ReplayRecording.files(directory.path)
        #expect(filesAfter.keys.sorted() == filesBefore.keys.sorted(), "no file created or removed")
        for (path, bytes) in filesBefore { #expect(filesAfter[path] == bytes, "\(path) unchanged") }
        #expect(try ReplayRecording.loggedEvents(directory.path).count == events.count, "nothing appended")
    }

    @Test func stream_sendsTheLiveMessagesAndTheReplayState_asTheCursorMoves() async throws {
        let (directory, events) = try await recordedReplayDirectory("replay-stream")
        defer { directory.remove() }
        let server = try await ReplayServer.start(directory: directory.path)
        let client = try SSETestClient(port: server.port)
        let prelude = try await offPool { client.events { $0.count >= 3 } }
        try #require(prelude.count == 3)
        #expect(prelude.map(\.event) == ["replay", "metrics", "reset"])
        #expect(try jsonObject(prelude[0].data)["cursorNs"] as? Int == Int(ReplayRecording.startNs))

        // A seek: every view at once, then the state.
        #expect(try await server.control(#"{"action":"seek","at":"\#(Self.rfc3339(4.5))"}"#).status == 200)
        let sought = try await offPool { client.events { $0.contains { $0.event == "replay" } } }
        #expect(sought.map(\.event) == ["reset", "replay"])
        let offsetAt4_5 = try #require(ReplayRecording.fold(events, upToNs: ReplayRecording.at(4.5)).lastOffset)
        #expect(sought.allSatisfy { $0.id == offsetAt4_5 }, "ids are the offset of the last event folded")

        // A step over the recorded alert: the alert, the changed views, a summary, the state.
        #expect(try await server.control(#"{"action":"step"}"#).status == 200)
        let stepped = try await offPool { client.events { $0.contains { $0.event == "replay" } } }
        let offsetAt5_5 = try #require(ReplayRecording.fold(events, upToNs: ReplayRecording.at(5.5)).lastOffset)
        #expect(stepped.allSatisfy { $0.id == offsetAt5_5 })
        let names = Set(stepped.map(\.event))
        for name in ["alert", "health", "circuit-breaker", "topology", "batch-metrics", "metrics", "replay"] {
            #expect(names.contains(name), "step sends \(name): \(stepped.map(\.event))")
        }
        let alert = try jsonObject(try #require(stepped.first { $0.event == "alert" }).data)
        #expect(alert["id"] as? String == "replay-a1" && alert["status"] as? String == "active")
        #expect(try jsonObject(try #require(stepped.last).data)["cursorNs"] as? Int == Int(ReplayRecording.at(5.5)))

        // Played on at max speed to the end: the acknowledgement arrives, the state says ended.
        #expect(try await server.control(#"{"action":"play","speed":"max"}"#).status == 200)
        let played = try await offPool {
            client.events { seen in seen.contains { $0.event == "replay" && $0.data.contains(#""ended":true"#) } }
        }
        let ack = try #require(played.first { $0.event == "alert" })
        #expect(try jsonObject(ack.data)["status"] as? String == "acknowledged")
        let ids = played.compactMap(\.id)
        #expect(ids == ids.sorted(), "ids go forward while playing")
        #expect(ids.last == events.last?.offset)

        // Graceful stop with the stream open.
        let took = try await server.stop()
        #expect(took < .seconds(5), "stopped in \(took)")
        #expect(try await offPool { client.drain(timeoutMs: 10_000).ended }, "the stream was ended")
        client.connection.close()
    }
}
