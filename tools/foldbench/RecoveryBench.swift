import EventStore
import Foundation
import Projections
import Runtime

/// Open + recover of a real data directory (`EventLog.open`, `FileCheckpointStore`,
/// `ProjectionHost.recover()`, as `tacho serve` starts): with a checkpoint near the
/// log's end, and with none (full replay of every event through views and rules).
enum RecoveryBench {
    struct Result {
        var events: UInt64
        var storedBytes: UInt64
        var buildSeconds: Double
        var checkpointOffset: UInt64
        var withCheckpointSeconds: Double
        var fullReplaySeconds: Double
        var fullReplayRuns: Int
    }

    static let appendChunk = 65_536
    /// Events appended after the checkpoint, so recovery has a tail to replay.
    static let tailEvents = 10_000

    static func logOptions() -> LogOptions {
        var options = LogOptions()
        options.retentionAgeNs = nil
        return options
    }

    static func run(events: Int, seriesCount: Int, runs: Int, replayRuns: Int, directory: String) async throws -> Result {
        let keys = Streams.metricKeys(seriesCount: seriesCount)
        let clock = ContinuousClock()
        let build = try await clock.measure {
            try await append(range: 0..<(events - tailEvents), keys: keys, directory: directory)
        }
        print("  log of \(events - tailEvents) events written in \(Measure.fixed(Measure.seconds(build), 2)) s")

        // Full replay once without any checkpoint, then checkpoint at that point.
        let (firstReplay, checkpointOffset) = try await openAndRecover(directory: directory, checkpointAfter: true)
        print("  first full replay \(Measure.fixed(firstReplay, 3)) s, checkpoint at offset \(checkpointOffset)")
        try await append(range: (events - tailEvents)..<events, keys: keys, directory: directory)

        var withCheckpoint: [Double] = []
        for _ in 0..<runs { withCheckpoint.append(try await openAndRecover(directory: directory, checkpointAfter: false).seconds) }

        let checkpoints = directory + "/checkpoints"
        let aside = directory + "/checkpoints-aside"
        try FileManager.default.moveItem(atPath: checkpoints, toPath: aside)
        var fullReplay: [Double] = []
        for _ in 0..<replayRuns {
            fullReplay.append(try await openAndRecover(directory: directory, checkpointAfter: false).seconds)
            try? FileManager.default.removeItem(atPath: checkpoints)
        }
        try FileManager.default.moveItem(atPath: aside, toPath: checkpoints)

        let log = try EventLog.open(directory: directory, options: logOptions())
        let stored = log.segments().reduce(0) { $0 + $1.storedBytes }
        let highWaterMark = log.highWaterMark
        try await log.close()
        return Result(
            events: highWaterMark, storedBytes: stored, buildSeconds: Measure.seconds(build), checkpointOffset: checkpointOffset,
            withCheckpointSeconds: Measure.median(withCheckpoint), fullReplaySeconds: Measure.median(fullReplay),
            fullReplayRuns: replayRuns)
    }

    private static func append(range: Range<Int>, keys: [(key: SeriesKey, kind: MetricKind, base: Double)], directory: String) async throws {
        let log = try EventLog.open(directory: directory, options: logOptions())
        var start = range.lowerBound
        while start < range.upperBound {
            let end = min(start + appendChunk, range.upperBound)
            var chunk: [Event] = []
            chunk.reserveCapacity(end - start)
            for index in start..<end { chunk.append(Streams.metricEvent(index, keys: keys)) }
            _ = try await log.append(chunk)
            start = end
        }
        try await log.close()
    }

    /// Seconds from opening the log to views recovered; closes the log afterwards
    /// (not timed). Optionally writes a checkpoint at the recovered offset.
    private static func openAndRecover(directory: String, checkpointAfter: Bool) async throws -> (seconds: Double, nextOffset: UInt64) {
        let clock = ContinuousClock()
        let start = clock.now
        let log = try EventLog.open(directory: directory, options: logOptions())
        let checkpoints = try FileCheckpointStore(dataDirectory: log.directory)
        let highWaterMark = log.highWaterMark
        let host = try ProjectionHost<ProjectionSet>(log: log, checkpoints: checkpoints)
        let report = try await host.recover()
        let seconds = Measure.seconds(clock.now - start)
        let checkpointBytes = (try? checkpoints.list().checkpoints.first?.contentSizeBytes) ?? nil
        print("  open + recover: \(Measure.fixed(seconds, 3)) s, from \(report.start), replayed \(report.replayedEvents) events\(checkpointBytes.map { ", newest checkpoint \($0) bytes" } ?? "")")
        // The rules may append alerts during recovery, so the log can end past the mark read at open.
        precondition(report.nextOffset >= highWaterMark, "recovery must cover the whole log")
        if checkpointAfter {
            let stamp = await host.checkpointNow()
            precondition(stamp?.nextOffset == report.nextOffset, "the checkpoint must be written (no alerts pending)")
        }
        try await log.close()
        return (seconds, report.nextOffset)
    }
}
