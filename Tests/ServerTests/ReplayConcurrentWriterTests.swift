import EventStore
import Foundation
import Projections
import Testing
@testable import Server

/// A replay server over the data directory of a running `tacho serve` that keeps
/// appending: the replay reads the snapshot it opened, consistently, and the live
/// server loses nothing and folds everything.
@Suite(.serialized) struct ReplayConcurrentWriterTests {
    static func operations(_ index: Int, count: Int) -> String {
        (0..<count).map { n in
            let seconds = Double(index) + Double(n) / Double(count)
            return #"{"type":"op","ts":\#(KnownStream.at(seconds)),"name":"GET /r","protocol":"http1","durationMs":\#(n % 40 + 1),"ok":\#(n % 9 != 0)}"#
        }.joined(separator: "\n")
    }

    /// POSTs NDJSON to the live server's ingest; the offsets it acknowledged.
    static func ingest(_ live: LiveServer, _ ndjson: String) async throws -> ClosedRange<UInt64> {
        let answer = try await replayRequest(port: live.port, method: "POST", path: "/api/v1/events", body: ndjson)
        guard answer.status == 200, let offsets = try jsonObject(answer.body)["offsets"] as? [String: Any],
              let first = offsets["first"] as? Int, let last = offsets["last"] as? Int
        else { throw LiveServer.IngestRefused(status: answer.status, body: answer.body) }
        return UInt64(first)...UInt64(last)
    }

    @Test func replayOfADirectoryBeingWritten_readsItsSnapshot_andTheWriterIsNotDisturbed() async throws {
        let live = try await LiveServer.start()
        var assigned: [ClosedRange<UInt64>] = []
        assigned.append(try await Self.ingest(live, KnownStream.ndjson))
        for index in 6..<12 { assigned.append(try await Self.ingest(live, Self.operations(index, count: 100))) }

        var options = ReplayOptions()
        options.eventsPerTickMax = 500
        let replay = try await ReplayServer.start(directory: live.directory.path, speed: .max, playing: true, replayOptions: options)
        let snapshotEnd = replay.app.engine.source.log.highWaterMark
        #expect(snapshotEnd >= assigned.last!.upperBound + 1, "the replay sees what was acknowledged before it opened")

        // The writer keeps appending while the replay plays and is read.
        for index in 12..<24 {
            assigned.append(try await Self.ingest(live, Self.operations(index, count: 100)))
            _ = try await replay.get("/api/v1/metrics/rps")
        }
        let ended = try #require(await replay.waitForStatus { $0.ended })
        #expect(try await replay.control(#"{"action":"seek","at":"\#(EventTime.formatRFC3339(KnownStream.at(9)))"}"#).status == 200)
        let atNine = try await replay.app.engine.snapshot(atNs: KnownStream.at(9))
        try await replay.stop()

        // Every append was acknowledged, in order (the rule engine's alerts may sit between),
        // and holds the events sent.
        for (previous, next) in zip(assigned, assigned.dropFirst()) { #expect(next.lowerBound > previous.upperBound) }
        #expect(await live.app.engine.waitUntilIdle())
        let engine = live.app.engine
        let logged = try engine.loggedEvents()
        #expect(logged.map(\.offset) == Array(0..<UInt64(logged.count)), "the live log is dense")
        for range in assigned.dropFirst() {
            #expect(range.count == 100)
            #expect(logged[Int(range.lowerBound)...Int(range.upperBound)].allSatisfy { $0.event.type == .op }, "\(range)")
        }
        // The live views are the fold of the whole log: the replay did not get in the way.
        #expect(engine.currentSnapshot().views == (try engine.foldLog(below: engine.log.highWaterMark)))

        // The replay folded exactly the snapshot it opened.
        let snapshotEvents = logged.filter { $0.offset < snapshotEnd }
        #expect(ended.eventsFolded == UInt64(snapshotEvents.count))
        #expect(replay.app.engine.currentSnapshot().views
            == ReplayRecording.fold(snapshotEvents, upToNs: KnownStream.at(9)))
        #expect(atNine.views == ReplayRecording.fold(snapshotEvents, upToNs: KnownStream.at(9)))
        try await live.stop()
    }
}
