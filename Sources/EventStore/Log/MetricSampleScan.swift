/// What a series-indexed scan read: for a query's statistics and its tests.
public struct MetricScanStatistics: Sendable, Equatable {
    /// Batches whose samples were handed over (read from the file or from memory).
    public var batchesRead = 0
    /// Of those, the ones found decoded in memory (`DecodedSampleCache`).
    public var batchesFromMemory = 0
    /// Events those batches hold.
    public var eventsInBatchesRead = 0
    /// Batches the segments' series indexes let the scan pass over.
    public var batchesPassedOver = 0
    /// Indexed batches found damaged when read, passed over as every reader does.
    public var damagedBatches = 0
}

/// Thrown by a scan asked to read from memory only (`heldOnly`) where it would have to
/// read a file: a segment's series index not in memory or behind the segment's end, or
/// a chosen batch not decoded in memory. Nothing was handed over past what the caller
/// saw; the caller asks again without `heldOnly`, off its event loop.
public struct MetricSamplesNotHeld: Error, Equatable {
    public init() {}
}

/// What a scan hands over per series and batch: the series, its kind in the batch,
/// and its samples there in log order (times and values; buffers valid during the call).
public typealias SeriesSamplesVisitor = (SeriesKey, MetricKind, UnsafeBufferPointer<Int64>, UnsafeBufferPointer<Double>) throws -> Void

extension MetricSample {
    /// Hands this sample, stamped `timeNs`, to a visitor of runs as a run of one.
    public func visitAsRun<Result>(
        timeNs: Int64, _ visit: (SeriesKey, MetricKind, UnsafeBufferPointer<Int64>, UnsafeBufferPointer<Double>) throws -> Result
    ) rethrows -> Result {
        var time = timeNs
        var value = value
        return try withUnsafePointer(to: &time) { timePointer in
            try withUnsafePointer(to: &value) { valuePointer in
                try visit(series, kind, UnsafeBufferPointer(start: timePointer, count: 1), UnsafeBufferPointer(start: valuePointer, count: 1))
            }
        }
    }
}

extension EventLog {
    /// The log's metric samples, read through its segments' series indexes.
    public var metricSamples: MetricSampleScanner {
        MetricSampleScanner(state: state, directory: directory, seriesIndexes: seriesIndexes, cache: decodedSamples)
    }
}

extension ReadOnlyEventLog {
    /// The log's metric samples, read through its segments' series indexes (built in
    /// memory when missing: a read-only log writes no file).
    public var metricSamples: MetricSampleScanner {
        MetricSampleScanner(state: state, directory: directory, seriesIndexes: seriesIndexes, cache: decodedSamples)
    }
}

/// A log's metric samples read through its segments' series indexes.
public struct MetricSampleScanner {
    let state: LogState
    let directory: DataDirectory
    let seriesIndexes: SeriesIndexes
    let cache: DecodedSampleCache

    /// Calls `visit` with the samples of every series that `wants` accepts whose time
    /// is within `fromNs...toNs`, batch by batch in log order (so each series' samples
    /// come in log order), wherever they sit in the log (a late backfill included).
    /// Reads only the batches each segment's series index says hold such a series
    /// within the range; `beforeBatch` is told each batch's event count before it is
    /// read (a caller's limit throws there). `name` and `labelsEqual`, when given, are
    /// what every wanted series has (a query's equality matchers): `wants` is then
    /// asked about those only. Blocking file I/O: call from a thread of its own.
    /// With `heldOnly`, no file is opened: the scan throws `MetricSamplesNotHeld` where
    /// it would read one (so a caller on an event loop may try it there first).
    @discardableResult
    public func scan(
        fromNs: Int64, toNs: Int64, name: String? = nil, labelsEqual: [Labels.Pair] = [], labelValues: [LabelValueFilter] = [],
        heldOnly: Bool = false, wants: (SeriesKey) throws -> Bool, beforeBatch: (Int) throws -> Void = { _ in }, visit: SeriesSamplesVisitor
    ) throws -> MetricScanStatistics {
        var statistics = MetricScanStatistics()
        guard fromNs <= toNs else { return statistics }
        for record in state.allSegments {
            let summary = record.index.summary
            guard summary.batchCount > 0, summary.maxTimeNs >= fromNs, summary.minTimeNs <= toNs else { continue }
            try scanSegment(
                record, fromNs: fromNs, toNs: toNs, name: name, labelsEqual: labelsEqual, labelValues: labelValues, wants: wants,
                beforeBatch: beforeBatch, visit: visit, statistics: &statistics, heldOnly: heldOnly)
        }
        return statistics
    }

    /// `scan` over one segment; `cacheDecoded` false keeps a whole-segment read (the
    /// minute rollups' build) from pushing the queries' batches out of the cache.
    func scanSegment(
        _ first: SegmentRecord, fromNs: Int64, toNs: Int64, name: String?, labelsEqual: [Labels.Pair], labelValues: [LabelValueFilter],
        wants: (SeriesKey) throws -> Bool,
        beforeBatch: (Int) throws -> Void, visit: SeriesSamplesVisitor, statistics: inout MetricScanStatistics, cacheDecoded: Bool = true,
        heldOnly: Bool = false
    ) throws {
        var record = first
        // A compaction may rename a new file over the segment between reading its
        // index and opening it: then the index is rebuilt once for the new file.
        for attempt in 0..<2 {
            let index: SeriesIndex
            if heldOnly {
                guard let held = seriesIndexes.heldIndex(for: record) else { throw MetricSamplesNotHeld() }
                index = held
            } else {
                index = try seriesIndexes.index(for: record)
            }
            let (selected, selectedNumbers) = try index.selectionAndNumbers(name: name, labelsEqual: labelsEqual, labelValues: labelValues, wants: wants)
            let chosen = index.batches(holding: selectedNumbers, fromNs: fromNs, toNs: toNs)
            let passedOver = index.batches.count - chosen.count
            guard !chosen.isEmpty else {
                statistics.batchesPassedOver += passedOver
                return
            }
            // The index keys' hashes, made when a selected series is first met: in a
            // table by number for a large selection, by key for a few (a table of every
            // series of the segment would cost more than a selective query's answer).
            let hashesByNumber = selectedNumbers.count * 16 >= index.series.count
            var keyHashes = [UInt64?](repeating: nil, count: hashesByNumber ? index.series.count : 0)
            var fewKeyHashes: [Int: UInt64] = [:]
            func keyHash(_ number: Int) -> UInt64 {
                if let known = hashesByNumber ? keyHashes[number] : fewKeyHashes[number] { return known }
                let hash = DecodedSampleCache.KeyHasher.hash(index.series[number])
                if hashesByNumber { keyHashes[number] = hash } else { fewKeyHashes[number] = hash }
                return hash
            }
            func cacheKey(_ batch: SeriesIndex.Batch) -> DecodedSampleCache.Key {
                DecodedSampleCache.Key(baseOffset: batch.baseOffset, eventCount: batch.eventCount, totalLength: batch.totalLength)
            }
            // Every batch in memory: answered without opening the file (a selective
            // query's common case): no open, size check and close per segment and query.
            var held = cache.entries(chosen.map(cacheKey))
            /// Hands over chosen batch `number` from memory and counts it; false when
            /// the entry does not match the index (the file is read instead).
            func handHeld(_ number: Int) throws -> Bool {
                let batch = chosen[number]
                do {
                    try held[number]!.visit(
                        declared: batch.declared, selected: selected, keys: index.series, keyHash: keyHash, fromNs: fromNs, toNs: toNs,
                        declaredRuns: batch.declaredRuns, selectedNumbers: selectedNumbers, visit: visit)
                } catch is SeriesIndexMismatch {
                    return false
                }
                statistics.batchesRead += 1
                statistics.batchesFromMemory += 1
                statistics.eventsInBatchesRead += Int(batch.eventCount)
                return true
            }
            // Batches before `first` were handed over from memory; `counted` when
            // `beforeBatch` was told of `first` already.
            var first = 0
            var counted = false
            if !held.contains(where: { $0 == nil }) {
                while first < chosen.count {
                    try beforeBatch(Int(chosen[first].eventCount))
                    guard try handHeld(first) else {
                        // Read from the file below, where a mismatch is handled.
                        held[first] = nil
                        counted = true
                        break
                    }
                    first += 1
                }
                if first == chosen.count {
                    statistics.batchesPassedOver += passedOver
                    return
                }
            }
            // Batches handed over so far stay handed over: the caller drops what it
            // gathered and asks again without `heldOnly`.
            if heldOnly { throw MetricSamplesNotHeld() }
            let file: any LogFile
            do { file = try directory.fileSystem.open(record.path, create: false, truncate: false) } catch {
                // Retention may delete a segment between listing and opening it.
                if error.code == .notFound, state.segment(baseOffset: record.baseOffset) == nil { return }
                throw LogError.fileSystem(error)
            }
            defer { file.close() }
            // (Not once batches were handed over from memory: they would be handed twice.)
            if record.sealed, attempt == 0, first == 0, try file.sizeBytes() != index.segmentSizeBytes {
                seriesIndexes.forget(baseOffset: record.baseOffset)
                guard let current = state.segment(baseOffset: record.baseOffset) else { return }
                record = current
                continue
            }
            statistics.batchesPassedOver += passedOver
            let cursor = SegmentCursor(
                file: file, path: record.path, position: UInt64(SegmentHeader.sizeBytes), limitBytes: index.segmentSizeBytes,
                readAheadBytes: Self.indexedReadAheadBytes)
            var decoder = BatchFrameDecoder()
            defer { decoder.deallocate() }
            for number in first..<chosen.count {
                let batch = chosen[number]
                if number != first || !counted { try beforeBatch(Int(batch.eventCount)) }
                let cacheKey = cacheKey(batch)
                // A mismatch is read from the file, where it is handled.
                if held[number] != nil, try handHeld(number) { continue }
                cursor.seek(to: batch.position)
                let read: SegmentCursor.Read?
                do { read = try cursor.read() } catch { throw LogError.fileSystem(error) }
                guard let read else { break }
                guard case .frame(let frame) = read else {
                    statistics.damagedBatches += 1
                    continue
                }
                guard frame.header.baseOffset == batch.baseOffset, frame.header.totalLength == batch.totalLength else {
                    // Not the batch indexed (the file changed under the index despite
                    // its size): counted as damage; the next scan rebuilds the index.
                    seriesIndexes.discard(baseOffset: record.baseOffset)
                    statistics.damagedBatches += 1
                    continue
                }
                guard let payload = try? decoder.payload(frame, segment: record.path) else {
                    statistics.damagedBatches += 1
                    continue
                }
                statistics.batchesRead += 1
                statistics.eventsInBatchesRead += Int(batch.eventCount)
                do {
                    let decoded = try BatchSampleDecoder.samples(payload, eventCount: Int(frame.header.eventCount))
                    if cacheDecoded { cache.insert(decoded, for: cacheKey) }
                    try decoded.visit(
                        declared: batch.declared, selected: selected, keys: index.series, keyHash: keyHash, fromNs: fromNs, toNs: toNs,
                        declaredRuns: batch.declaredRuns, selectedNumbers: selectedNumbers, visit: visit)
                } catch is SeriesIndexMismatch {
                    seriesIndexes.discard(baseOffset: record.baseOffset)
                    do { try Self.visitDecoded(frame, segment: record.path, decoder: &decoder, fromNs: fromNs, toNs: toNs, wants: wants, visit: visit) } catch is CorruptionError {
                        statistics.damagedBatches += 1
                    }
                } catch is CodecError {
                    // A checksum-valid batch that does not decode as indexed: damage here,
                    // or an index describing other bytes; the next scan rebuilds it.
                    seriesIndexes.discard(baseOffset: record.baseOffset)
                    statistics.damagedBatches += 1
                }
            }
            return
        }
    }

    /// The batch decoded in full, its wanted series' samples handed over per series: the
    /// way past an index that does not describe the batch.
    static func visitDecoded(
        _ frame: SegmentCursor.Frame, segment: String, decoder: inout BatchFrameDecoder, fromNs: Int64, toNs: Int64,
        wants: (SeriesKey) throws -> Bool, visit: SeriesSamplesVisitor
    ) throws {
        var events: [Event] = []
        try decoder.decode(frame, segment: segment, into: &events)
        var order: [DeclaredSeries] = []
        var runs: [DeclaredSeries: (times: [Int64], values: [Double])] = [:]
        var decided: [SeriesKey: Bool] = [:]
        for event in events where event.timeNs >= fromNs && event.timeNs <= toNs {
            guard case .metric(let sample) = event.body else { continue }
            let wanted: Bool
            if let known = decided[sample.series] { wanted = known } else {
                wanted = try wants(sample.series)
                decided[sample.series] = wanted
            }
            guard wanted else { continue }
            let declared = DeclaredSeries(key: sample.series, kind: sample.kind)
            if runs[declared] == nil { order.append(declared) }
            runs[declared, default: ([], [])].times.append(event.timeNs)
            runs[declared, default: ([], [])].values.append(sample.value)
        }
        for declared in order {
            let run = runs[declared]!
            try run.times.withUnsafeBufferPointer { times in
                try run.values.withUnsafeBufferPointer { values in try visit(declared.key, declared.kind, times, values) }
            }
        }
    }

    /// Read-ahead of an indexed scan's segment cursor: batches chosen are often
    /// apart, so each read asks for less than a full scan's.
    static let indexedReadAheadBytes = 256 << 10
}
