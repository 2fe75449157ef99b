import Testing
import TestSupport
@testable import EventStore

/// The sealed segments' minute rollups: a series' minutes read through them equal the
/// fold of every sample of the log in log order (the live tiers' rules), wherever the
/// samples sit; a missing or damaged file is read around; retention takes them.
@Suite struct SegmentRollupsTests {
    static let startNs: Int64 = 1_700_000_000_000_000_000
    static let stepNs: Int64 = 15 * 1_000_000_000

    static let gauge = SeriesKey(name: "queue_depth", labels: Labels(["target": "a"]))
    static let counter = SeriesKey(name: "requests_total", labels: Labels(["target": "a"]))
    static let other = SeriesKey(name: "requests_total", labels: Labels(["target": "b"]))

    /// Three hours of 15 s scrapes of three series, one append per scrape; the counter
    /// resets twice; a gauge sample stamped two hours back arrives late, in a later
    /// segment; a scrape's samples come out of order within a minute now and then.
    static func scrapes(seed: UInt64) -> [[Event]] {
        var random = SeededRandom(seed: seed)
        var counterValue = 0.0
        var batches: [[Event]] = []
        for scrape in 0..<720 {
            let timeNs = startNs + Int64(scrape) * stepNs
            counterValue = scrape == 300 || scrape == 555 ? Double(random.next(upperBound: UInt64(5))) : counterValue + Double(random.next(upperBound: UInt64(40)))
            var batch = [
                Event(timeNs: timeNs, body: .metric(MetricSample(series: gauge, value: Double(random.next(upperBound: UInt64(1000))) / 8, kind: .gauge))),
                Event(timeNs: timeNs, body: .metric(MetricSample(series: counter, value: counterValue, kind: .counter))),
                Event(timeNs: timeNs, body: .metric(MetricSample(series: other, value: Double(scrape), kind: .counter))),
            ]
            if scrape % 37 == 5 {
                // An earlier gauge sample of the same minute, after the newer one.
                batch.append(Event(timeNs: timeNs - 7 * 1_000_000_000, body: .metric(MetricSample(series: gauge, value: -3, kind: .gauge))))
            }
            if scrape == 650 {
                batch.append(Event(timeNs: startNs + 20 * stepNs, body: .metric(MetricSample(series: gauge, value: 4242, kind: .gauge))))
            }
            batches.append(batch)
        }
        return batches
    }

    /// The minutes of `key` as the live tiers fold them: every sample of the log in log
    /// order, counters' increases from the newest sample by event time.
    static func folded(_ log: EventLog, key: SeriesKey, fromNs: Int64, toNs: Int64) throws -> [Int64: Rollup] {
        var minutes: [Int64: Rollup] = [:]
        var previous: Double?
        var previousTimeNs: Int64 = 0
        for logged in try LogTest.readAll(log).events {
            guard case .metric(let sample) = logged.event.body, sample.series == key else { continue }
            let timeNs = logged.event.timeNs
            let increase = sample.kind == .counter
                ? CounterIncrease.record(value: sample.value, timeNs: timeNs, previous: &previous, previousTimeNs: &previousTimeNs) : 0
            let unit = SegmentRollups.minute(of: timeNs)
            guard unit >= SegmentRollups.minute(of: fromNs), unit <= SegmentRollups.minute(of: toNs) else { continue }
            minutes[unit, default: Rollup()].record(sample.value, increase: increase)
        }
        return minutes
    }

    /// Equal but for the rounding of Float32 sums taken in another order.
    static func expectClose(_ read: SeriesMinutes?, _ expected: [Int64: Rollup], _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
        guard let read else {
            #expect(expected.isEmpty, "\(what): nothing read", sourceLocation: sourceLocation)
            return
        }
        #expect(read.units == expected.keys.sorted(), "\(what): the minutes", sourceLocation: sourceLocation)
        for (unit, bucket) in zip(read.units, read.buckets) {
            guard let want = expected[unit] else { continue }
            func close(_ a: Float, _ b: Float) -> Bool { abs(a - b) <= 1e-5 * max(1, abs(a), abs(b)) }
            let same = bucket.count == want.count && bucket.min == want.min && bucket.max == want.max && bucket.last == want.last
                && close(bucket.mean, want.mean) && close(bucket.increase, want.increase)
            #expect(same, "\(what) minute \(unit): read \(bucket), folded \(want)", sourceLocation: sourceLocation)
        }
    }

    static func openLog(_ fs: SimulatedFileSystem, seed: UInt64) async throws -> (EventLog, [UInt64]) {
        let log = try LogTest.open(fs, LogTest.options { $0.segmentBytesMax = 8 * 1024 })
        for batch in scrapes(seed: seed) { _ = try await log.append(batch) }
        await log.waitForMaintenance()
        return (log, log.segments().filter(\.sealed).map(\.baseOffset))
    }

    @Test(arguments: [UInt64(21), 22, 23])
    func minutesReadThroughTheRollupFiles_equalTheFoldOfEverySample(seed: UInt64) async throws {
        let fs = SimulatedFileSystem(seed: seed)
        let (log, sealed) = try await Self.openLog(fs, seed: seed)
        try #require(sealed.count >= 5, "several sealed segments and an open one")
        let directory = try DataDirectory.open(path: LogTest.directory, fileSystem: fs)
        for base in sealed { #expect(fs.contents(directory.rollupsPath(baseOffset: base)) != nil, "written when \(base) sealed") }
        #expect(fs.contents(directory.rollupsPath(baseOffset: log.segments().last!.baseOffset)) == nil, "none for the open segment")

        let ranges: [(Int64, Int64)] = [
            (Self.startNs, Self.startNs + 720 * Self.stepNs),
            (Self.startNs + 95 * 60 * 1_000_000_000, Self.startNs + 140 * 60 * 1_000_000_000),
            (Self.startNs + 3 * 60 * 1_000_000_000, Self.startNs + 9 * 60 * 1_000_000_000),
        ]
        var statistics = MinuteRollupStatistics()
        _ = try log.metricSamples.minuteRollups(of: Self.counter, fromNs: ranges[0].0, toNs: ranges[0].1, statistics: &statistics)
        #expect(statistics == MinuteRollupStatistics(segmentsFromFiles: sealed.count, segmentsFromSamples: 1), "only the open segment's samples read")
        for key in [Self.gauge, Self.counter, Self.other] {
            for (fromNs, toNs) in ranges {
                let read = try log.metricSamples.minuteRollups(of: key, fromNs: fromNs, toNs: toNs)
                Self.expectClose(read, try Self.folded(log, key: key, fromNs: fromNs, toNs: toNs), "seed \(seed) \(key) \(fromNs)…\(toNs)")
                #expect(read?.kind == (key == Self.gauge ? .gauge : .counter))
            }
        }
        #expect(try log.metricSamples.minuteRollups(of: SeriesKey(name: "absent", labels: .empty), fromNs: .min, toNs: .max) == nil)
        try await log.close()
    }

    @Test func aMissingOrDamagedRollupFile_isReadAroundFromTheSegmentsSamples_andRetentionTakesThem() async throws {
        let fs = SimulatedFileSystem(seed: 31)
        let (log, sealed) = try await Self.openLog(fs, seed: 31)
        try #require(sealed.count >= 5)
        let directory = try DataDirectory.open(path: LogTest.directory, fileSystem: fs)
        let whole = (Self.startNs, Self.startNs + 720 * Self.stepNs)
        let before = try log.metricSamples.minuteRollups(of: Self.counter, fromNs: whole.0, toNs: whole.1)

        try fs.remove(directory.rollupsPath(baseOffset: sealed[1]))
        for base in sealed[2...3] {
            var bytes = try #require(fs.contents(directory.rollupsPath(baseOffset: base)))
            for at in stride(from: 40, to: bytes.count, by: 17) { bytes[at] ^= 0x04 }
            fs.setContents(directory.rollupsPath(baseOffset: base), bytes)
        }
        var statistics = MinuteRollupStatistics()
        let after = try log.metricSamples.minuteRollups(of: Self.counter, fromNs: whole.0, toNs: whole.1, statistics: &statistics)
        #expect(statistics == MinuteRollupStatistics(segmentsFromFiles: sealed.count - 3, segmentsFromSamples: 4), "three files read around")
        #expect(after == before, "the same minutes, read from the samples where the files fail")
        Self.expectClose(after, try Self.folded(log, key: Self.counter, fromNs: whole.0, toNs: whole.1), "after damage")
        try await log.close()

        // Reopened: the missing file is written again; retention deletes the files with their segments.
        let reopened = try LogTest.open(fs, LogTest.options {
            $0.segmentBytesMax = 8 * 1024
            $0.retentionAgeNs = 1
        })
        await reopened.waitForMaintenance()
        #expect(fs.contents(directory.rollupsPath(baseOffset: sealed[1])) != nil, "rewritten at open")
        let deleted = try await reopened.applyRetention(nowNs: .max)
        #expect(!deleted.isEmpty)
        for base in deleted { #expect(fs.contents(directory.rollupsPath(baseOffset: base)) == nil) }
        try await reopened.close()
    }
}
