/// The minute rollups of every metric series of one sealed segment, so that a chart
/// of a day or a week reads a few buckets per segment instead of every sample: the
/// live series tiers keep only a minute of seconds and half an hour of minutes
/// (`SeriesRetention.live`), and a series' charts and history read its minutes
/// before its last 5 min from here (`MetricSampleScanner.minuteRollups`).
///
/// Derived data, like `SeriesIndex`: written beside a segment when it seals (after
/// its series index, whose series numbers it shares), checked against the segment's
/// size when read, and replaced by a scan of the segment's samples wherever it is
/// missing, damaged or describes other bytes.
///
/// Each series' buckets are folded as the live tiers fold them (`Rollup.record`,
/// `CounterIncrease`), starting without a previous counter sample: the first counter
/// sample of the segment in log order is kept, so a reader adds the increase across
/// the segment boundary from the newest sample before it.
///
/// File layout (little-endian): `magic u32 | version u16 | reserved u16 | baseOffset
/// u64 | segmentSizeBytes u64 | seriesCount u32 | crc32c u32` of the 28 bytes before
/// it; then `seriesCount + 1` block positions (u64, absolute, ascending); then a block
/// per series number: `kind u8 | flags u8` (bit 0: first counter sample, bit 1:
/// newest counter sample), each present sample as `timeNs u64 | value f64`, a varint
/// bucket count, per bucket `zigzag(unit - previous unit)`, min, max, mean, last and
/// increase as Float32 bit patterns, varint count; and the block's `crc32c u32`. A
/// query reads the header, two positions and the blocks of its series.
struct SegmentRollups: Sendable, Equatable {
    static let magic: UInt32 = 0x554C_5254  // "TRLU"
    static let layoutVersion: UInt16 = 1
    static let headerSizeBytes = 32
    /// A block larger than this is damage, not a series (a week of minutes is 300 KB).
    static let blockBytesMax = 64 << 20

    let baseOffset: UInt64
    let segmentSizeBytes: UInt64
    /// By the segment's series index numbers.
    var series: [SeriesRollup]

    /// A counter sample: its time and value.
    struct CounterPoint: Sendable, Equatable {
        var timeNs: Int64
        var value: Double
    }

    /// One series' minutes within one segment (or one segment's part read from samples).
    struct SeriesRollup: Sendable, Equatable {
        var kind = MetricKind.gauge
        /// Counters: the first sample in log order, whose increase depends on the
        /// segments before.
        var firstCounter: CounterPoint?
        /// Counters: the newest sample by event time after the segment.
        var newestCounter: CounterPoint?
        /// Ascending minute units and their buckets.
        var units: [Int64] = []
        var buckets: [Rollup] = []

        var isEmpty: Bool { units.isEmpty }

        /// Folds samples of the series in log order.
        mutating func add(kind: MetricKind, times: UnsafeBufferPointer<Int64>, values: UnsafeBufferPointer<Double>) {
            self.kind = kind
            for i in 0..<times.count {
                let timeNs = times[i], value = values[i]
                // The minutes fold what the live tiers fold: finite values only.
                if !value.isFinite { continue }
                var increase = 0.0
                if kind == .counter {
                    if newestCounter == nil { firstCounter = CounterPoint(timeNs: timeNs, value: value) }
                    var previous = newestCounter?.value
                    var previousTimeNs = newestCounter?.timeNs ?? 0
                    increase = CounterIncrease.record(value: value, timeNs: timeNs, previous: &previous, previousTimeNs: &previousTimeNs)
                    newestCounter = CounterPoint(timeNs: previousTimeNs, value: previous ?? value)
                }
                bucketIndex(SegmentRollups.minute(of: timeNs)).map { buckets[$0].record(value, increase: increase) }
            }
        }

        /// The bucket of `unit`, inserted when new.
        private mutating func bucketIndex(_ unit: Int64) -> Int? {
            if let last = units.last, last == unit { return units.count - 1 }
            if units.last.map({ unit > $0 }) ?? true {
                units.append(unit)
                buckets.append(Rollup())
                return units.count - 1
            }
            var low = 0, high = units.count
            while low < high {
                let mid = (low + high) / 2
                if units[mid] < unit { low = mid + 1 } else { high = mid }
            }
            if units[low] != unit {
                units.insert(unit, at: low)
                buckets.insert(Rollup(), at: low)
            }
            return low
        }
    }

    /// The minute holding `timeNs`, rounding toward negative infinity.
    @inline(__always)
    static func minute(of timeNs: Int64) -> Int64 {
        let quotient = timeNs / minuteNs
        return timeNs % minuteNs < 0 ? quotient - 1 : quotient
    }

    static let minuteNs: Int64 = 60_000_000_000

    // MARK: - Encoding

    func encoded() -> [UInt8] {
        var blocks: [[UInt8]] = []
        blocks.reserveCapacity(series.count)
        for rollup in series { blocks.append(Self.block(rollup)) }
        var out: [UInt8] = []
        func fixed<T: FixedWidthInteger>(_ value: T) {
            withUnsafeBytes(of: value.littleEndian) { out.append(contentsOf: $0) }
        }
        fixed(Self.magic)
        fixed(Self.layoutVersion)
        fixed(UInt16(0))
        fixed(baseOffset)
        fixed(segmentSizeBytes)
        fixed(UInt32(series.count))
        let headerCRC = out.withUnsafeBytes { CRC32C.checksum(0, $0) }
        fixed(headerCRC)
        var position = UInt64(Self.headerSizeBytes + (series.count + 1) * 8)
        for block in blocks {
            fixed(position)
            position += UInt64(block.count)
        }
        fixed(position)
        for block in blocks { out.append(contentsOf: block) }
        return out
    }

    private static func block(_ rollup: SeriesRollup) -> [UInt8] {
        var out = PayloadWriter(reservingCapacity: 40 + rollup.units.count * 24)
        out.byte(rollup.kind.rawValue)
        out.byte((rollup.firstCounter != nil ? 1 : 0) | (rollup.newestCounter != nil ? 2 : 0))
        for point in [rollup.firstCounter, rollup.newestCounter].compactMap({ $0 }) {
            withUnsafeBytes(of: UInt64(bitPattern: point.timeNs).littleEndian) { out.bytes.append(contentsOf: $0) }
            out.double(point.value)
        }
        out.varint(rollup.units.count)
        var previous: Int64 = 0
        for (unit, bucket) in zip(rollup.units, rollup.buckets) {
            out.zigzag(unit &- previous)
            previous = unit
            for field in [bucket.min, bucket.max, bucket.mean, bucket.last, bucket.increase] {
                withUnsafeBytes(of: field.bitPattern.littleEndian) { out.bytes.append(contentsOf: $0) }
            }
            out.varint(UInt64(bucket.count))
        }
        let crc = out.bytes.withUnsafeBytes { CRC32C.checksum(0, $0) }
        withUnsafeBytes(of: crc.littleEndian) { out.bytes.append(contentsOf: $0) }
        return out.bytes
    }

    /// The block of series `number` in the file `file` of the segment at `baseOffset`
    /// of `segmentSizeBytes`; nil when the file is damaged or describes other bytes
    /// (read the segment's samples instead).
    static func read(
        number: Int, from file: any LogFile, baseOffset: UInt64, segmentSizeBytes: UInt64
    ) throws(FileSystemError) -> SeriesRollup? {
        let fileSizeBytes = try file.sizeBytes()
        guard fileSizeBytes >= UInt64(headerSizeBytes), let header = try bytes(file, at: 0, count: headerSizeBytes) else { return nil }
        let seriesCount = header.withUnsafeBytes { raw -> Int? in
            guard ByteIO.load(UInt32.self, at: 28, in: raw) == CRC32C.checksum(0, UnsafeRawBufferPointer(rebasing: raw[0..<28])),
                ByteIO.load(UInt32.self, at: 0, in: raw) == magic, ByteIO.load(UInt16.self, at: 4, in: raw) == layoutVersion,
                ByteIO.load(UInt64.self, at: 8, in: raw) == baseOffset, ByteIO.load(UInt64.self, at: 16, in: raw) == segmentSizeBytes
            else { return nil }
            return Int(ByteIO.load(UInt32.self, at: 24, in: raw))
        }
        guard let seriesCount, number >= 0, number < seriesCount else { return nil }
        let tableAt = UInt64(headerSizeBytes + number * 8)
        guard tableAt + 16 <= fileSizeBytes, let positions = try bytes(file, at: tableAt, count: 16) else { return nil }
        let (start, end) = positions.withUnsafeBytes { (ByteIO.load(UInt64.self, at: 0, in: $0), ByteIO.load(UInt64.self, at: 8, in: $0)) }
        guard start <= end, end <= fileSizeBytes, end - start >= 4, end - start <= UInt64(blockBytesMax),
            let block = try bytes(file, at: start, count: Int(end - start))
        else { return nil }
        return block.withUnsafeBytes { raw in decodeBlock(raw) }
    }

    /// `count` bytes at `position`, nil when the file ends before them.
    private static func bytes(_ file: any LogFile, at position: UInt64, count: Int) throws(FileSystemError) -> [UInt8]? {
        var out = [UInt8](repeating: 0, count: count)
        var read = 0
        var failure: FileSystemError?
        out.withUnsafeMutableBytes { buffer in
            do throws(FileSystemError) { read = try file.readFully(at: position, into: buffer) } catch { failure = error }
        }
        if let failure { throw failure }
        return read == count ? out : nil
    }

    private static func decodeBlock(_ raw: UnsafeRawBufferPointer) -> SeriesRollup? {
        let body = UnsafeRawBufferPointer(rebasing: raw[0..<(raw.count - 4)])
        guard ByteIO.load(UInt32.self, at: raw.count - 4, in: raw) == CRC32C.checksum(0, body) else { return nil }
        var reader = PayloadReader(body)
        var rollup = SeriesRollup()
        do {
            guard let kind = MetricKind(rawValue: try reader.byte()) else { return nil }
            rollup.kind = kind
            let flags = try reader.byte()
            guard flags & ~3 == 0 else { return nil }
            func point() throws(CodecError) -> CounterPoint {
                let bits = try reader.bytes(8)
                let timeNs = Int64(bitPattern: UInt64(littleEndian: bits.loadUnaligned(as: UInt64.self)))
                return CounterPoint(timeNs: timeNs, value: try reader.double())
            }
            if flags & 1 != 0 { rollup.firstCounter = try point() }
            if flags & 2 != 0 { rollup.newestCounter = try point() }
            // Every bucket takes at least 22 bytes.
            let count = try reader.count(max: reader.remaining / 22, "bucket count")
            rollup.units.reserveCapacity(count)
            rollup.buckets.reserveCapacity(count)
            var previous: Int64 = 0
            for _ in 0..<count {
                let unit = previous &+ (try reader.zigzag())
                guard rollup.units.last.map({ unit > $0 }) ?? true else { return nil }
                previous = unit
                let fields = try reader.bytes(20)
                func float(_ at: Int) -> Float { Float(bitPattern: UInt32(littleEndian: fields.loadUnaligned(fromByteOffset: at, as: UInt32.self))) }
                var bucket = Rollup()
                bucket.min = float(0)
                bucket.max = float(4)
                bucket.mean = float(8)
                bucket.last = float(12)
                bucket.increase = float(16)
                let n = try reader.varint()
                guard n > 0, n <= UInt64(UInt32.max), bucket.min <= bucket.max,
                    [bucket.min, bucket.max, bucket.mean, bucket.last, bucket.increase].allSatisfy(\.isFinite)
                else { return nil }
                bucket.count = UInt32(n)
                rollup.units.append(unit)
                rollup.buckets.append(bucket)
            }
            guard reader.isAtEnd else { return nil }
        } catch {
            return nil
        }
        return rollup
    }
}

/// One series' minute rollups over a range, merged across segments in log order
/// (`MetricSampleScanner.minuteRollups`).
public struct SeriesMinutes: Sendable, Equatable {
    /// The kind of the series' newest samples.
    public var kind: MetricKind
    /// Ascending minute units (minutes since the epoch) and their buckets.
    public var units: [Int64]
    public var buckets: [Rollup]

    /// Folds segments' parts in log order: buckets of the same minute merge, and a
    /// counter's first sample in a part adds its increase over the newest sample
    /// before it, as the live fold does. (A part whose first counter sample is older
    /// than the newest before it differs from the live fold in that part's increases:
    /// the live fold compares its next samples with the older state.)
    struct Accumulator {
        var kind = MetricKind.gauge
        var newestCounter: SegmentRollups.CounterPoint?
        var buckets: [Int64: Rollup] = [:]
        var any = false

        mutating func add(_ part: SegmentRollups.SeriesRollup) {
            guard !part.isEmpty else { return }
            any = true
            kind = part.kind
            var parts = part.buckets
            if let first = part.firstCounter, let before = newestCounter, first.timeNs >= before.timeNs,
               let i = part.units.firstIndex(of: SegmentRollups.minute(of: first.timeNs)) {
                let increase = first.value >= before.value ? first.value - before.value : first.value
                if increase != 0 { parts[i].increase = Rollup.float(Double(parts[i].increase) + increase) }
            }
            for (unit, bucket) in zip(part.units, parts) { buckets[unit, default: Rollup()].merge(bucket) }
            if let newest = part.newestCounter, newestCounter.map({ newest.timeNs >= $0.timeNs }) ?? true { newestCounter = newest }
        }

        func result(fromUnit: Int64, throughUnit: Int64) -> SeriesMinutes? {
            guard any else { return nil }
            let units = buckets.keys.filter { $0 >= fromUnit && $0 <= throughUnit }.sorted()
            return SeriesMinutes(kind: kind, units: units, buckets: units.map { buckets[$0]! })
        }
    }
}
