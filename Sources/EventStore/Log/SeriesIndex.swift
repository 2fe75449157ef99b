/// The series index of one segment: every metric series its batches declare, each
/// with the batches that hold it (their positions, offsets and event-time ranges),
/// so a query reads only the batches holding the series it selects.
///
/// Derived data, like `SegmentIndex`: written beside a segment when it seals, rebuilt
/// by scanning when missing, damaged or describing another size of the file; the open
/// segment's is kept in memory and extended as the segment grows.
///
/// Each batch keeps the series numbers of its declarations in the batch's own order,
/// so a query reads a chosen batch's series table as bare numbers (no string or key
/// is built): the wanted series are known from the index.
///
/// File layout (little-endian fixed fields, LEB128 varints): `magic u32 | version u16 |
/// reserved u16 | baseOffset u64 | segmentSizeBytes u64`, then varint counts and
/// entries: strings (`length, UTF-8`), series (`name string, label count, key/value
/// strings`), batches (`position, totalLength, baseOffset delta, eventCount, minTimeNs
/// zigzag, maxTimeNs - minTimeNs, otherEventCount, declaration count, per declaration
/// zigzag of number - (previous + 1)`), then `crc32c u32` of all before it. Which
/// batches hold a series is derived from the declarations when the file is read.
public struct SeriesIndex: Sendable {
    public struct Batch: Sendable, Equatable {
        public let position: UInt64
        public let totalLength: UInt32
        public let baseOffset: UInt64
        public let eventCount: UInt32
        public let minTimeNs: Int64
        public let maxTimeNs: Int64
        /// Events that are not metric samples (operations, breakers, …).
        public let otherEventCount: UInt32
        /// The series number of each series the batch declares, in its order (a series
        /// used as gauge and as counter is declared twice).
        public let declared: [UInt32]
        /// The runs of `declared` that never decrease, when there are at most four
        /// (a collector scraping in a stable order, an import series by series, a
        /// batch cut in the middle of a scrape: one or two); a query's few series are
        /// found in each run by binary search. Derived, never stored.
        public let declaredRuns: DeclarationRuns

        init(
            position: UInt64, totalLength: UInt32, baseOffset: UInt64, eventCount: UInt32, minTimeNs: Int64, maxTimeNs: Int64,
            otherEventCount: UInt32, declared: [UInt32]
        ) {
            self.position = position
            self.totalLength = totalLength
            self.baseOffset = baseOffset
            self.eventCount = eventCount
            self.minTimeNs = minTimeNs
            self.maxTimeNs = maxTimeNs
            self.otherEventCount = otherEventCount
            self.declared = declared
            declaredRuns = DeclarationRuns(declared)
        }
    }

    /// Where the ascending runs of a batch's declarations begin, held inline (up to
    /// `runsMax` of them): the index of a trickled log holds a million batches, and an
    /// array each would double its allocations.
    public struct DeclarationRuns: Sendable, Equatable {
        public static let runsMax = 4
        /// How many runs; 0 when the declarations are empty or have more than `runsMax`.
        public let count: Int
        /// Where runs 1, 2 and 3 begin (run 0 begins at 0); 0 past `count`.
        private let second: UInt32, third: UInt32, fourth: UInt32
        private let declaredCount: UInt32

        public init(_ declared: [UInt32]) {
            var starts: (UInt32, UInt32, UInt32) = (0, 0, 0)
            var count = declared.isEmpty ? 0 : 1
            for position in declared.indices.dropFirst() where declared[position] < declared[position - 1] {
                count += 1
                switch count {
                case 2: starts.0 = UInt32(position)
                case 3: starts.1 = UInt32(position)
                case 4: starts.2 = UInt32(position)
                default: break
                }
                if count > Self.runsMax { break }
            }
            self.count = count > Self.runsMax ? 0 : count
            (second, third, fourth) = starts
            declaredCount = UInt32(declared.count)
        }

        /// The declarations of run `run` (in `0..<count`).
        public func range(_ run: Int) -> Range<Int> {
            precondition(run >= 0 && run < count, "run \(run) of \(count)")
            return start(run)..<(run + 1 < count ? start(run + 1) : Int(declaredCount))
        }

        private func start(_ run: Int) -> Int {
            switch run {
            case 0: 0
            case 1: Int(second)
            case 2: Int(third)
            default: Int(fourth)
            }
        }
    }

    static let layoutVersion: UInt16 = 1
    static let fixedHeaderSizeBytes = 24
    /// Most bytes an index file may take when read: a bound for damaged lengths.
    static let fileBytesMax = 512 << 20

    public let baseOffset: UInt64
    /// The bytes of the segment described: batches up to here are indexed.
    public internal(set) var segmentSizeBytes: UInt64
    public private(set) var batches: [Batch] = []
    public private(set) var series: [SeriesKey] = []
    /// Per series, the numbers of the batches holding it, ascending.
    public private(set) var postings: [[UInt32]] = []
    /// Series numbers by name and by label pair, ascending: a query's equality
    /// matchers choose its candidates without looking at every series.
    private var byName: [String: [UInt32]] = [:]
    private var byPair: [Labels.Pair: [UInt32]] = [:]
    /// The values each label name takes, each once: a regular expression on a label
    /// runs once per value instead of once per series.
    private var valuesByName: [String: [String]] = [:]
    private var numbers: [SeriesKey: Int] = [:]

    init(baseOffset: UInt64) {
        self.baseOffset = baseOffset
        self.segmentSizeBytes = UInt64(SegmentHeader.sizeBytes)
    }

    /// The number of `key` in this segment, nil when no batch declares it.
    func existingNumber(of key: SeriesKey) -> Int? { numbers[key] }

    /// The number of `key`, adding it on first sight.
    private mutating func number(of key: SeriesKey) -> UInt32 {
        if let existing = numbers[key] { return UInt32(existing) }
        let number = UInt32(series.count)
        numbers[key] = series.count
        series.append(key)
        postings.append([])
        byName[key.name, default: []].append(number)
        for pair in key.labels.pairs {
            if byPair[pair] == nil { valuesByName[pair.key, default: []].append(pair.value) }
            byPair[pair, default: []].append(number)
        }
        return number
    }

    /// Records an intact batch at `position` declaring `declared` (in the batch's
    /// order); batches must come in file order.
    mutating func add(_ header: BatchFrameHeader, at position: UInt64, declared: [SeriesKey], otherEventCount: Int) {
        assert(position >= segmentSizeBytes, "batches out of order")
        append(Batch(
            position: position, totalLength: header.totalLength, baseOffset: header.baseOffset, eventCount: header.eventCount,
            minTimeNs: header.minTimeNs, maxTimeNs: header.maxTimeNs, otherEventCount: UInt32(otherEventCount),
            declared: declared.map { number(of: $0) }))
        segmentSizeBytes = position + UInt64(header.totalLength)
    }

    private mutating func append(_ batch: Batch) {
        let number = UInt32(batches.count)
        batches.append(batch)
        for series in batch.declared where postings[Int(series)].last != number {
            postings[Int(series)].append(number)
        }
    }

    /// Which series a query selects, by series number: among those with `name` and
    /// every pair of `labelsEqual` (its equality matchers, a hint) and a value of each
    /// `labelValues` label it accepts (another hint), those `wants` accepts.
    public func selection(
        name: String?, labelsEqual: [Labels.Pair], labelValues: [LabelValueFilter] = [], wants: (SeriesKey) throws -> Bool
    ) throws -> [Bool] {
        try selectionAndNumbers(name: name, labelsEqual: labelsEqual, labelValues: labelValues, wants: wants).selected
    }

    /// `selection`, and the numbers it holds in ascending order (found on the way: a
    /// pass over a 10,000-series table to list them cost a one-series query more
    /// than its search of the batches).
    func selectionAndNumbers(
        name: String?, labelsEqual: [Labels.Pair], labelValues: [LabelValueFilter] = [], wants: (SeriesKey) throws -> Bool
    ) throws -> (selected: [Bool], numbers: [UInt32]) {
        var lists: [[UInt32]] = []
        if let name { lists.append(byName[name] ?? []) }
        for pair in labelsEqual { lists.append(byPair[pair] ?? []) }
        let candidates = lists.min(by: { $0.count < $1.count })
        // A label filter is tried per value where its label has fewer values than
        // there are candidates; the series of the values it accepts pass it.
        var allowed: [Bool]?
        for filter in labelValues {
            let values = valuesByName[filter.name] ?? []
            guard values.count < (candidates?.count ?? series.count) else { continue }
            var passing = [Bool](repeating: false, count: series.count)
            for value in values where try filter.accepts(value) {
                for number in byPair[Labels.Pair(key: filter.name, value: value)] ?? [] where allowed?[Int(number)] ?? true {
                    passing[Int(number)] = true
                }
            }
            allowed = passing
        }
        var selected = [Bool](repeating: false, count: series.count)
        var numbers: [UInt32] = []
        func consider(_ number: Int) throws {
            guard allowed?[number] ?? true, !selected[number], try wants(series[number]) else { return }
            selected[number] = true
            numbers.append(UInt32(number))
        }
        if let candidates {
            for number in candidates { try consider(Int(number)) }
        } else {
            for number in series.indices { try consider(number) }
        }
        // Posting lists are in number order as built; a list read from a file is not
        // trusted to be.
        if zip(numbers, numbers.dropFirst()).contains(where: { $0 >= $1 }) { numbers.sort() }
        return (selected, numbers)
    }

    /// The batches holding one of the series `numbers` that may hold an event within
    /// `fromNs...toNs`, in file order.
    public func batches(holding numbers: [UInt32], fromNs: Int64, toNs: Int64) -> [Batch] {
        var chosen = [Bool](repeating: false, count: batches.count)
        var any = false
        for number in numbers {
            for batch in postings[Int(number)] {
                chosen[Int(batch)] = true
                any = true
            }
        }
        guard any else { return [] }
        var out: [Batch] = []
        for (number, batch) in batches.enumerated() where chosen[number] && batch.maxTimeNs >= fromNs && batch.minTimeNs <= toNs {
            out.append(batch)
        }
        return out
    }

    func encoded() -> [UInt8] {
        var out = PayloadWriter(reservingCapacity: 64 + batches.count * 24 + series.count * 16)
        func fixed<T: FixedWidthInteger>(_ value: T) {
            withUnsafeBytes(of: value.littleEndian) { out.bytes.append(contentsOf: $0) }
        }
        fixed(LogFormat.seriesIndexMagic)
        fixed(Self.layoutVersion)
        fixed(UInt16(0))
        fixed(baseOffset)
        fixed(segmentSizeBytes)
        var strings: [String: Int] = [:]
        var table: [String] = []
        func intern(_ text: String) -> Int {
            if let number = strings[text] { return number }
            strings[text] = table.count
            table.append(text)
            return table.count - 1
        }
        var seriesSection = PayloadWriter(reservingCapacity: series.count * 8)
        for key in series {
            seriesSection.varint(intern(key.name))
            seriesSection.varint(key.labels.pairs.count)
            for pair in key.labels.pairs {
                seriesSection.varint(intern(pair.key))
                seriesSection.varint(intern(pair.value))
            }
        }
        out.varint(table.count)
        for text in table {
            out.varint(text.utf8.count)
            out.bytes.append(contentsOf: text.utf8)
        }
        out.varint(series.count)
        out.bytes.append(contentsOf: seriesSection.bytes)
        out.varint(batches.count)
        var previousBase = baseOffset
        for batch in batches {
            out.varint(batch.position)
            out.varint(UInt64(batch.totalLength))
            out.varint(batch.baseOffset &- previousBase)
            previousBase = batch.baseOffset
            out.varint(UInt64(batch.eventCount))
            out.zigzag(batch.minTimeNs)
            out.varint(UInt64(bitPattern: batch.maxTimeNs &- batch.minTimeNs))
            out.varint(UInt64(batch.otherEventCount))
            out.varint(batch.declared.count)
            var previous: Int64 = -1
            for number in batch.declared {
                out.zigzag(Int64(number) - (previous + 1))
                previous = Int64(number)
            }
        }
        let crc = out.bytes.withUnsafeBytes { CRC32C.checksum(0, $0) }
        fixed(crc)
        return out.bytes
    }

    /// Parses an index file; nil when it is damaged or not this segment's (rebuild it).
    static func decode(_ bytes: [UInt8], baseOffset: UInt64) -> SeriesIndex? {
        bytes.withUnsafeBytes { raw -> SeriesIndex? in
            guard raw.count >= fixedHeaderSizeBytes + 4 else { return nil }
            let body = UnsafeRawBufferPointer(rebasing: raw[0..<(raw.count - 4)])
            guard ByteIO.load(UInt32.self, at: raw.count - 4, in: raw) == CRC32C.checksum(0, body),
                ByteIO.load(UInt32.self, at: 0, in: raw) == LogFormat.seriesIndexMagic,
                ByteIO.load(UInt16.self, at: 4, in: raw) == layoutVersion,
                ByteIO.load(UInt64.self, at: 8, in: raw) == baseOffset
            else { return nil }
            var index = SeriesIndex(baseOffset: baseOffset)
            let sizeBytes = ByteIO.load(UInt64.self, at: 16, in: raw)
            var reader = PayloadReader(body)
            reader.position = fixedHeaderSizeBytes
            do {
                let stringCount = try reader.count(max: reader.remaining, "string count")
                var strings: [String] = []
                strings.reserveCapacity(stringCount)
                for _ in 0..<stringCount {
                    let length = try reader.count(max: EventLimits.dataBytesMax, "string length")
                    let bytes = try reader.bytes(length)
                    let text = String(decoding: bytes, as: UTF8.self)
                    guard text.utf8.elementsEqual(bytes) else { return nil }
                    strings.append(text)
                }
                // Every series takes at least two bytes, every batch eight.
                let seriesCount = try reader.count(max: reader.remaining / 2, "series count")
                for _ in 0..<seriesCount {
                    let name = strings[try reader.count(max: strings.count - 1, "name")]
                    let labelCount = try reader.count(max: EventLimits.labelsCountMax, "label count")
                    var pairs: [Labels.Pair] = []
                    pairs.reserveCapacity(labelCount)
                    for _ in 0..<labelCount {
                        let key = strings[try reader.count(max: strings.count - 1, "label key")]
                        let value = strings[try reader.count(max: strings.count - 1, "label value")]
                        if let last = pairs.last, !(last.key < key) { return nil }
                        pairs.append(Labels.Pair(key: key, value: value))
                    }
                    let key = SeriesKey(name: name, labels: labelCount == 0 ? .empty : Labels(sortedPairs: pairs))
                    guard key.isInEventDomain, index.numbers[key] == nil else { return nil }
                    _ = index.number(of: key)
                }
                let batchCount = try reader.count(max: reader.remaining / 8, "batch count")
                var previousBase = baseOffset
                var previousEnd = UInt64(SegmentHeader.sizeBytes)
                index.batches.reserveCapacity(batchCount)
                for _ in 0..<batchCount {
                    let position = try reader.varint()
                    let length = try reader.varint()
                    let base = previousBase &+ (try reader.varint())
                    let events = try reader.varint()
                    let minTime = try reader.zigzag()
                    let span = try reader.varint()
                    let others = try reader.varint()
                    let (maxTime, overflow) = minTime.addingReportingOverflow(Int64(bitPattern: span))
                    guard position >= previousEnd, length <= UInt64(LogLimits.frameBytesMax), length >= UInt64(BatchFrameHeader.sizeBytes),
                        position + length <= sizeBytes, base >= previousBase, events <= UInt64(LogLimits.eventsPerBatchMax),
                        others <= events, !overflow, maxTime >= minTime
                    else { return nil }
                    let declarationCount = try reader.count(max: Int(events - others), "declaration count")
                    var declared: [UInt32] = []
                    declared.reserveCapacity(declarationCount)
                    var previous: Int64 = -1
                    for _ in 0..<declarationCount {
                        let (number, wrapped) = (previous + 1).addingReportingOverflow(try reader.zigzag())
                        guard !wrapped, number >= 0, number < Int64(seriesCount) else { return nil }
                        declared.append(UInt32(number))
                        previous = number
                    }
                    previousBase = base
                    previousEnd = position + length
                    index.append(Batch(
                        position: position, totalLength: UInt32(length), baseOffset: base, eventCount: UInt32(events),
                        minTimeNs: minTime, maxTimeNs: maxTime, otherEventCount: UInt32(others), declared: declared))
                }
                try reader.expectEnd("series index")
            } catch {
                return nil
            }
            index.segmentSizeBytes = sizeBytes
            return index
        }
    }
}

/// A query's matcher on one label that no series lacking the label passes (a regular
/// expression that does not match ""): a hint beside the equality pairs, tried by the
/// index once per value the label takes. `wants` still decides every series.
public struct LabelValueFilter {
    public let name: String
    public let accepts: (String) throws -> Bool

    public init(name: String, accepts: @escaping (String) throws -> Bool) {
        self.name = name
        self.accepts = accepts
    }
}

extension SeriesIndex.DeclarationRuns {
    /// The first position of `range` in `declared` (a run: never decreasing) whose
    /// number is `number` or more; `range.upperBound` when none is (a binary search's
    /// lower bound). In a run of consecutive numbers (a target scraped in a stable
    /// order, a time-major import's batch: the common case) `number` sits as far from
    /// the run's start as it is from the first number, so that position is tried
    /// first: three reads instead of a search's dozen, each a cache miss in a batch
    /// not read lately (the search was a third of a one-series range query's scan).
    static func lowerBound(of number: UInt32, in declared: [UInt32], _ range: Range<Int>) -> Int {
        guard !range.isEmpty, number > declared[range.lowerBound] else { return range.lowerBound }
        guard number <= declared[range.upperBound - 1] else { return range.upperBound }
        let guess = range.lowerBound + min(Int(number - declared[range.lowerBound]), range.count)
        if guess < range.upperBound, declared[guess] == number, declared[guess - 1] < number { return guess }
        var low = range.lowerBound + 1
        var high = range.upperBound - 1
        while low < high {
            let middle = (low + high) / 2
            if declared[middle] < number { low = middle + 1 } else { high = middle }
        }
        return low
    }
}
