import EventStore
import Foundation
import Testing
@testable import Projections
@testable import Runtime

/// The view snapshots kept along the log (`SnapshotSeries`): `?at=` starts from the
/// nearest one and answers what a fresh fold answers; damage falls back to older
/// ones, then to replay; log retention takes them with their segments.
@Suite struct HostSnapshotTests {
    let directory = HostTestDirectory()

    func series(everyEvents: UInt64 = 200, bytesMax: UInt64 = 1 << 30) throws -> SnapshotSeries {
        var options = SnapshotSeries.Options()
        options.everyEvents = everyEvents
        options.eventsMin = 1
        options.bytesMax = bytesMax
        return try SnapshotSeries(store: FileCheckpointStore(directory: directory.path + "/snapshots"), options: options)
    }

    /// Records `count` events (some late by up to an hour, some two minutes ahead, as a
    /// skewed producer within `--max-future`) through a host that keeps snapshots, then
    /// closes it; returns the log's events.
    /// `count` events of a seeded stream; with `otherSeries`, that many more metric
    /// series each sampled once, in the stream's second half.
    func record(_ count: Int, seed: UInt64, otherSeries: Int = 0) async throws -> [LoggedEvent] {
        var generator = ReplayEventGenerator(seed: seed)
        var events = generator.events(count)
        let middle = events[count / 2].timeNs
        events.insert(contentsOf: (0..<otherSeries).map { n in
            Event(timeNs: middle, body: .metric(MetricSample(series: SeriesKey(name: "other", labels: Labels(["n": "\(n)"])), value: 1, kind: .gauge)))
        }, at: count / 2)
        for index in events.indices {
            switch generator.below(25) {
            case 0: events[index].timeNs -= Int64(generator.below(3_600)) * 1_000_000_000
            case 1: events[index].timeNs += 120 * 1_000_000_000
            default: break
            }
        }
        let log = try directory.openLog()
        let host = try HostTest.Host(log: log, checkpoints: try directory.store(), snapshots: try series(), options: HostTest.options())
        try await host.recover()
        let running = Task { try await host.run() }
        try await HostTest.appendAndSettle(events, chunk: 53, log: log, host: host)
        #expect(await host.snapshotsWritten > 3, "the host kept a snapshot every 200 events")
        let logged = try HostTest.readAll(log)
        try await log.close()
        try await running.value
        return logged
    }

    static func freshFold(_ logged: [LoggedEvent], atOrBefore timeNs: Int64) -> ProjectionSet {
        var views = ProjectionSet()
        for item in logged where item.event.timeNs <= timeNs { views.apply(item.event, offset: item.offset) }
        return views
    }

    /// Reopens the directory with a host whose cache is empty.
    func reopen(snapshots: SnapshotSeries) async throws -> (EventLog, HostTest.Host) {
        let log = try directory.openLog()
        let host = try HostTest.Host(log: log, checkpoints: try directory.store(), snapshots: snapshots, options: HostTest.options())
        try await host.recover()
        return (log, host)
    }

    @Test(arguments: [5 as UInt64, 1984])
    func viewsAt_afterARestart_startFromTheNearestSnapshot_andEqualAFreshFold(seed: UInt64) async throws {
        defer { directory.remove() }
        let logged = try await record(1_400, seed: seed)
        let snapshots = try series()
        #expect(snapshots.entries.count > 3)
        let (log, host) = try await reopen(snapshots: snapshots)
        var generator = ReplayEventGenerator(seed: seed &+ 1)
        let probes = (0..<10).map { _ in logged[200 + generator.below(logged.count - 200)].event.timeNs }
        for timeNs in probes {
            let answer = try await host.views(atNs: timeNs)
            #expect(answer.views == Self.freshFold(logged, atOrBefore: timeNs).omittingLiveOnlyParts(), "seed \(seed): ?at=\(timeNs) differs from the filtered fold")
        }
        #expect(snapshots.statesLoaded > 0, "time travel started from stored snapshots")
        try await log.close()
    }

    @Test func aDamagedSnapshot_isPassedOverForAnOlderOne_andWithNoneLeftTimeTravelReplays() async throws {
        defer { directory.remove() }
        let logged = try await record(1_200, seed: 11)
        // Just before the newest events: most snapshots are whole prefixes before it.
        let timeNs = logged.map(\.event.timeNs).sorted()[logged.count - 3]
        let expected = Self.freshFold(logged, atOrBefore: timeNs)

        // Flip a byte in the middle of every snapshot the query could start from but the oldest.
        let eligible = try series().entries.filter { ($0.eventTimeNs ?? .min) <= timeNs }
        #expect(eligible.count >= 2)
        for info in eligible.dropFirst() {
            let path = directory.path + "/snapshots/" + info.name
            var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
            bytes[bytes.count / 2] ^= 0x40
            try Data(bytes).write(to: URL(fileURLWithPath: path))
        }
        let snapshots = try series()
        var (log, host) = try await reopen(snapshots: snapshots)
        #expect(try await host.views(atNs: timeNs).views == expected.omittingLiveOnlyParts(), "answered from the oldest intact snapshot")
        #expect(snapshots.statesLoaded == 1)
        #expect(!snapshots.entries.contains { $0 == eligible.last }, "the damaged one is dropped from the series")
        try await log.close()

        // No snapshot left at all: replay from the log.
        try FileManager.default.removeItem(atPath: directory.path + "/snapshots")
        (log, host) = try await reopen(snapshots: try series())
        #expect(try await host.views(atNs: timeNs).views == expected.omittingLiveOnlyParts(), "answered by replay")
        try await log.close()
    }

    @Test func snapshots_ofMoreThanTheKeptSeries_holdNoSeriesRollups_checkpointsDo() async throws {
        defer { directory.remove() }
        _ = try await record(900, seed: 29, otherSeries: SeriesProjection.seriesKeptInSnapshotsMax + 1)
        let snapshots = try series()
        let newest = try #require(snapshots.entries.last)
        let stored: EngineState<ProjectionSet> = try StoredStateCodec.decode(try snapshots.store.load(newest))
        #expect(stored.views.series.isOmitted)
        let oldest = try #require(snapshots.entries.first)
        let early: EngineState<ProjectionSet> = try StoredStateCodec.decode(try snapshots.store.load(oldest))
        #expect(!early.views.series.isOmitted, "the first snapshot, before the other series, keeps its rollups")
        let checkpoints = try directory.store()
        let checkpoint = try #require(try checkpoints.list().checkpoints.first)
        let full: EngineState<ProjectionSet> = try StoredStateCodec.decode(try checkpoints.load(checkpoint))
        #expect(!full.views.series.isOmitted && full.views.series.seriesCount > 0, "the stream has metric samples")
    }

    @Test func recovery_withNoUsableCheckpoint_startsFromTheNewestSnapshot_withSeriesRollupsFromThere() async throws {
        defer { directory.remove() }
        let logged = try await record(900, seed: 23, otherSeries: SeriesProjection.seriesKeptInSnapshotsMax + 1)
        try FileManager.default.removeItem(atPath: directory.path + "/checkpoints")
        let snapshots = try series()
        let newest = try #require(snapshots.entries.last)
        let (log, host) = try await reopen(snapshots: snapshots)
        let report = try #require(await host.recoveryReport)
        #expect(report.start == .snapshot(newest.nextOffset))
        #expect(report.replayedFromOffset == newest.nextOffset)
        // A snapshot holds no series rollups: they cover the events after it, the rest is the full replay.
        var expected = HostTest.fold(logged.filter { $0.offset < newest.nextOffset }).omittingLiveOnlyParts()
        expected.restartLiveOnlyParts()
        expected = HostTest.fold(logged.filter { $0.offset >= newest.nextOffset }, into: expected)
        #expect(try HostTest.bytes(expected) == (try await host.encodedState()), "recovered state = snapshot + tail")
        var recovered = host.snapshot().views
        var replayed = HostTest.fold(logged).views
        (recovered.series, replayed.series) = (SeriesProjection(), SeriesProjection())
        #expect(recovered == replayed, "every other view = full replay")
        try await log.close()
    }

    @Test func logRetention_removesTheSnapshotsOfTheSegmentsItDeleted() async throws {
        defer { directory.remove() }
        var generator = ReplayEventGenerator(seed: 41)
        var options = LogOptions()
        options.fsync = .never
        options.segmentBytesMax = 2 * 1024
        options.retentionAgeNs = 600 * 1_000_000_000
        let log = try EventLog.open(directory: directory.path, options: options)
        let snapshots = try series(everyEvents: 100)
        let host = try HostTest.Host(log: log, checkpoints: try directory.store(), snapshots: snapshots, options: HostTest.options())
        try await host.recover()
        let running = Task { try await host.run() }
        // Two hours of event time: the log's retention (run as segments roll) keeps the
        // last ten minutes' segments, and each snapshot written drops those below them.
        try await HostTest.appendAndSettle((0..<1_500).map { _ in generator.next(maxStepMs: 9_600) }, chunk: 40, log: log, host: host)
        let oldest = log.oldestOffset
        #expect(oldest > 0, "retention deleted segments")
        // The host publishes a fold before it writes that fold's snapshot: stopped, it
        // writes none between the series read and the directory listed.
        try await log.close()
        try await running.value
        let kept = snapshots.entries
        #expect(await host.snapshotsWritten > UInt64(kept.count), "snapshots were removed")
        #expect(kept.allSatisfy { $0.nextOffset >= oldest }, "none covers a deleted segment")
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path + "/snapshots").filter { $0.hasSuffix(".ckpt") }
        #expect(Set(files) == Set(kept.map(\.name)), "the files are the series")
    }

    @Test func theSeriesKeepsItsByteBudget_thinningEvenly_keepingTheOldestAndTheNewest() async throws {
        defer { directory.remove() }
        _ = try await record(1_400, seed: 7)
        let all = try series().entries
        #expect(all.count >= 5)
        let budget = all.suffix(3).reduce(0) { $0 + $1.contentSizeBytes } + 1
        let snapshots = try series(bytesMax: budget)
        let log = try directory.openLog()
        let state = HostTest.fold(try HostTest.readAll(log))
        try await log.close()
        try snapshots.save(state, oldestOffset: 0)
        let kept = snapshots.entries
        #expect(snapshots.bytes <= budget)
        #expect(kept.last?.nextOffset == state.nextOffset, "the one just written stays")
        #expect(kept.first == all.first, "the oldest stays: seeks far back still start near")
        #expect(kept.count >= 2 && kept.count < all.count + 1)
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path + "/snapshots").filter { $0.hasSuffix(".ckpt") }
        #expect(Set(files) == Set(kept.map(\.name)), "the files are the series")
    }

    @Test func thinning_removesTheSnapshotWhoseNeighboursAreClosest() {
        let entries = [0, 100, 150, 200, 400, 600].map { CheckpointInfo(nextOffset: UInt64($0), eventTimeNs: nil, contentSizeBytes: 1, name: "\($0)") }
        #expect(SnapshotSeries.closestPair(in: entries) == 2, "150 sits between 100 and 200")
        #expect(SnapshotSeries.closestPair(in: Array(entries.prefix(2))) == nil)
    }
}
