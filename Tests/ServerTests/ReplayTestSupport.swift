import EventStore
import Dispatch
import Foundation
import Projections
import ServiceLifecycle
@testable import Server

/// A recorded session for the replay tests: the seeded demo second by second (one
/// batch each), with an alert raised at 4.9 s and acknowledged at 8.9 s.
enum ReplayRecording {
    static let startNs = KnownStream.startNs
    static let seconds = 12
    static func at(_ seconds: Double) -> Int64 { startNs + Int64(seconds * 1e9) }

    /// Records the session into `path` (created) and returns its events as logged.
    static func record(into path: String) async throws -> [LoggedEvent] {
        var demo = DemoWorkload(seed: 7, startTimeNs: startNs)
        let log = try EventLog.open(directory: path)
        for second in 0..<seconds {
            var events = demo.nextSecond()
            if second == 4 {
                events.append(Event(timeNs: at(4.9), body: .alert(AlertRaised(
                    id: "replay-a1", severity: .critical, kind: "test", message: "recorded alert"))))
            }
            if second == 8 { events.append(Event(timeNs: at(8.9), body: .alertAck(AlertAck(id: "replay-a1", by: "ops")))) }
            _ = try await log.append(events)
        }
        try await log.close()
        return try loggedEvents(path)
    }

    /// The same session written as a collector beside a backfill writes it: seconds 6–11
    /// first, then 0–5 (late, behind newer events), with second 3's batch in reverse
    /// time order. Small segments, so that readers pass whole sealed ones over.
    static func recordOutOfOrder(into path: String) async throws -> [LoggedEvent] {
        var demo = DemoWorkload(seed: 7, startTimeNs: startNs)
        let seconds = (0..<seconds).map { _ in demo.nextSecond() }
        var options = LogOptions()
        options.segmentBytesMax = 16 * 1024
        options.sparseIndexIntervalBytes = 512
        let log = try EventLog.open(directory: path, options: options)
        for second in Array(6..<seconds.count) + Array(0..<6) {
            _ = try await log.append(second == 3 ? seconds[second].reversed() : seconds[second])
        }
        try await log.close()
        return try loggedEvents(path)
    }

    static func loggedEvents(_ path: String) throws -> [LoggedEvent] {
        let log = try ReadOnlyEventLog.open(directory: path)
        let reader = log.reader(from: 0)
        var all: [LoggedEvent] = []
        while let batch = try reader.next() { all.append(contentsOf: batch.loggedEvents) }
        return all
    }

    /// The fold a replay of `[fromNs, toNs)` must show at `upToNs`: the range's events in
    /// log order up to the first one later than `upToNs`.
    static func fold(_ events: [LoggedEvent], upToNs: Int64, fromNs: Int64? = nil, toNs: Int64? = nil) -> ProjectionSet {
        var views = ProjectionSet()
        for logged in events {
            let time = logged.event.timeNs
            guard fromNs.map({ time >= $0 }) ?? true, toNs.map({ time < $0 }) ?? true else { continue }
            // Every event at or before the time, wherever it sits (DESIGN.md, "Event time").
            if time > upToNs { continue }
            views.apply(logged.event, offset: logged.offset)
        }
        return views
    }

    /// Every file under `path` with its bytes, by relative path.
    static func files(_ path: String) throws -> [String: Data] {
        var files: [String: Data] = [:]
        let root = URL(fileURLWithPath: path)
        guard let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey]) else { return files }
        for case let url as URL in walker where (try url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true {
            files[String(url.path.dropFirst(root.path.count))] = try Data(contentsOf: url)
        }
        return files
    }
}

/// A replay server on 127.0.0.1 and a free port over `directory`, stopped by `stop()`.
final class ReplayServer: Sendable {
    let app: ReplayApp
    let port: Int
    private let group: ServiceGroup
    private let running: Task<Void, any Error>

    static func start(
        directory: String, fromNs: Int64? = nil, toNs: Int64? = nil, speed: PlaybackSpeed = .factor(1), playing: Bool = false,
        replayOptions: ReplayOptions = ReplayOptions()
    ) async throws -> ReplayServer {
        var options = ServerOptions()
        options.port = 0
        let app = try await ReplayApp.open(
            dataDirectory: directory, fromNs: fromNs, toNs: toNs, speed: speed, playing: playing, options: options,
            replayOptions: replayOptions)
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let group = app.serviceGroup(handlesSignals: false) { port in continuation.yield(port) }
        let running = Task { try await group.run() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { throw CancellationError() }
        return ReplayServer(app: app, port: port, group: group, running: running)
    }

    private init(app: ReplayApp, port: Int, group: ServiceGroup, running: Task<Void, any Error>) {
        self.app = app
        self.port = port
        self.group = group
        self.running = running
    }

    /// Graceful shutdown; returns how long it took.
    @discardableResult
    func stop() async throws -> Duration {
        let clock = ContinuousClock()
        let started = clock.now
        await group.triggerGracefulShutdown()
        try await running.value
        return started.duration(to: clock.now)
    }

    func control(_ body: String) async throws -> (status: Int, body: String) {
        try await replayRequest(port: port, method: "POST", path: "/api/v1/replay", body: body)
    }

    func get(_ path: String) async throws -> (status: Int, body: String) {
        try await replayRequest(port: port, method: "GET", path: path)
    }

    func post(_ path: String, body: String) async throws -> (status: Int, body: String) {
        try await replayRequest(port: port, method: "POST", path: path, body: body)
    }

    /// Polls the state until `done` holds, for at most `timeout`.
    func waitForStatus(timeout: Duration = .seconds(60), _ done: (ReplayStatus) -> Bool) async -> ReplayStatus? {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        while clock.now < deadline {
            let status = app.engine.status()
            if done(status) { return status }
            try? await Task.sleep(for: .milliseconds(5))
        }
        return nil
    }
}

/// A fresh directory with the recording, removed by the caller.
func recordedReplayDirectory(_ label: String) async throws -> (TemporaryDirectory, [LoggedEvent]) {
    let directory = try TemporaryDirectory(label)
    do {
        return (directory, try await ReplayRecording.record(into: directory.path))
    } catch {
        directory.remove()
        throw error
    }
}

/// One request with `Connection: close`, answered whole, waiting up to `timeoutMs` in
/// all: generous, since a loaded 2-core CI machine can stall a fold for seconds.
func replayRequest(port: Int, method: String, path: String, body: String = "", timeoutMs: Int = 60_000) async throws -> (status: Int, body: String) {
    try await offPool {
        let connection = try RawHTTPConnection(port: port)
        defer { connection.close() }
        let request = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Length: \(body.utf8.count)\r\n\r\n"
        connection.send(request + body)
        var raw: [UInt8] = []
        let deadline = DispatchTime.now().uptimeNanoseconds + UInt64(timeoutMs) * 1_000_000
        while DispatchTime.now().uptimeNanoseconds < deadline {
            let leftMs = Int32(max(1, (deadline - DispatchTime.now().uptimeNanoseconds) / 1_000_000))
            guard let bytes = connection.receive(timeoutMs: leftMs) else { break }
            raw.append(contentsOf: bytes)
        }
        let text = String(decoding: raw, as: UTF8.self)
        guard let split = text.range(of: "\r\n\r\n") else { return (0, text) }
        let head = text[..<split.lowerBound].lowercased()
        let status = Int(head.split(separator: " ").dropFirst().first ?? "") ?? 0
        var payload = Substring(text[split.upperBound...])
        guard head.contains("transfer-encoding: chunked") else { return (status, String(payload)) }
        var joined = ""
        while let lineEnd = payload.range(of: "\r\n"), let size = Int(payload[..<lineEnd.lowerBound], radix: 16), size > 0 {
            let bytes = Array(payload[lineEnd.upperBound...].utf8)
            joined += String(decoding: bytes.prefix(size), as: UTF8.self)
            payload = Substring(String(decoding: bytes.dropFirst(size + 2), as: UTF8.self))
        }
        return (status, joined)
    }
}
