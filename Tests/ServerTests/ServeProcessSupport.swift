import Foundation
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// A serving child process of the built binary (.build/debug/tacho): `tacho serve`, or
/// `tacho replay --serve`.
final class ServeProcess: @unchecked Sendable {
    let process = Process()
    let port: Int
    /// The `tacho: serving http://…` line it printed.
    let banner: String
    private let output: Pipe

    /// The `tacho` of the build the tests came from (a sanitizer's, under `tools/sanitize`).
    static var binaryPath: String {
        BuiltProducts.path("tacho", packageRoot: URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent())
    }

    struct StartError: Error, CustomStringConvertible {
        let description: String
    }

    /// Starts the binary and waits (bounded) for its `tacho: serving http://HOST:PORT/` line.
    /// - Parameter stderrPath: a file that receives the process's log (default: discarded).
    init(command: String? = "serve", arguments: [String], stderrPath: String? = nil, binary: String = ServeProcess.binaryPath) async throws {
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            throw StartError(description: "\(binary) is missing: run swift build first")
        }
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = (command.map { [$0] } ?? []) + arguments
        output = Pipe()
        process.standardOutput = output
        if let stderrPath {
            _ = FileManager.default.createFile(atPath: stderrPath, contents: nil)
            process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: stderrPath))
        } else {
            process.standardError = FileHandle.nullDevice
        }
        try process.run()
        let handle = output.fileHandleForReading
        let line: String? = try await offPool {
            var collected = Data()
            let deadline = Date().addingTimeInterval(30 * TestEnvironment.slowdown)
            while Date() < deadline {
                // availableData blocks until bytes come: wait for them with a bound first.
                var ready = pollfd(fd: handle.fileDescriptor, events: Int16(POLLIN), revents: 0)
                guard poll(&ready, 1, 200) > 0 else { continue }
                let chunk = handle.availableData
                if chunk.isEmpty { return nil }
                collected.append(chunk)
                if let text = String(data: collected, encoding: .utf8), let end = text.firstIndex(of: "\n") { return String(text[..<end]) }
            }
            return nil
        }
        guard let line, let range = line.range(of: #"http://127\.0\.0\.1:(\d+)/"#, options: .regularExpression) else {
            process.terminate()
            throw StartError(description: "\(binary) \(command ?? "") did not print its URL (got \(line ?? "nothing"))")
        }
        banner = line
        let url = line[range]
        port = Int(url.dropFirst("http://127.0.0.1:".count).dropLast()) ?? 0
        #expect(line.hasPrefix("tacho: serving http://127.0.0.1:"))
    }

    func signal(_ number: Int32) {
        kill(process.processIdentifier, number)
    }

    /// Waits (bounded) for the process to exit; its exit status, or nil if it still runs.
    func waitForExit(timeout: TimeInterval) async throws -> Int32? {
        try await offPool { [process] in
            let deadline = Date().addingTimeInterval(timeout)
            while process.isRunning, Date() < deadline { usleep(5000) }
            return process.isRunning ? nil : process.terminationStatus
        }
    }

    /// Polls `/metrics` until the views cover the whole log, no alert the rules raised
    /// waits to be appended, and the log stopped growing.
    func waitUntilIdle() async throws -> Bool {
        let deadline = Date().addingTimeInterval(60)
        var previous: String?
        while Date() < deadline {
            let metrics = try await httpRequest(port: port, method: "GET", path: "/metrics").body
            let lines = Set(metrics.split(separator: "\n"))
            let settled = lines.contains("tacho_views_lag_events 0") && lines.contains("tacho_alert_events_waiting 0")
            let next = lines.first { $0.hasPrefix("tacho_log_next_offset ") }.map(String.init)
            if settled, let next, next == previous { return true }
            previous = settled ? next : nil
            try await Task.sleep(for: .milliseconds(50))
        }
        return false
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }
}
