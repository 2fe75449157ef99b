import EventStore
import Projections
import Foundation
import Testing
import TestSupport
@testable import Server
#if canImport(Glibc)
import Glibc
#endif

/// Issue 12's full disk, on a real small file system: an 8 MiB tmpfs mounted for the
/// test (root only; skipped with a message otherwise), most of it taken by a filler
/// file. `tacho serve` ingests into it, with a checkpoint every 200 ms, until the disk
/// is full; then:
///
/// - ingest answers 507 with a JSON error, never 500, and nothing refused is stored;
/// - reads (views, the query API, /metrics) and the dashboard are still served;
/// - stopping while full (its last checkpoint cannot be written) and starting again
///   while still full both succeed;
/// - the log stays consistent (`tacho verify` exits 0);
/// - once the filler is deleted ingest resumes, and every event acknowledged, before
///   and after, is in the log once, as sent.
@Suite(.serialized) struct FullDiskTests {
    /// Runs a program to completion with a deadline; its exit status (-1: did not end).
    static func run(_ path: String, _ arguments: [String], timeoutSeconds: Double = 30) -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return -1 }
        let deadline = Date().addingTimeInterval(timeoutSeconds)
        while process.isRunning, Date() < deadline { usleep(2000) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            return -1
        }
        return process.terminationStatus
    }

    /// A tmpfs of `sizeMiB` mounted on a new temporary directory for `body`, unmounted
    /// (and the directory removed) on every exit path. Nil when it cannot be mounted.
    static func withTmpfs(sizeMiB: Int, _ body: (String) async throws -> Void) async throws -> String? {
        guard getuid() == 0 else { return "not running as root: mounting a tmpfs needs it" }
        let directory = try TemporaryDirectory("full-disk")
        defer { directory.remove() }
        let status = run("/bin/mount", ["-t", "tmpfs", "-o", "size=\(sizeMiB)m", "tacho-full-disk", directory.path])
        guard status == 0 else { return "mount -t tmpfs failed (exit \(status)): no mount permission in this environment" }
        defer {
            if run("/bin/umount", [directory.path]) != 0 { _ = run("/bin/umount", ["-l", directory.path]) }
        }
        try await body(directory.path)
        return nil
    }

    /// Fills `path` with a file of `bytes` (or as much as fits).
    static func writeFiller(_ path: String, bytes: Int) {
        let fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0o644)
        guard fd >= 0 else { return }
        defer { close(fd) }
        let chunk = [UInt8](repeating: 0xA5, count: 64 * 1024)
        var written = 0
        while written < bytes {
            let n = chunk.withUnsafeBytes { write(fd, $0.baseAddress, min($0.count, bytes - written)) }
            if n <= 0 { return }
            written += n
        }
    }

    struct Sent {
        var events: [Event]
        var offsets: ClosedRange<UInt64>
    }

    /// One request of `count` events with little to compress (random values, many series).
    static func body(request: Int, count: Int, random: inout SplitMix64) -> String {
        let baseNs = EventTime.nowNs()
        return (0..<count).map { index in
            #"{"type":"metric","ts":\#(baseNs + Int64(index)),"name":"full_disk","labels":{"request":"\#(request)","k":"\#(index % 64)"},"value":\#(random.next() >> 11)}"#
        }.joined(separator: "\n")
    }

    /// Posts a body; the acknowledged events and offsets on 200, else the status and body.
    static func post(port: Int, body: String) async throws -> (status: Int, body: String, sent: Sent?) {
        let answer = try await httpRequest(port: port, method: "POST", path: "/api/v1/events", body: body)
        guard answer.status == 200 else { return (answer.status, answer.body, nil) }
        let offsets = try jsonObject(answer.body)["offsets"] as? [String: Any]
        guard let first = offsets?["first"] as? Int, let last = offsets?["last"] as? Int else { return (answer.status, answer.body, nil) }
        let events = try EventJSONDecoder().decode(body, defaultTimeNs: 0)
        return (200, answer.body, Sent(events: events, offsets: UInt64(first)...UInt64(last)))
    }

    /// The last lines of a server's log, for a failure's message (the directory is removed).
    static func tail(_ path: String, bytes: Int = 3000) -> String {
        String((try? String(contentsOfFile: path, encoding: .utf8))?.suffix(bytes) ?? "(no log)")
    }

    static let readPaths = ["/api/v1/health", "/api/v1/metrics/rps", "/api/v1/query?query=count(full_disk)", "/metrics", "/"]

    @Test(arguments: ["interval", "always"])
    func fullTmpfs_answers507_keepsTheLogConsistent_servesReads_andResumesWhenSpaceReturns(fsync: String) async throws {
        var random = SplitMix64(seed: 12)
        let skipped = try await Self.withTmpfs(sizeMiB: 8) { mount in
            let data = mount + "/data"
            let filler = mount + "/filler"
            Self.writeFiller(filler, bytes: 5 * 1024 * 1024)
            let arguments = ["--data", data, "--port", "0", "--no-collect", "--retention", "none", "--checkpoint-interval", "200ms", "--fsync", fsync]
            let logs = try TemporaryDirectory("full-disk-logs")
            defer { logs.remove() }
            var server = try await ServeProcess(arguments: arguments, stderrPath: logs.path + "/1")
            defer { server.signal(SIGKILL) }
            var acknowledged: [Sent] = []
            var refusals: [String] = []
            var request = 0

            // Ingest until the disk is full (bounded: 8 MiB cannot take more than this).
            let deadline = Date().addingTimeInterval(120)
            while refusals.count < 3, Date() < deadline {
                let answer = try await Self.post(port: server.port, body: Self.body(request: request, count: 2_000, random: &random))
                request += 1
                if let sent = answer.sent {
                    acknowledged.append(sent)
                    continue
                }
                #expect(answer.status == 507, "a full disk answered \(answer.status): \(answer.body.prefix(300))")
                let error = try? jsonObject(answer.body)
                #expect(error?["error"] as? String == "disk full" && error?["detail"] != nil, "507 without its JSON error: \(answer.body.prefix(300))")
                refusals.append(answer.body)
            }
            #expect(refusals.count == 3, "the disk never filled: \(acknowledged.count) requests acknowledged in 120 s")
            let acknowledgedWhileFilling = acknowledged.reduce(0) { $0 + $1.events.count }

            // Full: reads and the dashboard are served; checkpoints keep failing, harmlessly.
            for path in Self.readPaths {
                let answer = try await httpRequest(port: server.port, method: "GET", path: path)
                #expect(answer.status == 200, "\(path) answered \(answer.status) on a full disk")
            }
            #expect(try await TachoCommand.run(["verify", "--data", data]).status == 0, "verify finds damage on a full disk")

            // Stopped while full (the last checkpoint cannot be written) and started again while full.
            server.signal(SIGTERM)
            let fullStop = try await server.waitForExit(timeout: 30 * TestEnvironment.slowdown)
            #expect(fullStop == 0, "stopping on a full disk: exit \(fullStop.map(String.init) ?? "none in time"); its log ends: \(Self.tail(logs.path + "/1"))")
            server = try await ServeProcess(arguments: arguments, stderrPath: logs.path + "/2")
            #expect(try await server.waitUntilIdle(), "the restart on a full disk did not catch up")
            for path in Self.readPaths {
                let answer = try await httpRequest(port: server.port, method: "GET", path: path)
                #expect(answer.status == 200, "\(path) answered \(answer.status) after a restart on a full disk")
            }
            let stillFull = try await Self.post(port: server.port, body: Self.body(request: request, count: 2_000, random: &random))
            request += 1
            if let sent = stillFull.sent { acknowledged.append(sent) } else { #expect(stillFull.status == 507) }

            // Space returns: ingest resumes (polled, bounded).
            try FileManager.default.removeItem(atPath: filler)
            var resumed = 0
            let resumeDeadline = Date().addingTimeInterval(30)
            while resumed < 5, Date() < resumeDeadline {
                let answer = try await Self.post(port: server.port, body: Self.body(request: request, count: 2_000, random: &random))
                request += 1
                if let sent = answer.sent {
                    acknowledged.append(sent)
                    resumed += 1
                } else {
                    #expect(answer.status == 507, "after space returned: \(answer.status)")
                }
            }
            #expect(resumed == 5, "ingest did not resume once space returned")
            #expect(try await server.waitUntilIdle())
            server.signal(SIGTERM)
            let stop = try await server.waitForExit(timeout: 30 * TestEnvironment.slowdown)
            #expect(stop == 0, "stopping after space returned: exit \(stop.map(String.init) ?? "none in time"); its log ends: \(Self.tail(logs.path + "/2"))")

            // Every acknowledged event is there once, as sent; every checksum holds.
            let log = try ReadOnlyEventLog.open(directory: data)
            let verified = try log.verify()
            #expect(verified.damage.isEmpty && verified.incompleteTail == nil, "verify after the full disk: \(verified)")
            var stored: [UInt64: Event] = [:]
            let reader = log.reader(from: 0)
            while let batch = try reader.next() { for logged in batch.loggedEvents { stored[logged.offset] = logged.event } }
            var lost = 0
            for sent in acknowledged {
                for (offset, event) in zip(sent.offsets, sent.events) where stored[offset] != event { lost += 1 }
            }
            let total = acknowledged.reduce(0) { $0 + $1.events.count }
            #expect(lost == 0, "\(lost) of \(total) acknowledged events lost or changed")
            // Only metric events are sent; the server adds its own: its alert rules may
            // raise alerts (seen under AddressSanitizer's slower run), and it records its
            // health score every 15 s of event time.
            let ingested = stored.values.filter { $0.type == .metric && !HealthSample.isSample($0) }.count
            let ownEvents = stored.values.filter { $0.type != .metric }
            #expect(ownEvents.allSatisfy { $0.type == .alert || $0.type == .alertResolve }, "the log holds events nobody sent: \(ownEvents)")
            #expect(ingested == total, "the log holds \(ingested) metric events, \(total) were acknowledged (nothing refused may be stored)")
            // What the server logged of the full disk: failed checkpoints, refused appends.
            let logged = ["/1", "/2"].map { (try? String(contentsOfFile: logs.path + $0, encoding: .utf8)) ?? "" }.joined()
            let checkpointFailures = logged.components(separatedBy: "writing a projection checkpoint failed").count - 1
            #expect(checkpointFailures > 0, "no checkpoint write met the full disk: the test no longer shows the views' checkpoints filling it too")
            let checkpoints = (try? FileManager.default.contentsOfDirectory(atPath: data + "/checkpoints")) ?? []
            print("full disk (--fsync \(fsync)): 8 MiB tmpfs, 5 MiB filler; \(acknowledgedWhileFilling) events acknowledged until full, then 507 "
                + "(\(refusals.count) refusals, JSON error); reads, dashboard and restart served while full; after the filler went, "
                + "\(resumed) requests accepted; \(total) acknowledged events checked, \(lost) lost; \(checkpointFailures) checkpoint writes failed for lack of space meanwhile, "
                + "\(checkpoints.count) checkpoints on disk at the end")
        }
        if let skipped { print("FullDiskTests skipped: \(skipped)") }
    }
}
