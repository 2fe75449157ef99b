import Synchronization

/// The metric samples of batches a query decoded, kept in memory so that the next query
/// over the same batches (a dashboard refreshing its range) reads none of them again:
/// no file read, decompression or column walk, only the wanted series' runs.
///
/// Keyed by the batch's offsets and sizes: the events at an offset never change (a
/// compaction re-packs them into batches of other sizes, new keys), so an entry is
/// right for as long as the process lives. Each entry keeps a hash of every declared
/// series' key, checked against the series index's key before a run is handed over,
/// as the decoder compares bytes (`SeriesIndexMismatch`). Least recently used entries
/// go past `capacityBytes`.
public final class DecodedSampleCache: Sendable {
    struct Key: Hashable {
        let baseOffset: UInt64
        let eventCount: UInt32
        let totalLength: UInt32
    }

    /// One batch's samples, series by series in declaration order, each series' in log
    /// order (times and values side by side). Immutable once made.
    final class Entry: Sendable {
        let keyHashes: [UInt64]
        let kinds: [MetricKind]
        /// Samples of declaration `id` are at `starts[id]..<starts[id + 1]`.
        let starts: [Int]
        /// Whether every value of the declaration is finite or a stale marker (what the
        /// log holds: a declaration that is not is damage, refused when wanted).
        let inDomain: [Bool]
        let times: [Int64]
        let values: [Double]

        init(keyHashes: [UInt64], kinds: [MetricKind], starts: [Int], inDomain: [Bool], times: [Int64], values: [Double]) {
            precondition(kinds.count == keyHashes.count && starts.count == kinds.count + 1 && inDomain.count == kinds.count, "one of each per declaration")
            precondition(times.count == values.count && starts.last == times.count, "the declarations cover the samples")
            self.keyHashes = keyHashes
            self.kinds = kinds
            self.starts = starts
            self.inDomain = inDomain
            self.times = times
            self.values = values
        }

        var sizeBytes: Int { times.count * 16 + keyHashes.count * 18 + 128 }

        /// Hands over the samples within `fromNs...toNs` of every declaration whose
        /// series `selected` holds, as `BatchSampleDecoder.seriesSamples` does.
        ///
        /// With `selectedNumbers` (the numbers `selected` holds, ascending) and a batch
        /// whose declarations are a few ascending runs (`SeriesIndex.Batch.declaredRuns`),
        /// a query of a few series finds each by binary search in each run: a walk of
        /// every declaration of a 10,000-series batch cost more than the rest of such a
        /// query.
        func visit(
            declared: [UInt32], selected: [Bool], keys: [SeriesKey], keyHash: (Int) -> UInt64, fromNs: Int64, toNs: Int64,
            declaredRuns: SeriesIndex.DeclarationRuns? = nil, selectedNumbers: [UInt32]? = nil,
            visit: SeriesSamplesVisitor
        ) throws {
            guard declared.count == kinds.count else { throw SeriesIndexMismatch() }
            var times: [Int64] = []
            var values: [Double] = []
            func hand(_ id: Int) throws {
                let number = Int(declared[id])
                guard number < selected.count, number < keys.count else { throw SeriesIndexMismatch() }
                guard selected[number] else { return }
                guard keyHash(number) == keyHashes[id] else { throw SeriesIndexMismatch() }
                guard inDomain[id] else { throw CodecError(byteOffset: 0, reason: "series \(id) holds a value that is neither finite nor a stale marker, what the log holds") }
                let range = starts[id]..<starts[id + 1]
                guard !range.isEmpty else { return }
                if self.times[range].allSatisfy({ $0 >= fromNs && $0 <= toNs }) {
                    // Wholly within the range: handed over in place.
                    try self.times.withUnsafeBufferPointer { allTimes in
                        try self.values.withUnsafeBufferPointer { allValues in
                            try visit(keys[number], kinds[id], UnsafeBufferPointer(rebasing: allTimes[range]), UnsafeBufferPointer(rebasing: allValues[range]))
                        }
                    }
                    return
                }
                times.removeAll(keepingCapacity: true)
                values.removeAll(keepingCapacity: true)
                for slot in range where self.times[slot] >= fromNs && self.times[slot] <= toNs {
                    times.append(self.times[slot])
                    values.append(self.values[slot])
                }
                guard !times.isEmpty else { return }
                try times.withUnsafeBufferPointer { times in
                    try values.withUnsafeBufferPointer { values in try visit(keys[number], kinds[id], times, values) }
                }
            }
            if let declaredRuns, declaredRuns.count > 0, let selectedNumbers,
               selectedNumbers.count * declaredRuns.count * Self.searchedSeriesPerDeclarationMax < declared.count {
                // Within a run declaration order is number order: run by run, the same
                // visits in the same order as the walk.
                for run in 0..<declaredRuns.count {
                    let runRange = declaredRuns.range(run)
                    let end = runRange.upperBound
                    var low = runRange.lowerBound
                    for number in selectedNumbers {
                        low = SeriesIndex.DeclarationRuns.lowerBound(of: number, in: declared, low..<end)
                        while low < end, declared[low] == number {
                            try hand(low)
                            low += 1
                        }
                    }
                }
            } else {
                for id in 0..<declared.count { try hand(id) }
            }
        }

        /// Below one selected series per this many declarations, each is searched for.
        static let searchedSeriesPerDeclarationMax = 8
    }

    /// Bytes of samples kept at most (16 per sample, about 18 per declared series).
    public let capacityBytes: Int
    /// 256 MiB: about 16 M samples, an hour of 100,000 series scraped every 20 s.
    public static let capacityBytesDefault = 256 << 20
    private let state = Mutex(State())

    private struct State {
        var entries: [Key: (entry: Entry, used: UInt64)] = [:]
        var sizeBytes = 0
        var clock: UInt64 = 0
        var hits = 0
        var misses = 0
    }

    public init(capacityBytes: Int) {
        precondition(capacityBytes >= 0, "a cache's capacity is not negative")
        self.capacityBytes = capacityBytes
    }

    func entry(_ key: Key) -> Entry? { entries([key])[0] }

    /// The entries of `keys` (nil where none is kept), looked up under one lock: a
    /// one-series range query asks for a hundred batches or more.
    func entries(_ keys: [Key]) -> [Entry?] {
        state.withLock { state in
            keys.map { key in
                state.clock += 1
                guard let found = state.entries[key] else {
                    state.misses += 1
                    return nil
                }
                state.hits += 1
                state.entries[key] = (found.entry, state.clock)
                return found.entry
            }
        }
    }

    func insert(_ entry: Entry, for key: Key) {
        let size = entry.sizeBytes
        guard size <= capacityBytes / 4 else { return }
        state.withLock { state in
            state.clock += 1
            if let old = state.entries.updateValue((entry, state.clock), forKey: key) { state.sizeBytes -= old.entry.sizeBytes }
            state.sizeBytes += size
            guard state.sizeBytes > capacityBytes else { return }
            // Down to three quarters at once, least recently used first, so eviction's
            // sort is paid once per quarter of the capacity, not per insert.
            let target = capacityBytes / 4 * 3
            for (victim, value) in state.entries.sorted(by: { $0.value.used < $1.value.used }) {
                guard state.sizeBytes > target else { break }
                state.entries[victim] = nil
                state.sizeBytes -= value.entry.sizeBytes
            }
        }
    }

    /// Entries kept, their bytes, and lookups answered and not, since the log opened.
    public var statistics: (entries: Int, sizeBytes: Int, hits: Int, misses: Int) {
        state.withLock { ($0.entries.count, $0.sizeBytes, $0.hits, $0.misses) }
    }

    /// The hash an entry keeps of a series' key: its name and label pairs, each string
    /// length-prefixed, the same whether hashed from a batch's bytes or from a
    /// `SeriesKey`. Swift's `Hasher`, seeded anew by every process: the entries live
    /// in memory only, and a file made to collide cannot know the seed.
    struct KeyHasher {
        private var hasher = Hasher()

        mutating func add(_ bytes: UnsafeRawBufferPointer) {
            hasher.combine(bytes.count)
            hasher.combine(bytes: bytes)
        }

        mutating func add(_ text: String) {
            var text = text
            text.withUTF8 { add(UnsafeRawBufferPointer($0)) }
        }

        func finalize() -> UInt64 { UInt64(bitPattern: Int64(hasher.finalize())) }

        static func hash(_ key: SeriesKey) -> UInt64 {
            var hasher = KeyHasher()
            hasher.add(key.name)
            for pair in key.labels.pairs {
                hasher.add(pair.key)
                hasher.add(pair.value)
            }
            return hasher.finalize()
        }
    }
}
