import Testing
import TestSupport
@testable import EventStore

/// The segments' series indexes: a scan for some series reads only the batches holding
/// them and returns exactly what a full read filters to; the index files are written
/// at seal, rebuilt when missing or damaged, and deleted with their segments.
@Suite struct SeriesIndexTests {
    static let startNs: Int64 = 1_700_000_000_000_000_000
    static let targets = 5

    /// One append (one batch) per scrape of one target: its 3 series at one time, and
    /// an operation every 7th scrape; scrapes go round the targets.
    static func scrapes(count: Int, from first: Int = 0) -> [[Event]] {
        (first..<(first + count)).map { scrape in
            let target = "t\(scrape % targets)"
            let timeNs = startNs + Int64(scrape) * 1_000_000_000
            var batch = (0..<3).map { number in
                Event(timeNs: timeNs, body: .metric(MetricSample(
                    name: "up_\(number)", labels: ["target": target], value: Double(scrape * 10 + number), kind: number == 1 ? .counter : .gauge)))
            }
            if scrape % 7 == 0 {
                batch.append(Event(timeNs: timeNs, body: .op(Operation(name: "GET /", protocol: "http1", durationMs: 3, ok: true))))
            }
            return batch
        }
    }

    struct Seen: Equatable, CustomStringConvertible {
        let timeNs: Int64
        let series: String
        let value: Double
        var description: String { "\(series)@\(timeNs)=\(value)" }
    }

    /// What a full read of the log gives for the series `wants` within the range: each
    /// series' samples in log order.
    static func expected(_ log: EventLog, fromNs: Int64, toNs: Int64, wants: (SeriesKey) -> Bool) throws -> [String: [Seen]] {
        var out: [String: [Seen]] = [:]
        for logged in try LogTest.readAll(log).events {
            guard case .metric(let sample) = logged.event.body, wants(sample.series),
                  logged.event.timeNs >= fromNs, logged.event.timeNs <= toNs else { continue }
            out[sample.series.description, default: []].append(Seen(timeNs: logged.event.timeNs, series: sample.series.description, value: sample.value))
        }
        return out
    }

    static func scanned(_ log: EventLog, fromNs: Int64, toNs: Int64, wants: (SeriesKey) -> Bool) throws -> ([String: [Seen]], MetricScanStatistics) {
        var seen: [String: [Seen]] = [:]
        let statistics = try log.metricSamples.scan(fromNs: fromNs, toNs: toNs, wants: wants) { key, _, times, values in
            for (time, value) in zip(times, values) {
                seen[key.description, default: []].append(Seen(timeNs: time, series: key.description, value: value))
            }
        }
        return (seen, statistics)
    }

    /// A log of 4 KiB segments holding `scrapes` scrapes, its maintenance done (indexes
    /// of sealed segments written): the file system, the options, the log and the
    /// sealed segments' base offsets.
    static func sealedSegments(seed: UInt64, scrapes: Int) async throws -> (SimulatedFileSystem, LogOptions, EventLog, [UInt64]) {
        let fs = SimulatedFileSystem(seed: seed)
        let options = LogTest.options { $0.segmentBytesMax = 4 * 1024 }
        let log = try LogTest.open(fs, options)
        for batch in Self.scrapes(count: scrapes) { _ = try await log.append(batch) }
        await log.waitForMaintenance()
        return (fs, options, log, log.segments().filter(\.sealed).map(\.baseOffset))
    }

    static func target(_ name: String) -> (SeriesKey) -> Bool {
        { key in key.labels.pairs.contains { $0.key == "target" && $0.value == name } }
    }

    @Test func scanForOneTarget_readsOnlyItsBatches_andReturnsWhatAFullReadFiltersTo() async throws {
        let fs = SimulatedFileSystem(seed: 11)
        let log = try LogTest.open(fs, LogTest.options { $0.segmentBytesMax = 4 * 1024 })
        var batches = Self.scrapes(count: 300)
        // A late sample of t2, stamped back in the range, far into the log.
        batches[280].append(Event(timeNs: Self.startNs + 42 * 1_000_000_000, body: .metric(MetricSample(name: "up_0", labels: ["target": "t2"], value: -1))))
        for batch in batches { _ = try await log.append(batch) }
        #expect(log.segments().count >= 4, "several segments, sealed and open")

        let fromNs = Self.startNs + 40 * 1_000_000_000
        let toNs = Self.startNs + 200 * 1_000_000_000
        let wants = Self.target("t2")
        let (seen, statistics) = try Self.scanned(log, fromNs: fromNs, toNs: toNs, wants: wants)
        let expected = try Self.expected(log, fromNs: fromNs, toNs: toNs, wants: wants)
        #expect(expected["up_0{target=\"t2\"}"]?.contains(Seen(timeNs: Self.startNs + 42 * 1_000_000_000, series: "up_0{target=\"t2\"}", value: -1)) == true)
        #expect(seen == expected)
        // t2's scrapes within the range (32 of them) and the late sample's batch.
        #expect(statistics.batchesRead == 33, "\(statistics)")
        // Segments wholly outside the range are passed over by their time summary.
        #expect(statistics.batchesRead + statistics.batchesPassedOver < 300)

        // The open segment's index grows with it: a new scrape is seen by the next scan.
        _ = try await log.append([Event(timeNs: Self.startNs + 100 * 1_000_000_000, body: .metric(MetricSample(name: "up_9", labels: ["target": "t2"], value: 7)))])
        let (after, _) = try Self.scanned(log, fromNs: fromNs, toNs: toNs, wants: wants)
        #expect(after == (try Self.expected(log, fromNs: fromNs, toNs: toNs, wants: wants)))
        let countAfter = after.values.reduce(0) { $0 + $1.count }
        let countBefore = seen.values.reduce(0) { $0 + $1.count }
        #expect(countAfter == countBefore + 1)

        // Nothing wanted: no batch read.
        let (none, nothingRead) = try Self.scanned(log, fromNs: .min, toNs: .max) { _ in false }
        #expect(none.isEmpty && nothingRead.batchesRead == 0)
        try await log.close()
    }

    @Test func sealedSegmentsIndexFiles_areWrittenAtSeal_rebuiltWhenMissingOrDamaged_deletedWithTheirSegment() async throws {
        let (fs, _, log, sealed) = try await Self.sealedSegments(seed: 12, scrapes: 200)
        try #require(sealed.count >= 3)
        let directory = try DataDirectory.open(path: LogTest.directory, fileSystem: fs)
        for base in sealed {
            let bytes = try #require(fs.contents(directory.seriesIndexPath(baseOffset: base)), "written when segment \(base) sealed")
            #expect(SeriesIndex.decode(bytes, baseOffset: base) != nil)
        }
        #expect(fs.contents(directory.seriesIndexPath(baseOffset: log.segments().last!.baseOffset)) == nil, "the open segment's stays in memory")
        let wants = Self.target("t4")
        let expected = try Self.expected(log, fromNs: .min, toNs: .max, wants: wants)
        let expectedCount = expected.values.reduce(0) { $0 + $1.count }
        #expect(expectedCount == 120)
        try await log.close()

        // One index file missing, one with a flipped byte: both rebuilt, the answer the same.
        try fs.remove(directory.seriesIndexPath(baseOffset: sealed[0]))
        var damaged = try #require(fs.contents(directory.seriesIndexPath(baseOffset: sealed[1])))
        damaged[damaged.count / 2] ^= 0x10
        fs.setContents(directory.seriesIndexPath(baseOffset: sealed[1]), damaged)
        #expect(SeriesIndex.decode(damaged, baseOffset: sealed[1]) == nil, "the checksum finds the flip")
        let reopened = try LogTest.open(fs, LogTest.options {
            $0.segmentBytesMax = 4 * 1024
            $0.retentionAgeNs = 1
        })
        let (seen, _) = try Self.scanned(reopened, fromNs: .min, toNs: .max, wants: wants)
        #expect(seen == expected)
        for base in sealed[0...1] {
            let bytes = try #require(fs.contents(directory.seriesIndexPath(baseOffset: base)), "rebuilt and written again")
            #expect(SeriesIndex.decode(bytes, baseOffset: base) != nil)
        }

        // Retention takes the index file with its segment.
        let deleted = try await reopened.applyRetention(nowNs: .max)
        #expect(deleted.count == sealed.count)
        for base in deleted { #expect(fs.contents(directory.seriesIndexPath(baseOffset: base)) == nil) }
        try await reopened.close()
    }

    /// A restarted server's first query must not pay for indexing the open segment (or a
    /// sealed one whose file is gone): the log builds those at open, in the background.
    @Test func atOpen_theOpenSegmentsIndex_andAMissingIndexFile_areBuiltBeforeAnyQuery() async throws {
        let (fs, options, log, sealed) = try await Self.sealedSegments(seed: 14, scrapes: 100)
        try #require(sealed.count >= 2)
        try await log.close()
        let directory = try DataDirectory.open(path: LogTest.directory, fileSystem: fs)
        try fs.remove(directory.seriesIndexPath(baseOffset: sealed[0]))

        let reopened = try LogTest.open(fs, options)
        await reopened.waitForMaintenance()
        let open = try #require(reopened.state.allSegments.last)
        #expect(!open.sealed)
        #expect(reopened.seriesIndexes.indexedSizeBytes(baseOffset: open.baseOffset) == open.index.segmentSizeBytes, "the open segment's index covers it")
        let bytes = try #require(fs.contents(directory.seriesIndexPath(baseOffset: sealed[0])), "the missing file was rebuilt at open")
        #expect(SeriesIndex.decode(bytes, baseOffset: sealed[0]) != nil)
        #expect(reopened.seriesIndexes.indexedSizeBytes(baseOffset: sealed[1]) == nil, "an index file that is there is loaded by the first query, not at open")
        try await reopened.close()
    }

    @Test func anIndexNamingAnotherSeries_neverPutsSamplesUnderThatName_andIsRebuilt() async throws {
        let fs = SimulatedFileSystem(seed: 13)
        let options = LogTest.options { $0.segmentBytesMax = 4 * 1024 }
        let log = try LogTest.open(fs, options)
        for batch in Self.scrapes(count: 60) { _ = try await log.append(batch) }
        await log.waitForMaintenance()
        let base = try #require(log.segments().first { $0.sealed }).baseOffset
        try await log.close()
        // A faulty build's index: checksum-valid, the right size, but "t2" written as "t9".
        let directory = try DataDirectory.open(path: LogTest.directory, fileSystem: fs)
        var bytes = try #require(fs.contents(directory.seriesIndexPath(baseOffset: base)))
        let t2 = Array("t2".utf8)
        let at = try #require((0..<(bytes.count - 1)).first { bytes[$0] == t2[0] && bytes[$0 + 1] == t2[1] })
        bytes[at + 1] = UInt8(ascii: "9")
        bytes.removeLast(4)
        ByteIO.put(bytes.withUnsafeBytes { CRC32C.checksum(0, $0) }, &bytes)
        fs.setContents(directory.seriesIndexPath(baseOffset: base), bytes)
        #expect(SeriesIndex.decode(bytes, baseOffset: base) != nil, "the forged index decodes")

        let reopened = try LogTest.open(fs, options)
        let (t9, statistics) = try Self.scanned(reopened, fromNs: .min, toNs: .max, wants: Self.target("t9"))
        #expect(t9.isEmpty, "t2's samples under t9's name: \(t9.keys.sorted())")
        #expect(statistics.batchesRead > 0, "the forged index chose batches, whose declarations refuted it")
        // Rebuilt: t2 is whole again.
        let (t2Seen, _) = try Self.scanned(reopened, fromNs: .min, toNs: .max, wants: Self.target("t2"))
        #expect(t2Seen == (try Self.expected(reopened, fromNs: .min, toNs: .max, wants: Self.target("t2"))))
        try await reopened.close()
    }

    @Test func aSecondScan_readsItsBatchesFromMemory_answersAlike_andTheCacheKeepsWithinItsBytes() async throws {
        let fs = SimulatedFileSystem(seed: 14)
        let log = try LogTest.open(fs, LogTest.options { $0.segmentBytesMax = 4 * 1024 })
        for batch in Self.scrapes(count: 200) { _ = try await log.append(batch) }
        let wants = Self.target("t3")
        let expected = try Self.expected(log, fromNs: .min, toNs: .max, wants: wants)
        let (first, fromFiles) = try Self.scanned(log, fromNs: .min, toNs: .max, wants: wants)
        let (second, fromMemory) = try Self.scanned(log, fromNs: .min, toNs: .max, wants: wants)
        #expect(first == expected && second == expected)
        #expect(fromFiles.batchesRead == 40 && fromFiles.batchesFromMemory == 0, "\(fromFiles)")
        #expect(fromMemory.batchesRead == 40 && fromMemory.batchesFromMemory == 40, "\(fromMemory)")
        // A narrower range from memory keeps only its samples.
        let fromNs = Self.startNs + 50 * 1_000_000_000
        let toNs = Self.startNs + 120 * 1_000_000_000
        #expect(try Self.scanned(log, fromNs: fromNs, toNs: toNs, wants: wants).0 == (try Self.expected(log, fromNs: fromNs, toNs: toNs, wants: wants)))
        try await log.close()

        // An entry hands a run over only under the key whose hash it holds.
        var payload: [UInt8] = []
        let events = Self.scrapes(count: 1)[0]
        BatchCodec.encode(events, into: &payload)
        let (keys, _) = try payload.withUnsafeBytes { try BatchSampleDecoder.declaredSeries($0, eventCount: events.count) }
        let entry = try payload.withUnsafeBytes { try BatchSampleDecoder.samples($0, eventCount: events.count) }
        let declared = keys.indices.map { UInt32($0) }
        var runs: [String] = []
        try entry.visit(
            declared: declared, selected: keys.map { _ in true }, keys: keys, keyHash: { DecodedSampleCache.KeyHasher.hash(keys[$0]) },
            fromNs: .min, toNs: .max
        ) { key, _, times, values in runs.append("\(key)=\(Array(values))@\(times.count)") }
        #expect(runs == ["up_0{target=\"t0\"}=[0.0]@1", "up_1{target=\"t0\"}=[1.0]@1", "up_2{target=\"t0\"}=[2.0]@1"])
        var renamed = keys
        renamed[1] = SeriesKey(name: "up_1", labels: Labels(["target": "t9"]))
        #expect(throws: SeriesIndexMismatch.self) {
            try entry.visit(
                declared: declared, selected: keys.map { _ in true }, keys: renamed, keyHash: { DecodedSampleCache.KeyHasher.hash(renamed[$0]) },
                fromNs: .min, toNs: .max
            ) { key, _, _, _ in #expect(key != renamed[1], "no sample under the false name") }
        }

        // Least recently used entries go past the capacity.
        let cache = DecodedSampleCache(capacityBytes: entry.sizeBytes * 6)
        let key = { (base: UInt64) in DecodedSampleCache.Key(baseOffset: base, eventCount: 3, totalLength: 100) }
        for base in 0..<20 as Range<UInt64> {
            cache.insert(entry, for: key(base))
            _ = cache.entry(key(0))
        }
        #expect(cache.statistics.sizeBytes <= cache.capacityBytes)
        #expect(cache.entry(key(0)) != nil, "used at every insert, kept")
        #expect(cache.entry(key(1)) == nil, "the oldest unused went")
        #expect(cache.entry(key(19)) != nil)
        #expect(DecodedSampleCache(capacityBytes: 0).statistics.entries == 0)
    }

    @Test func aScanFromMemoryOnly_refusesWhatItWouldReadFromAFile_andOnceHeldAnswersAsTheFullScan() async throws {
        let fs = SimulatedFileSystem(seed: 15)
        let log = try LogTest.open(fs, LogTest.options { $0.segmentBytesMax = 4 * 1024 })
        for batch in Self.scrapes(count: 200) { _ = try await log.append(batch) }
        let wants = Self.target("t1")
        func heldOnly(_ fromNs: Int64, _ toNs: Int64, wants: (SeriesKey) -> Bool = wants) throws -> [String: [Seen]] {
            var seen: [String: [Seen]] = [:]
            try log.metricSamples.scan(fromNs: fromNs, toNs: toNs, heldOnly: true, wants: wants) { key, _, times, values in
                for (time, value) in zip(times, values) {
                    seen[key.description, default: []].append(Seen(timeNs: time, series: key.description, value: value))
                }
            }
            return seen
        }
        // Nothing decoded yet: refused, not answered from part of the log.
        #expect(throws: MetricSamplesNotHeld.self) { try heldOnly(.min, .max) }
        let (full, _) = try Self.scanned(log, fromNs: .min, toNs: .max, wants: wants)
        #expect(try heldOnly(.min, .max) == full)
        // Every index in memory now, but another target's batches were never decoded.
        #expect(throws: MetricSamplesNotHeld.self) { try heldOnly(.min, .max, wants: Self.target("t2")) }
        #expect(full == (try Self.expected(log, fromNs: .min, toNs: .max, wants: wants)))
        // A batch appended since is in no index in memory: refused until a full scan reads it.
        _ = try await log.append([Event(timeNs: Self.startNs + 500 * 1_000_000_000, body: .metric(MetricSample(name: "up_0", labels: ["target": "t1"], value: 1)))])
        #expect(throws: MetricSamplesNotHeld.self) { try heldOnly(.min, .max) }
        let (grown, _) = try Self.scanned(log, fromNs: .min, toNs: .max, wants: wants)
        #expect(try heldOnly(.min, .max) == grown)
        try await log.close()
    }

    @Test func indexFile_roundTrips_andEveryTruncationOrFlipIsRefused() throws {
        var index = SeriesIndex(baseOffset: 500)
        var position = UInt64(SegmentHeader.sizeBytes)
        for number in 0..<20 {
            let header = BatchFrameHeader(
                totalLength: 100, baseOffset: 500 + UInt64(number) * 3, eventCount: 3, minTimeNs: -5 + Int64(number),
                maxTimeNs: Int64(number) * 1_000, compression: .lz4, uncompressedSize: 80)
            let keys = number % 3 == 0 ? [SeriesKey(name: "b")] : [SeriesKey(name: "a", labels: Labels(["n": "\(number % 4)"])), SeriesKey(name: "b")]
            index.add(header, at: position, declared: keys, otherEventCount: number % 2)
            position += 100
        }
        let bytes = index.encoded()
        let decoded = try #require(SeriesIndex.decode(bytes, baseOffset: 500))
        #expect(decoded.batches == index.batches && decoded.series == index.series && decoded.postings == index.postings)
        #expect(decoded.segmentSizeBytes == index.segmentSizeBytes)
        #expect(SeriesIndex.decode(bytes, baseOffset: 501) == nil, "another segment's")
        for length in 0..<bytes.count { #expect(SeriesIndex.decode(Array(bytes[0..<length]), baseOffset: 500) == nil) }
        for at in stride(from: 0, to: bytes.count, by: 3) {
            var flipped = bytes
            flipped[at] ^= 0x01
            #expect(SeriesIndex.decode(flipped, baseOffset: 500) == nil)
        }
    }

    @Test func aFewSeries_searchedForInTheAscendingRunsOfABatchsDeclarations_areVisitedAsAWalkOfEveryDeclarationVisitsThem() throws {
        // 300 series over 4 ticks; series 7 is also a counter, declared right after its gauge.
        func tick(_ t: Int, order: [Int]) -> [Event] {
            order.flatMap { number -> [Event] in
                let key = SeriesKey(name: "s", labels: Labels(["n": "\(number)"]))
                let gauge = Event(timeNs: Self.startNs + Int64(t), body: .metric(MetricSample(series: key, value: Double(t * 1000 + number), kind: .gauge)))
                guard number == 7 else { return [gauge] }
                return [gauge, Event(timeNs: Self.startNs + Int64(t), body: .metric(MetricSample(series: key, value: Double(t), kind: .counter)))]
            }
        }
        var random = SeededRandom(seed: 11)
        let ordered = (0..<4).flatMap { tick($0, order: Array(0..<300)) }
        // A batch cut in the middle of a scrape: two ascending runs.
        let rotated = (0..<4).flatMap { tick($0, order: Array(120..<300) + Array(0..<120)) }
        let shuffled = (0..<4).flatMap { tick($0, order: Array(0..<300).shuffled(using: &random)) }
        var index = SeriesIndex(baseOffset: 0)
        var entries: [DecodedSampleCache.Entry] = []
        for (position, events) in [ordered, rotated, shuffled].enumerated() {
            var payload: [UInt8] = []
            BatchCodec.encode(events, into: &payload)
            let declared = try payload.withUnsafeBytes { try BatchSampleDecoder.declaredSeries($0, eventCount: events.count) }
            let header = BatchFrameHeader(
                totalLength: 100, baseOffset: UInt64(position * events.count), eventCount: UInt32(events.count), minTimeNs: 0, maxTimeNs: 0,
                compression: .lz4, uncompressedSize: 80)
            index.add(header, at: UInt64(SegmentHeader.sizeBytes + position * 100), declared: declared.series, otherEventCount: 0)
            entries.append(try payload.withUnsafeBytes { try BatchSampleDecoder.samples($0, eventCount: events.count) })
        }
        let runs = index.batches.map { batch in (0..<batch.declaredRuns.count).map { batch.declaredRuns.range($0) } }
        #expect(runs[0] == [0..<301])
        #expect(runs[1] == [0..<180, 180..<301])
        #expect(runs[2].isEmpty)
        let fourRuns = SeriesIndex.DeclarationRuns([5, 6, 1, 2, 0, 9, 3])
        #expect((0..<fourRuns.count).map { fourRuns.range($0) } == [0..<2, 2..<4, 4..<6, 6..<7])
        #expect(SeriesIndex.DeclarationRuns([4, 3, 2, 1, 0]).count == 0, "five runs: walked")
        #expect(SeriesIndex.DeclarationRuns([]).count == 0)
        for trial in 0..<200 {
            let count = Int(random.next() % 30) + 1
            let numbers = Set((0..<count).map { _ in UInt32(random.next() % 300) } + (trial % 3 == 0 ? [7] : []))
            let selected = (0..<300).map { numbers.contains(UInt32($0)) }
            let sorted = numbers.sorted()
            for (batch, entry) in zip(index.batches, entries) {
                func visits(searching: Bool) throws -> [String] {
                    var seen: [String] = []
                    try entry.visit(
                        declared: batch.declared, selected: selected, keys: index.series, keyHash: { DecodedSampleCache.KeyHasher.hash(index.series[$0]) },
                        fromNs: Self.startNs + 1, toNs: Self.startNs + 2,
                        declaredRuns: searching ? batch.declaredRuns : nil, selectedNumbers: searching ? sorted : nil
                    ) { key, kind, times, values in seen.append("\(key)/\(kind)=\(Array(values))@\(Array(times))") }
                    return seen
                }
                let walked = try visits(searching: false)
                #expect(walked.count == numbers.count + (numbers.contains(7) ? 1 : 0), "seed \(random.seed), trial \(trial)")
                #expect(try visits(searching: true) == walked, "seed \(random.seed), trial \(trial)")
            }
        }
    }

    @Test func theLowerBoundOfANumberInARun_isTheFirstPositionNotBelowIt_inDenseRunsWithGapsAndRepeats() {
        var random = SeededRandom(seed: 5)
        for trial in 0..<3_000 {
            // Mostly consecutive numbers (the guessed position is right), sometimes a gap
            // or a repeat (a series declared as gauge and counter) that shifts the rest.
            var declared: [UInt32] = []
            var number = UInt32(random.next() % 1_000)
            for _ in 0..<Int(random.next() % 40) {
                declared.append(number)
                switch random.next() % 8 {
                case 0: number += UInt32(random.next() % 5) + 2
                case 1: break
                default: number += 1
                }
            }
            let lower = declared.isEmpty ? 0 : Int(random.next() % UInt64(declared.count + 1))
            let upper = lower + (declared.count == lower ? 0 : Int(random.next() % UInt64(declared.count - lower + 1)))
            let probes = (declared[lower..<upper].first ?? 0)...(declared[lower..<upper].last ?? 0) + 2
            for probe in [UInt32(0)] + Array(probes.lowerBound > 0 ? probes.lowerBound - 1...probes.upperBound : probes) {
                let expected = declared[lower..<upper].firstIndex(where: { $0 >= probe }) ?? upper
                let found = SeriesIndex.DeclarationRuns.lowerBound(of: probe, in: declared, lower..<upper)
                #expect(found == expected, "trial \(trial), \(declared)[\(lower)..<\(upper)], \(probe)")
            }
        }
    }

    @Test func samplesOfSelectedSeries_equalTheFullDecodeFiltered_overEveryEventType() throws {
        var events = CodecSampleEvents.everyType + EventGenerators.metrics(count: 2_000, seed: 9, seriesCount: 13)
        var random = SeededRandom(seed: 4)
        events.shuffle(using: &random)
        var payload: [UInt8] = []
        BatchCodec.encode(events, into: &payload)
        let declared = try payload.withUnsafeBytes { try BatchSampleDecoder.declaredSeries($0, eventCount: events.count) }
        let metricCount = events.filter { if case .metric = $0.body { true } else { false } }.count
        #expect(declared.otherEventCount == events.count - metricCount)
        var index = SeriesIndex(baseOffset: 0)
        let header = BatchFrameHeader(
            totalLength: 100, baseOffset: 0, eventCount: UInt32(events.count), minTimeNs: 0, maxTimeNs: 0, compression: .lz4, uncompressedSize: 80)
        index.add(header, at: UInt64(SegmentHeader.sizeBytes), declared: declared.series, otherEventCount: declared.otherEventCount)
        #expect(index.series.count == Set(events.compactMap { if case .metric(let s) = $0.body { s.series } else { nil } }).count)
        var full: [Event] = []
        try payload.withUnsafeBytes { try BatchCodec.decode($0, eventCount: events.count, into: &full) }
        for wanted in [0, 1, 5, 12] {
            let wants: (SeriesKey) -> Bool = { $0.labels.pairs.contains { $0.value == "host-\(wanted)" } || $0.name == "cpu_percent" }
            let expected = full.compactMap { event -> Seen? in
                guard case .metric(let sample) = event.body, wants(sample.series) else { return nil }
                return Seen(timeNs: event.timeNs, series: "\(sample.series)/\(sample.kind)", value: sample.value)
            }
            let selected = try index.selection(name: nil, labelsEqual: [], wants: wants)
            var seen: [Seen] = []
            try payload.withUnsafeBytes { raw in
                try BatchSampleDecoder.seriesSamples(
                    raw, eventCount: events.count, declared: index.batches[0].declared, selected: selected, keys: index.series, fromNs: .min, toNs: .max
                ) { key, kind, times, values in
                    for (time, value) in zip(times, values) { seen.append(Seen(timeNs: time, series: "\(key)/\(kind)", value: value)) }
                }
            }
            // Runs per series: each series' samples in the batch's order.
            let seenBySeries = Dictionary(grouping: seen, by: \.series)
            let expectedBySeries = Dictionary(grouping: expected, by: \.series)
            #expect(!expected.isEmpty)
            #expect(seenBySeries == expectedBySeries)
            // The equality hint narrows the candidates, never the answer.
            let hinted = try index.selection(name: nil, labelsEqual: [Labels.Pair(key: "instance", value: "host-\(wanted)")], wants: wants)
            #expect(hinted.filter { $0 }.count == selected.filter { $0 }.count - 1, "cpu_percent has no instance label")
            // The numbers found on the way are the selection's, ascending.
            for hint in [[], [Labels.Pair(key: "instance", value: "host-\(wanted)")]] {
                let both = try index.selectionAndNumbers(name: nil, labelsEqual: hint, wants: wants)
                #expect(both.numbers == both.selected.indices.filter { both.selected[$0] }.map { UInt32($0) })
                #expect(both.selected == (try index.selection(name: nil, labelsEqual: hint, wants: wants)))
            }
        }
        let byName = try index.selection(name: "cpu_percent", labelsEqual: [], wants: { _ in true })
        #expect(byName.filter { $0 }.count == 1)

        // A label filter (a regular expression refusing "") is tried per value of its
        // label, once each, and leaves `wants` the series whose value it accepts.
        let instanceOne = { (key: SeriesKey) in key.labels.pairs.contains { $0.key == "instance" && $0.value.hasSuffix("-1") } }
        var tried: [String] = []
        var asked = 0
        let filtered = try index.selection(
            name: nil, labelsEqual: [], labelValues: [LabelValueFilter(name: "instance") { value in
                tried.append(value)
                return value.hasSuffix("-1")
            }],
            wants: { key in
                asked += 1
                return instanceOne(key)
            })
        #expect(filtered == (try index.selection(name: nil, labelsEqual: [], wants: instanceOne)))
        #expect(filtered.contains(true))
        #expect(tried.count == Set(tried).count && tried.count < index.series.count, "\(tried.count) values of \(index.series.count) series")
        #expect(asked == filtered.filter { $0 }.count, "wants asked only about the series the filter let through")
    }
}
