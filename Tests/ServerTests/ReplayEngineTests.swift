import EventStore
import Foundation
import Projections
import Testing
@testable import Server
import Runtime

/// The replay engine without HTTP: its fold against a direct fold and the projection
/// host, and its cursor under play, pause, step and seek, with wall time injected.
@Suite struct ReplayEngineTests {
    static var smallSteps: ReplayOptions {
        var options = ReplayOptions()
        options.eventsPerTickMax = 3000
        options.cacheEveryEvents = 1000
        return options
    }

    static func playToEnd(_ engine: ReplayEngine) async throws {
        var ticks = 0
        while await engine.isPlaying {
            ticks += 1
            try #require(ticks < 100_000, "the replay ends")
            await engine.advance(wallElapsedNs: 0)
        }
    }

    /// A replay of `[fromNs, toNs)` of the directory played at `max` to its end, and the
    /// fold it must show there.
    static func playedRange(_ directory: TemporaryDirectory, _ events: [LoggedEvent], fromNs: Int64, toNs: Int64) async throws -> (ReplayEngine, ProjectionSet) {
        let range = try ReplayEngine(
            source: ReplaySource.open(directory: directory.path, fromNs: fromNs, toNs: toNs), speed: .max, playing: true,
            options: Self.smallSteps)
        try await Self.playToEnd(range)
        return (range, ReplayRecording.fold(events, upToNs: .max, fromNs: fromNs, toNs: toNs))
    }

    @Test func playAtMaxSpeed_endsWithTheViewsOfADirectFold_wholeLogAndARange() async throws {
        let (directory, events) = try await recordedReplayDirectory("replay-end")
        defer { directory.remove() }

        let whole = try ReplayEngine(
            source: ReplaySource.open(directory: directory.path), speed: .max, playing: true, options: Self.smallSteps)
        try await Self.playToEnd(whole)
        let status = whole.status()
        #expect(status.ended && !status.playing)
        #expect(status.eventsFolded == UInt64(events.count))
        #expect(status.offset == events.last?.offset)
        #expect(whole.currentSnapshot().views == ReplayRecording.fold(events, upToNs: .max))

        let fromNs = ReplayRecording.at(3.5)
        let toNs = ReplayRecording.at(10)
        let (range, expected) = try await Self.playedRange(directory, events, fromNs: fromNs, toNs: toNs)
        #expect(expected.eventCount > 0 && expected.eventCount < UInt64(events.count))
        #expect(range.currentSnapshot().views == expected)
        #expect(range.status().firstNs == fromNs)
        #expect(range.status().lastNs < toNs)
    }

    @Test func snapshotAt_equalsTheProjectionHostAndADirectFold_atEveryTimeAskedInAnyOrder() async throws {
        let (directory, events) = try await recordedReplayDirectory("replay-at")
        defer { directory.remove() }
        // The projection host opens its directory for writing: it gets a copy.
        let copy = try TemporaryDirectory("replay-at-copy")
        defer { copy.remove() }
        try FileManager.default.removeItem(atPath: copy.path)
        try FileManager.default.copyItem(atPath: directory.path, toPath: copy.path)
        // No rules: the host must not append alerts the replayed directory does not hold.
        var hostOptions = HostOptions()
        hostOptions.rules = .empty
        let host = try await Engine.open(dataDirectory: copy.path, hostOptions: hostOptions)

        let engine = try ReplayEngine(
            source: ReplaySource.open(directory: directory.path), speed: .factor(1), playing: false, options: Self.smallSteps)
        // The cursor in the middle, so reads start from it, from the cache, or from the start.
        try await engine.control(ReplayControl(action: .seek, atNs: ReplayRecording.at(6.2)))
        for seconds in [9.25, 3.5, 6.2, 11.999, 0.0, 4.95, 9.0, 7.75] {
            let timeNs = ReplayRecording.at(seconds)
            let replayed = try await engine.snapshot(atNs: timeNs)
            #expect(replayed.views == ReplayRecording.fold(events, upToNs: timeNs), "at \(seconds) s")
            #expect(replayed.views == (try await host.snapshot(atNs: timeNs)).views, "at \(seconds) s")
        }
        // Outside the range: clamped to its ends.
        #expect((try await engine.snapshot(atNs: ReplayRecording.at(-60))).views == ReplayRecording.fold(events, upToNs: ReplayRecording.startNs))
        #expect((try await engine.snapshot(atNs: ReplayRecording.at(3600))).views == ReplayRecording.fold(events, upToNs: .max))
        try await host.log.close()
    }

    @Test func pauseStepSeek_moveTheCursorAsSpecified_andTheViewsFollow() async throws {
        let (directory, events) = try await recordedReplayDirectory("replay-control")
        defer { directory.remove() }
        let source = try ReplaySource.open(directory: directory.path)
        let engine = try ReplayEngine(source: source, speed: .factor(1), playing: false, options: Self.smallSteps)
        let first = source.firstNs
        #expect(engine.status().cursorNs == first && !engine.status().playing)
        #expect(engine.currentSnapshot().views == ReplayRecording.fold(events, upToNs: first))

        var status = try await engine.control(ReplayControl(action: .step))
        #expect(status.cursorNs == first + EventTime.nanosPerSecond && !status.playing)
        #expect(engine.currentSnapshot().views == ReplayRecording.fold(events, upToNs: status.cursorNs))

        status = try await engine.control(ReplayControl(action: .play, speed: .factor(10)))
        #expect(status.playing && status.speed == .factor(10))
        status = try await engine.control(ReplayControl(action: .step))
        #expect(status.cursorNs == first + 2 * EventTime.nanosPerSecond && !status.playing, "step pauses")

        status = try await engine.control(ReplayControl(action: .seek, atNs: ReplayRecording.at(10.5)))
        #expect(status.cursorNs == ReplayRecording.at(10.5))
        #expect(engine.currentSnapshot().views == ReplayRecording.fold(events, upToNs: ReplayRecording.at(10.5)))
        status = try await engine.control(ReplayControl(action: .seek, atNs: ReplayRecording.at(4.25)))
        #expect(status.cursorNs == ReplayRecording.at(4.25), "seeks back")
        #expect(engine.currentSnapshot().views == ReplayRecording.fold(events, upToNs: ReplayRecording.at(4.25)))

        status = try await engine.control(ReplayControl(action: .seek, atNs: ReplayRecording.at(-5)))
        #expect(status.cursorNs == first, "clamped to the range's start")
        status = try await engine.control(ReplayControl(action: .seek, atNs: ReplayRecording.at(999)))
        #expect(status.cursorNs == source.lastNs && status.ended, "clamped to the range's end")
        #expect(engine.currentSnapshot().views == ReplayRecording.fold(events, upToNs: .max))
        status = try await engine.control(ReplayControl(action: .step))
        #expect(status.cursorNs == source.lastNs, "no step past the end")

        status = try await engine.control(ReplayControl(action: .play))
        #expect(status.playing && !status.ended && status.cursorNs == first, "play at the end starts over")
        #expect(engine.currentSnapshot().views == ReplayRecording.fold(events, upToNs: first))
        status = try await engine.control(ReplayControl(action: .pause))
        #expect(!status.playing && status.cursorNs == first)
    }

    /// A collector's events first and a backfill behind them (DESIGN.md, "Event time"):
    /// the cursor shows, wherever it stands, the fold of every event of the range
    /// stamped at or before it, as `?at=` does, and not the longest log prefix in time
    /// order (which would stop at the collector's first event).
    @Test func aLogOutOfTimeOrder_isPlayedSeekedAndRangedByEventTime() async throws {
        let directory = try TemporaryDirectory("replay-late")
        defer { directory.remove() }
        let events = try await ReplayRecording.recordOutOfOrder(into: directory.path)
        #expect(zip(events, events.dropFirst()).contains { $0.event.timeNs > $1.event.timeNs }, "the log is out of time order")
        let source = try ReplaySource.open(directory: directory.path)
        #expect(source.log.segments().count > 3, "several segments, some passed over whole")
        let engine = try ReplayEngine(source: source, speed: .factor(1), playing: false, options: Self.smallSteps)
        #expect(engine.currentSnapshot().views == ReplayRecording.fold(events, upToNs: source.firstNs))

        for seconds in [3.2, 2.5, 7.5, 5.999, 0.4, 11.5, 3.0001] {
            let status = try await engine.control(ReplayControl(action: .seek, atNs: ReplayRecording.at(seconds)))
            let expected = ReplayRecording.fold(events, upToNs: ReplayRecording.at(seconds))
            #expect(expected.eventCount > 0)
            #expect(engine.currentSnapshot().views == expected, "seek to \(seconds) s")
            #expect(status.eventsFolded == expected.eventCount, "seek to \(seconds) s")
            #expect((try await engine.snapshot(atNs: ReplayRecording.at(seconds))).views == expected, "?at= \(seconds) s")
        }

        // Played by wall time, each tick showing the fold at its cursor, then stepped.
        try await engine.control(ReplayControl(action: .seek, atNs: source.firstNs))
        try await engine.control(ReplayControl(action: .play, speed: .factor(1)))
        for _ in 0..<30 {
            await engine.advance(wallElapsedNs: 450_000_000)
            let cursorNs = engine.status().cursorNs
            #expect(engine.currentSnapshot().views == ReplayRecording.fold(events, upToNs: cursorNs), "played to \(cursorNs - source.firstNs) ns")
        }
        try await engine.control(ReplayControl(action: .seek, atNs: ReplayRecording.at(1.5)))
        let stepped = try await engine.control(ReplayControl(action: .step))
        #expect(engine.currentSnapshot().views == ReplayRecording.fold(events, upToNs: stepped.cursorNs))
        try await engine.control(ReplayControl(action: .play, speed: .max))
        try await Self.playToEnd(engine)
        #expect(engine.currentSnapshot().views == ReplayRecording.fold(events, upToNs: .max))

        // A range inside the backfill, behind batches wholly after it.
        let fromNs = ReplayRecording.at(1)
        let toNs = ReplayRecording.at(4)
        let (range, expected) = try await Self.playedRange(directory, events, fromNs: fromNs, toNs: toNs)
        #expect(expected.eventCount > 0)
        #expect(range.currentSnapshot().views == expected)
        try await range.control(ReplayControl(action: .seek, atNs: ReplayRecording.at(2.5)))
        #expect(range.currentSnapshot().views == ReplayRecording.fold(events, upToNs: ReplayRecording.at(2.5), fromNs: fromNs, toNs: toNs))
    }

    @Test func playing_movesTheCursorByWallTimeTimesSpeed_andNotWhilePaused() async throws {
        let (directory, events) = try await recordedReplayDirectory("replay-pace")
        defer { directory.remove() }
        let source = try ReplaySource.open(directory: directory.path)
        let engine = try ReplayEngine(source: source, speed: .factor(10), playing: false, options: ReplayOptions())
        let first = source.firstNs

        await engine.advance(wallElapsedNs: 500_000_000)
        #expect(engine.status().cursorNs == first, "paused: wall time does not move it")
        try await engine.control(ReplayControl(action: .play))
        await engine.advance(wallElapsedNs: 100_000_000)
        #expect(engine.status().cursorNs == first + 1_000_000_000)
        await engine.advance(wallElapsedNs: 250_000_000)
        #expect(engine.status().cursorNs == first + 3_500_000_000)
        #expect(engine.currentSnapshot().views == ReplayRecording.fold(events, upToNs: first + 3_500_000_000))
        try await engine.control(ReplayControl(action: .play, speed: .factor(0.5)))
        await engine.advance(wallElapsedNs: 1_000_000_000)
        #expect(engine.status().cursorNs == first + 4_000_000_000)
        // Past the end: stops there, ended.
        await engine.advance(wallElapsedNs: 3600 * 1_000_000_000)
        let status = engine.status()
        #expect(status.cursorNs == source.lastNs && status.ended && !status.playing)
        #expect(engine.currentSnapshot().views == ReplayRecording.fold(events, upToNs: .max))
    }

    @Test(arguments: [
        (#"{"action":"jump"}"#, "action"),
        (#"{"speed":2}"#, "action"),
        (#"{"action":5}"#, "action"),
        (#"{"action":"play","speed":0}"#, "speed"),
        (#"{"action":"play","speed":-3}"#, "speed"),
        (#"{"action":"play","speed":"fast"}"#, "speed"),
        (#"{"action":"play","speed":true}"#, "speed"),
        (#"{"action":"seek"}"#, "at"),
        (#"{"action":"seek","at":"yesterday"}"#, "at"),
        (#"{"action":"seek","at":1.5}"#, "at"),
        (#"["play"]"#, "body"),
        (#"{"action":"play""#, "body"),
    ])
    func controlParse_refusesBadInput_namingTheField(body: String, field: String) {
        #expect(throws: ReplayControlError.self) { try ReplayControl.parse(body) }
        do { _ = try ReplayControl.parse(body) } catch { #expect(error.field == field, "\(body)") }
    }

    @Test func controlParse_readsEveryAction_speedsAndTimes() throws {
        #expect(try ReplayControl.parse(#"{"action":"play","speed":"max"}"#) == ReplayControl(action: .play, speed: .max))
        #expect(try ReplayControl.parse(#"{"action":"play","speed":60,"extra":1}"#) == ReplayControl(action: .play, speed: .factor(60)))
        #expect(try ReplayControl.parse(#"{"action":"pause"}"#) == ReplayControl(action: .pause))
        #expect(try ReplayControl.parse(#"{"action":"step"}"#) == ReplayControl(action: .step))
        #expect(try ReplayControl.parse(#"{"action":"seek","at":"2026-01-01T10:00:05Z"}"#)
            == ReplayControl(action: .seek, atNs: KnownStream.at(5)))
        #expect(try ReplayControl.parse(#"{"action":"seek","at":\#(KnownStream.at(5))}"#) == ReplayControl(action: .seek, atNs: KnownStream.at(5)))
    }
}
