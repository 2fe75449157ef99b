import EventStore
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
@testable import Server

/// The ingest bounds of DESIGN.md's "Event time": nothing more than `--max-future`
/// ahead of the server's clock, nothing older than the log's newest event time minus
/// the retention; everything else, in any order, is accepted.
@Suite(.serialized) struct EventTimeIngestTests {
    static let dayNs: Int64 = 86_400 * EventTime.nanosPerSecond

    static func metric(_ timeNs: Int64, value: Double = 1) -> String {
        #"{"type":"metric","ts":\#(timeNs),"name":"queue_depth","value":\#(value)}"#
    }

    /// A live app on a temporary directory with its router under test.
    func withApp(_ body: @escaping @Sendable (TachoApp, any TestClientProtocol) async throws -> Void) async throws {
        try await withRunningEngine { app in
            try await Application(router: app.router()).test(.router) { client in try await body(app, client) }
        }
    }

    @Test func futureStampedLine_isRefusedWhole_namingItsLineAndTs_andNothingIsAppended() async throws {
        try await withApp { app, client in
            let nowNs = EventTime.nowNs()
            let body = [Self.metric(nowNs), Self.metric(nowNs + 3600 * EventTime.nanosPerSecond), Self.metric(nowNs)].joined(separator: "\n")
            try await client.execute(uri: "/api/v1/events", method: .post, body: ByteBuffer(string: body)) { response in
                #expect(response.status == .badRequest)
                let text = String(buffer: response.body)
                #expect(text.contains("line 2"), "names the line: \(text)")
                #expect(text.contains("'ts'"), "names the field: \(text)")
                #expect(text.contains("--max-future"), "says which bound: \(text)")
            }
            #expect(app.engine.log.highWaterMark == 0, "nothing of the request was appended")
            // One from 2100 would freeze every live window: refused the same way.
            try await client.execute(
                uri: "/api/v1/events", method: .post,
                body: ByteBuffer(string: #"[{"type":"metric","ts":"2100-01-01T00:00:00Z","name":"x","value":1}]"#)
            ) { response in
                #expect(response.status == .badRequest)
                #expect(String(buffer: response.body).contains("index 0"))
            }
        }
    }

    @Test func backfillWithinRetention_isAccepted_butOlderThanNewestMinusRetention_isRefusedWithWhereItCanGo() async throws {
        try await withApp { app, client in
            let nowNs = EventTime.nowNs()
            try await client.execute(uri: "/api/v1/events", method: .post, body: ByteBuffer(string: Self.metric(nowNs))) { response in
                #expect(response.status == .ok)
            }
            // Last week's incident beside live data: within the default 7 days.
            let lastWeek = [Self.metric(nowNs - 6 * Self.dayNs), Self.metric(nowNs - 5 * Self.dayNs)].joined(separator: "\n")
            try await client.execute(uri: "/api/v1/events", method: .post, body: ByteBuffer(string: lastWeek)) { response in
                #expect(response.status == .ok)
            }
            // Last year's: retention would delete it at once.
            let lastYear = [Self.metric(nowNs - 1), Self.metric(nowNs - 365 * Self.dayNs)].joined(separator: "\n")
            try await client.execute(uri: "/api/v1/events", method: .post, body: ByteBuffer(string: lastYear)) { response in
                #expect(response.status == .badRequest)
                let text = String(buffer: response.body)
                #expect(text.contains("line 2") && text.contains("'ts'"), "\(text)")
                #expect(text.contains("tacho replay --data DIR --serve"), "says where such a recording goes: \(text)")
            }
            #expect(app.engine.log.highWaterMark == 3)
        }
    }

    @Test func acceptedRange_isMeasuredFromTheNewestEventTime_cappedAtTheClockPlusTheTolerance() {
        let bounds = EventTimeBounds(maxFutureNs: 300 * EventTime.nanosPerSecond, retentionNs: 7 * Self.dayNs)
        let nowNs: Int64 = 1_800_000_000 * EventTime.nanosPerSecond
        // An empty log accepts any past; the future is bounded from the start.
        let empty = bounds.accepted(nowNs: nowNs, newestEventNs: nil)
        #expect(empty.contains(0))
        #expect(!empty.contains(nowNs + 301 * EventTime.nanosPerSecond))
        // An archive from a year ago takes a backfill relative to itself, not to the clock.
        let archiveNewest = nowNs - 365 * Self.dayNs
        let archive = bounds.accepted(nowNs: nowNs, newestEventNs: archiveNewest)
        #expect(archive.contains(archiveNewest - 6 * Self.dayNs))
        #expect(!archive.contains(archiveNewest - 8 * Self.dayNs))
        // A log poisoned with an event from 2100 before these bounds existed still takes today's.
        let poisoned = bounds.accepted(nowNs: nowNs, newestEventNs: 4_102_444_800 * EventTime.nanosPerSecond)
        #expect(poisoned.contains(nowNs))
    }

    @Test func serve_refusesADirectoryItsDefaultRetentionWouldDelete_butOpensItWithAnExplicitRetention() async throws {
        let directory = try TemporaryDirectory("archive")
        defer { directory.remove() }
        // An incident recorded two weeks ago.
        let log = try EventLog.open(directory: directory.path)
        let incidentNs = EventTime.nowNs() - 14 * Self.dayNs
        _ = try await log.append((0..<10).map { Event(timeNs: incidentNs + Int64($0) * EventTime.nanosPerSecond, body: .annotation(Annotation(text: "incident", tags: []))) })
        try await log.close()
        var options = ServerOptions()
        options.dataDirectory = directory.path
        options.collectsHostVitals = false
        options.port = 0
        #expect(throws: RetentionGuard.Refusal.self) { try RetentionGuard.check(options, nowNs: EventTime.nowNs()) }
        do {
            _ = try await TachoApp.open(options: options)
            Issue.record("serve opened a directory its retention would destroy")
        } catch let refusal as RetentionGuard.Refusal {
            #expect(refusal.events == 10)
            #expect(refusal.description.contains("tacho replay --data"))
        }
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path + "/log")
        #expect(!files.isEmpty, "the refusal touched nothing")
        // Named by the operator: it opens (and would delete as asked).
        options.retentionExplicit = true
        try RetentionGuard.check(options, nowNs: EventTime.nowNs())
        options.retentionSeconds = nil
        options.retentionExplicit = false
        try RetentionGuard.check(options, nowNs: EventTime.nowNs())
    }
}
