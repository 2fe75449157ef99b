/// A sparse index of one segment: every `intervalBytes` or so, the position of a batch
/// with its base offset and the largest event time of everything before it.
/// Derived data: written beside the segment when it seals, rebuilt by scanning when
/// missing, damaged, or not matching the segment's size.
///
/// File layout (little-endian): `magic u32 | version u16 | reserved u16 | baseOffset u64 |
/// segmentSizeBytes u64 | batchCount u64 | eventCount u64 | minTimeNs i64 | maxTimeNs i64 |
/// rawBytes u64 | endOffset u64 (UInt64.max: none) | entryCount u32`, then entries
/// `offset u64 | position u64 | maxTimeBeforeNs i64`, then `crc32c u32` of all before it.
public struct SegmentIndex: Sendable, Equatable {
    public struct Entry: Sendable, Equatable {
        public let offset: UInt64
        public let position: UInt64
        /// Largest event time of every batch before `position` (`Int64.min` for none).
        public let maxTimeBeforeNs: Int64
    }

    public static let intervalBytesDefault: UInt64 = 4096
    static let headerSizeBytes = 76
    static let entrySizeBytes = 24

    public let baseOffset: UInt64
    public internal(set) var segmentSizeBytes: UInt64
    public internal(set) var summary: SegmentSummary
    public internal(set) var entries: [Entry]
    let intervalBytes: UInt64

    init(baseOffset: UInt64, intervalBytes: UInt64 = intervalBytesDefault) {
        self.baseOffset = baseOffset
        self.segmentSizeBytes = UInt64(SegmentHeader.sizeBytes)
        self.summary = SegmentSummary()
        self.entries = []
        self.intervalBytes = intervalBytes
    }

    /// Records an intact batch at `position`; batches must come in file order.
    mutating func add(_ header: BatchFrameHeader, at position: UInt64) {
        assert(position >= segmentSizeBytes || entries.isEmpty || position > entries.last!.position, "batches out of order")
        if entries.count < LogLimits.indexEntriesMax, entries.last.map({ position - $0.position >= intervalBytes }) ?? true {
            entries.append(Entry(offset: header.baseOffset, position: position, maxTimeBeforeNs: summary.maxTimeNs))
        }
        summary.add(header)
        segmentSizeBytes = max(segmentSizeBytes, position + UInt64(header.totalLength))
    }

    /// Where to start scanning for `offset`: an intact batch at or before it.
    public func position(forOffset offset: UInt64) -> UInt64 {
        lastEntry { $0.offset <= offset }?.position ?? UInt64(SegmentHeader.sizeBytes)
    }

    /// Where to start scanning for the first batch holding an event at or after `timeNs`:
    /// every batch before the returned position ends before `timeNs`.
    public func position(forTimeNs timeNs: Int64) -> UInt64 {
        lastEntry { $0.maxTimeBeforeNs < timeNs }?.position ?? UInt64(SegmentHeader.sizeBytes)
    }

    /// The last entry satisfying a predicate that holds for a prefix of the entries.
    private func lastEntry(_ isBefore: (Entry) -> Bool) -> Entry? {
        var low = 0
        var high = entries.count
        while low < high {
            let middle = (low + high) / 2
            if isBefore(entries[middle]) { low = middle + 1 } else { high = middle }
        }
        return low == 0 ? nil : entries[low - 1]
    }

    func encoded() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(Self.headerSizeBytes + entries.count * Self.entrySizeBytes + 4)
        ByteIO.put(LogFormat.indexMagic, &out)
        ByteIO.put(LogFormat.version, &out)
        ByteIO.put(UInt16(0), &out)
        ByteIO.put(baseOffset, &out)
        ByteIO.put(segmentSizeBytes, &out)
        ByteIO.put(summary.batchCount, &out)
        ByteIO.put(summary.eventCount, &out)
        ByteIO.put(summary.minTimeNs, &out)
        ByteIO.put(summary.maxTimeNs, &out)
        ByteIO.put(summary.rawBytes, &out)
        ByteIO.put(summary.endOffset ?? UInt64.max, &out)
        ByteIO.put(UInt32(entries.count), &out)
        assert(out.count == Self.headerSizeBytes)
        for entry in entries {
            ByteIO.put(entry.offset, &out)
            ByteIO.put(entry.position, &out)
            ByteIO.put(entry.maxTimeBeforeNs, &out)
        }
        let crc = out.withUnsafeBytes { CRC32C.checksum(0, $0) }
        ByteIO.put(crc, &out)
        return out
    }

    /// Parses an index file; nil when it is damaged or not this segment's (then rebuild).
    static func decode(_ bytes: [UInt8], baseOffset: UInt64) -> SegmentIndex? {
        bytes.withUnsafeBytes { raw -> SegmentIndex? in
            guard raw.count >= headerSizeBytes + 4 else { return nil }
            let body = UnsafeRawBufferPointer(rebasing: raw[0..<(raw.count - 4)])
            guard ByteIO.load(UInt32.self, at: raw.count - 4, in: raw) == CRC32C.checksum(0, body) else { return nil }
            guard ByteIO.load(UInt32.self, at: 0, in: raw) == LogFormat.indexMagic,
                ByteIO.load(UInt16.self, at: 4, in: raw) <= LogFormat.readableVersionMax,
                ByteIO.load(UInt64.self, at: 8, in: raw) == baseOffset
            else { return nil }
            let entryCount = Int(ByteIO.load(UInt32.self, at: 72, in: raw))
            guard entryCount <= LogLimits.indexEntriesMax, body.count == headerSizeBytes + entryCount * entrySizeBytes else { return nil }
            var index = SegmentIndex(baseOffset: baseOffset)
            index.segmentSizeBytes = ByteIO.load(UInt64.self, at: 16, in: raw)
            index.summary.batchCount = ByteIO.load(UInt64.self, at: 24, in: raw)
            index.summary.eventCount = ByteIO.load(UInt64.self, at: 32, in: raw)
            index.summary.minTimeNs = ByteIO.load(Int64.self, at: 40, in: raw)
            index.summary.maxTimeNs = ByteIO.load(Int64.self, at: 48, in: raw)
            index.summary.rawBytes = ByteIO.load(UInt64.self, at: 56, in: raw)
            let end = ByteIO.load(UInt64.self, at: 64, in: raw)
            index.summary.endOffset = end == UInt64.max ? nil : end
            index.entries.reserveCapacity(entryCount)
            for i in 0..<entryCount {
                let at = headerSizeBytes + i * entrySizeBytes
                index.entries.append(Entry(
                    offset: ByteIO.load(UInt64.self, at: at, in: raw),
                    position: ByteIO.load(UInt64.self, at: at + 8, in: raw),
                    maxTimeBeforeNs: ByteIO.load(Int64.self, at: at + 16, in: raw)))
            }
            return index
        }
    }
}
