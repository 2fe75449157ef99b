import EventStore
import Foundation
import Projections
@testable import Server
import Testing

/// Issue 9's "one engine, tested once through each door": on one recording holding
/// events late across second boundaries, `tacho replay --views`, `tacho replay --serve`'s
/// `?at=` and `tacho analyze --to` all answer what the event-time fold gives (every event
/// at or before the time, in log order, wherever it sits). The live server's `?at=` is
/// the same host fold, compared with the sweep in `EventTimeSweepTests`.
@Suite struct OneEngineThroughEachDoorTests {
    /// The replay recording, with a breaker opening, a failed operation and an alert
    /// stamped seconds before the batch that carries them.
    static func recordWithLateEvents(into path: String) async throws -> [LoggedEvent] {
        var demo = DemoWorkload(seed: 7, startTimeNs: ReplayRecording.startNs)
        let log = try EventLog.open(directory: path)
        for second in 0..<ReplayRecording.seconds {
            var events = demo.nextSecond()
            if second == 7 {
                events.append(Event(timeNs: ReplayRecording.at(2.2), body: .breaker(BreakerTransition(
                    connection: "late-conn", from: .closed, to: .open, failures: 3, reason: "late"))))
                events.append(Event(timeNs: ReplayRecording.at(3.5), body: .op(Operation(name: "late-op", durationMs: 12, ok: false))))
                events.append(Event(timeNs: ReplayRecording.at(4.1), body: .alert(AlertRaised(
                    id: "late-a", severity: .warning, kind: "test", message: "late alert"))))
            }
            _ = try await log.append(events)
        }
        try await log.close()
        return try ReplayRecording.loggedEvents(path)
    }

    /// The same JSON value, whatever the key order or number spelling.
    static func sameJSON(_ a: Any?, _ b: String) throws -> Bool {
        guard let a else { return false }
        let right = try JSONSerialization.jsonObject(with: Data(b.utf8))
        return try JSONSerialization.data(withJSONObject: a, options: [.sortedKeys])
            == JSONSerialization.data(withJSONObject: right, options: [.sortedKeys])
    }

    @Test func replayViews_replayServeAt_andAnalyze_allAnswerTheEventTimeFold() async throws {
        let directory = try TemporaryDirectory("one-engine")
        defer { directory.remove() }
        let events = try await Self.recordWithLateEvents(into: directory.path)
        let secondNs: Int64 = 1_000_000_000

        // tacho replay --views: one line per second holding events, its views at the second's end.
        let replayed = try await runTool(ServeProcess.binaryPath, ["replay", "--data", directory.path, "--views", "--speed", "max", "--quiet"])
        #expect(replayed.status == 0, "\(replayed.output.suffix(500))")
        let lines = replayed.output.split(separator: "\n").filter { $0.hasPrefix("{") }.map(String.init)
        let seconds = Set(events.map { StepSeconds.floor($0.event.timeNs) }).sorted()
        #expect(lines.count == seconds.count, "one line per second holding events")
        for (line, second) in zip(lines, seconds) {
            let expected = ReplayRecording.fold(events, upToNs: (second + 1) * secondNs - 1)
            let printed = try jsonObject(line)
            #expect(printed["events"] as? Int == Int(expected.eventCount), "second \(second): event count")
            #expect(printed["offset"] as? Int == expected.lastOffset.map(Int.init), "second \(second): last offset")
            #expect(try Self.sameJSON(printed["breakers"], JSONResponse.encodeString(expected.breakers.view())), "second \(second): breakers")
            #expect(try Self.sameJSON(printed["alerts"], JSONResponse.encodeString(expected.alerts.view())), "second \(second): alerts")
            #expect(try Self.sameJSON(printed["latency"], JSONResponse.encodeString(expected.latency.view())), "second \(second): latency")
        }

        // tacho replay --serve: ?at= at moments the late events change.
        let server = try await ReplayServer.start(directory: directory.path)
        for seconds in [2.1, 2.5, 3.6, 4.2, 6.9, 7.5, 11.9] {
            let atNs = ReplayRecording.at(seconds)
            let expected = ReplayRecording.fold(events, upToNs: atNs)
            let at = EventTime.formatRFC3339(atNs)
            #expect(try await server.get("/api/v1/fault-tolerance/circuit-breakers?at=\(at)").body == JSONResponse.encodeString(expected.breakers.view()), "?at=\(seconds) s: breakers")
            #expect(try await server.get("/api/v1/fault-tolerance/alerts?at=\(at)").body == JSONResponse.encodeString(expected.alerts.view()), "?at=\(seconds) s: alerts")
            #expect(try await server.get("/api/v1/health?at=\(at)").body == JSONResponse.encodeString(expected.healthView()), "?at=\(seconds) s: health")
        }
        _ = try await server.stop()

        // tacho analyze --to T: the events strictly before T, wherever they sit.
        for seconds in [3.0, 5.0, 12.0] {
            let toNs = ReplayRecording.at(seconds)
            let analysed = try await runTool(ServeProcess.binaryPath, [
                "analyze", "--data", directory.path, "--to", EventTime.formatRFC3339(toNs), "--format", "json", "--quiet",
            ])
            #expect(analysed.status == 0, "\(analysed.output.suffix(500))")
            let report = try jsonObject(analysed.output)
            let before = events.filter { $0.event.timeNs < toNs }
            #expect((report["range"] as? [String: Any])?["events"] as? Int == before.count, "analyze --to \(seconds) s: events")
            var counts: [String: Int] = [:]
            for logged in before { counts[logged.event.type.name, default: 0] += 1 }
            let reported = (report["eventCounts"] as? [String: Int] ?? [:]).filter { $0.value > 0 }
            #expect(reported == counts, "analyze --to \(seconds) s: events by type")
        }
    }
}

/// Whole seconds of event time (floor, also before 1970).
enum StepSeconds {
    static func floor(_ timeNs: Int64) -> Int64 {
        let (quotient, remainder) = timeNs.quotientAndRemainder(dividingBy: 1_000_000_000)
        return remainder < 0 ? quotient - 1 : quotient
    }
}
