import EventStore
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `tacho replay --serve` as a process of the built binary: its flags, its banner, and
/// a graceful stop on SIGTERM and SIGINT.
@Suite(.serialized) struct ReplayProcessTests {
    /// Starts `tacho replay … --serve --port 0` and waits (bounded) for its URL line.
    static func start(_ arguments: [String]) async throws -> (Process, port: Int, banner: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: ServeProcess.binaryPath)
        process.arguments = ["replay"] + arguments + ["--serve", "--port", "0"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let handle = output.fileHandleForReading
        let line: String? = try await offPool {
            var collected = Data()
            let deadline = Date().addingTimeInterval(60)
            while Date() < deadline {
                var ready = pollfd(fd: handle.fileDescriptor, events: Int16(POLLIN), revents: 0)
                guard poll(&ready, 1, 200) > 0 else { continue }
                let chunk = handle.availableData
                if chunk.isEmpty { return nil }
                collected.append(chunk)
                if let text = String(data: collected, encoding: .utf8), let end = text.firstIndex(of: "\n") { return String(text[..<end]) }
            }
            return nil
        }
        guard let line, let range = line.range(of: #"serving http://127\.0\.0\.1:(\d+)/"#, options: .regularExpression) else {
            process.terminate()
            throw ServeProcess.StartError(description: "tacho replay --serve did not print its URL (got \(line ?? "nothing"))")
        }
        let port = Int(line[range].dropFirst("serving http://127.0.0.1:".count).dropLast()) ?? 0
        return (process, port, line)
    }

    static func waitForExit(_ process: Process, timeout: TimeInterval) async throws -> Int32? {
        try await offPool {
            let deadline = Date().addingTimeInterval(timeout)
            while process.isRunning, Date() < deadline { usleep(5000) }
            return process.isRunning ? nil : process.terminationStatus
        }
    }

    @Test(arguments: [SIGTERM, SIGINT])
    func replayServe_servesTheRangeAtTheSpeedAsked_andStopsGracefullyOnASignal(signal: Int32) async throws {
        let (directory, events) = try await recordedReplayDirectory("replay-process")
        defer { directory.remove() }
        let from = EventTime.formatRFC3339(ReplayRecording.at(2))
        let to = EventTime.formatRFC3339(ReplayRecording.at(8))
        let (process, port, banner) = try await Self.start(["--data", directory.path, "--from", from, "--to", to, "--speed", "max"])
        #expect(banner.hasPrefix("tacho: serving http://127.0.0.1:\(port)/ (replay"))

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

        kill(process.processIdentifier, signal)
        #expect(try await Self.waitForExit(process, timeout: 30) == 0, "exits 0 on signal \(signal)")
        if process.isRunning { process.terminate() }
    }

    @Test func replayServe_refusesViewsWithServe_andAnEmptyRange() async throws {
        let (directory, _) = try await recordedReplayDirectory("replay-process-bad")
        defer { directory.remove() }
        for extra in [["--views"], ["--from", EventTime.formatRFC3339(ReplayRecording.at(3600))]] {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: ServeProcess.binaryPath)
            process.arguments = ["replay", "--data", directory.path, "--serve", "--port", "0"] + extra
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            let status = try await Self.waitForExit(process, timeout: 30)
            if process.isRunning { process.terminate() }
            #expect(status != nil && status != 0, "\(extra) is refused")
        }
    }
}
