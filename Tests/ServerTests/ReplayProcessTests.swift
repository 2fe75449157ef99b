import EventStore
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `tacho replay --serve` as a process of the built binary: its flags, its banner, and
/// a graceful stop on SIGTERM and SIGINT.
@Suite(.serialized) struct ReplayProcessTests {
    @Test(arguments: [SIGTERM, SIGINT])
    func replayServe_servesTheRangeAtTheSpeedAsked_andStopsGracefullyOnASignal(signal: Int32) async throws {
        let (directory, events) = try await recordedReplayDirectory("replay-process")
        defer { directory.remove() }
        let from = EventTime.formatRFC3339(ReplayRecording.at(2))
        let to = EventTime.formatRFC3339(ReplayRecording.at(8))
        let server = try await ServeProcess(
            command: "replay", arguments: ["--data", directory.path, "--from", from, "--to", to, "--speed", "max", "--serve", "--port", "0"])
        let port = server.port
        #expect(server.banner.hasPrefix("tacho: serving http://127.0.0.1:\(port)/ (replay"))

        var state: [String: Any] = [:]
        let deadline = ContinuousClock.now.advanced(by: .seconds(60))
        while ContinuousClock.now < deadline {
            state = try jsonObject(try await replayRequest(port: port, method: "GET", path: "/api/v1/replay").body)
            if state["ended"] as? Bool == true { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(state["ended"] as? Bool == true)
        #expect(state["speed"] as? String == "max")
        #expect(state["first"] as? String == from)
        let inRange = events.filter { $0.event.timeNs >= ReplayRecording.at(2) && $0.event.timeNs < ReplayRecording.at(8) }
        #expect(state["eventsFolded"] as? Int == inRange.count)
        #expect(state["lastNs"] as? Int == Int(ReplayRecording.at(8) - 1), "the range ends before --to")

        server.signal(signal)
        #expect(try await server.waitForExit(timeout: 30) == 0, "exits 0 on signal \(signal)")
        if server.process.isRunning { server.process.terminate() }
    }

    @Test func replayServe_refusesViewsWithServe_andAnEmptyRange() async throws {
        let (directory, _) = try await recordedReplayDirectory("replay-process-bad")
        defer { directory.remove() }
        for extra in [["--views"], ["--from", EventTime.formatRFC3339(ReplayRecording.at(3600))]] {
            let refused = try await TachoCommand.run(["replay", "--data", directory.path, "--serve", "--port", "0"] + extra, timeoutSeconds: 30)
            #expect(refused.status != 0, "\(extra) is refused")
        }
    }
}
