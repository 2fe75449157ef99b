/// A sparse index of one segment: every `intervalBytes` or so, the position of a batch
/// with its base offset, the largest event time of everything before it and the
/// smallest event time of the stretch of batches up to the next entry.
/// Derived data: written beside the segment when it seals, rebuilt by scanning when
/// missing, damaged, or not matching the segment's size.
///
/// File layout (little-endian): `magic u32 | version u16 | reserved u16 | baseOffset u64 |
/// segmentSizeBytes u64 | batchCount u64 | eventCount u64 | minTimeNs i64 | maxTimeNs i64 |
/// rawBytes u64 | endOffset u64 (UInt64.max: none) | entryCount u32`, then entries
/// `offset u64 | position u64 | maxTimeBeforeNs i64 | stretchMinTimeNs i64`, then
/// `crc32c u32` of all before it. Version 1 (the log format's first) has no
/// `stretchMinTimeNs` (24-byte entries); it is read as unknown.
public struct SegmentIndex: Sendable, Equatable {
    public struct Entry: Sendable, Equatable {
        public let offset: UInt64
        public let position: UInt64
        /// Largest event time of every batch before `position` (`Int64.min` for none).
        public let maxTimeBeforeNs: Int64
        /// Smallest event time of the batches from `position` up to the next entry's
        /// (`Int64.min`: unknown, an index of version 1). The last entry's is
        /// `lastStretchMinTimeNs` until the next entry is added.
        public internal(set) var stretchMinTimeNs: Int64
    }

    /// The layout this build writes; it reads this one and version 1.
    static let layoutVersion: UInt16 = 2
    public static let intervalBytesDefault: UInt64 = 4096
    static let headerSizeBytes = 76
    static let entrySizeBytes = 32
    static let entrySizeBytesV1 = 24

    public let baseOffset: UInt64
    public internal(set) var segmentSizeBytes: UInt64
    public internal(set) var summary: SegmentSummary
    public internal(set) var entries: [Entry]
    /// Smallest event time of the batches from the last entry on. Kept out of the
    /// entries until the next one is added: the writer publishes a copy of the index
    /// after every append, and a write into the array would copy all of it each time.
    public internal(set) var lastStretchMinTimeNs: Int64 = .max
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
            if !entries.isEmpty { entries[entries.count - 1].stretchMinTimeNs = lastStretchMinTimeNs }
            entries.append(Entry(offset: header.baseOffset, position: position, maxTimeBeforeNs: summary.maxTimeNs, stretchMinTimeNs: .max))
            lastStretchMinTimeNs = .max
        }
        lastStretchMinTimeNs = min(lastStretchMinTimeNs, header.minTimeNs)
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

    /// Where the batches start from which on every event is newer than `timeNs`: a read
    /// of the state as of `timeNs` passes over the rest of the segment from there
    /// without reading it. Nil when the last batch may hold an older event, or when
    /// the entries do not know their stretches' times (version 1).
    public func positionPastWhichEveryEvent(isNewerThan timeNs: Int64) -> UInt64? {
        guard !entries.isEmpty, lastStretchMinTimeNs > timeNs else { return nil }
        var first = entries.count - 1
        while first > 0, entries[first - 1].stretchMinTimeNs > timeNs { first -= 1 }
        return entries[first].position
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
        ByteIO.put(Self.layoutVersion, &out)
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
        for (number, entry) in entries.enumerated() {
            ByteIO.put(entry.offset, &out)
            ByteIO.put(entry.position, &out)
            ByteIO.put(entry.maxTimeBeforeNs, &out)
            ByteIO.put(number == entries.count - 1 ? lastStretchMinTimeNs : entry.stretchMinTimeNs, &out)
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
            let version = ByteIO.load(UInt16.self, at: 4, in: raw)
            guard ByteIO.load(UInt32.self, at: 0, in: raw) == LogFormat.indexMagic,
                version >= 1, version <= layoutVersion,
                ByteIO.load(UInt64.self, at: 8, in: raw) == baseOffset
            else { return nil }
            let entrySize = version == 1 ? entrySizeBytesV1 : entrySizeBytes
            let entryCount = Int(ByteIO.load(UInt32.self, at: 72, in: raw))
            guard entryCount <= LogLimits.indexEntriesMax, body.count == headerSizeBytes + entryCount * entrySize else { return nil }
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
                let at = headerSizeBytes + i * entrySize
                index.entries.append(Entry(
                    offset: ByteIO.load(UInt64.self, at: at, in: raw),
                    position: ByteIO.load(UInt64.self, at: at + 8, in: raw),
                    maxTimeBeforeNs: ByteIO.load(Int64.self, at: at + 16, in: raw),
                    stretchMinTimeNs: version == 1 ? .min : ByteIO.load(Int64.self, at: at + 24, in: raw)))
            }
            // In memory the last stretch's minimum lives beside the entries (see `add`).
            if let last = index.entries.indices.last {
                index.lastStretchMinTimeNs = index.entries[last].stretchMinTimeNs
                index.entries[last].stretchMinTimeNs = .max
            }
            return index
        }
    }
}
