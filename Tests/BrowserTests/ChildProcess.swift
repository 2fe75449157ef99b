import Dispatch
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A child process whose stdout lines can be awaited; `stop()` ends it for certain
/// (SIGTERM, then SIGKILL after a grace period), waiting a bounded time.
final class ChildProcess: @unchecked Sendable {
    let process = Process()
    let name: String
    private let output = Pipe()
    private let lock = NSLock()
    private var lines: [String] = []
    private var partial = ""

    init(_ executable: String, _ arguments: [String]) throws {
        name = URL(fileURLWithPath: executable).lastPathComponent
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardOutput = output
        process.standardError = FileHandle.standardError
        output.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let data = handle.availableData
            guard let self, !data.isEmpty else { return }
            self.lock.withLock {
                self.partial += String(decoding: data, as: UTF8.self)
                while let newline = self.partial.firstIndex(of: "\n") {
                    self.lines.append(String(self.partial[..<newline]))
                    self.partial = String(self.partial[self.partial.index(after: newline)...])
                }
            }
        }
        try process.run()
    }

    var pid: pid_t { process.processIdentifier }

    /// The first stdout line containing `marker`, waiting up to `timeoutMs`.
    func line(containing marker: String, timeoutMs: Int) async throws -> String {
        let deadline = ContinuousClock.now + .milliseconds(timeoutMs)
        while ContinuousClock.now < deadline {
            if let found = lock.withLock({ lines.first { $0.contains(marker) } }) { return found }
            guard process.isRunning else { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw WebDriver.Failure(description: "\(name) printed no line with '\(marker)' within \(timeoutMs) ms (running: \(process.isRunning))")
    }

    /// SIGTERM, up to `graceMs` to exit, then SIGKILL. Synchronous and bounded (a few
    /// seconds at most), so that it can run from `defer` on every exit path.
    func stop(graceMs: Int = 3_000) {
        if process.isRunning {
            kill(pid, SIGTERM)
            if !Self.waitForExit(process, timeoutMs: graceMs) {
                kill(pid, SIGKILL)
                _ = Self.waitForExit(process, timeoutMs: 3_000)
            }
        }
        output.fileHandleForReading.readabilityHandler = nil
    }

    private static func waitForExit(_ process: Process, timeoutMs: Int) -> Bool {
        let deadline = DispatchTime.now().uptimeNanoseconds + UInt64(timeoutMs) * 1_000_000
        while process.isRunning, DispatchTime.now().uptimeNanoseconds < deadline { usleep(10_000) }
        return !process.isRunning
    }

    /// Every live process below `root` (children, grandchildren, …), read from /proc.
    static func descendants(of root: pid_t) -> [pid_t] {
        var children: [pid_t: [pid_t]] = [:]
        for pid in allPIDs() {
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { continue }
            // Fields after the command name: state, ppid, …
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            if fields.count > 1, let parent = pid_t(fields[1]) { children[parent, default: []].append(pid) }
        }
        var found: [pid_t] = []
        var queue = [root]
        while let next = queue.popLast() {
            for child in children[next] ?? [] { found.append(child); queue.append(child) }
        }
        return found
    }

    /// Every live process whose command line contains `marker`.
    static func processes(withArgumentContaining marker: String) -> [pid_t] {
        allPIDs().filter { pid in
            guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return false }
            return String(decoding: data, as: UTF8.self).contains(marker)
        }
    }

    private static func allPIDs() -> [pid_t] {
        let own = getpid()
        return ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).compactMap { pid_t($0) }.filter { $0 != own }
    }

    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { Glibc.close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw WebDriver.Failure(description: "no free loopback port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

/// The browser side of a run: chromedriver and the Chromium it starts. `stop()` kills
/// chromedriver's whole process tree plus any process carrying this run's unique
/// user-data directory (a Chromium helper that was re-parented), by pid.
final class BrowserProcesses: @unchecked Sendable {
    let driver: ChildProcess
    let driverPort: Int
    let userDataDirectory: String

    init(chromedriver: String) throws {
        driverPort = try ChildProcess.freePort()
        userDataDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("tacho-chromium-\(UUID().uuidString)").path
        driver = try ChildProcess(chromedriver, ["--port=\(driverPort)", "--allowed-ips=127.0.0.1", "--log-level=SEVERE"])
    }

    func stop() {
        var targets = Set(ChildProcess.descendants(of: driver.pid))
        targets.formUnion(ChildProcess.processes(withArgumentContaining: userDataDirectory))
        for pid in targets { kill(pid, SIGKILL) }
        driver.stop(graceMs: 1_000)
        // Killed processes that are not our children are reaped by init; wait (bounded) until they are gone.
        let deadline = DispatchTime.now().uptimeNanoseconds + 3_000_000_000
        while targets.contains(where: { kill($0, 0) == 0 && !Self.isZombie($0) }), DispatchTime.now().uptimeNanoseconds < deadline { usleep(10_000) }
        try? FileManager.default.removeItem(atPath: userDataDirectory)
    }

    private static func isZombie(_ pid: pid_t) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), let close = stat.lastIndex(of: ")") else { return true }
        return stat[stat.index(after: close)...].split(separator: " ").first == "Z"
    }
}
