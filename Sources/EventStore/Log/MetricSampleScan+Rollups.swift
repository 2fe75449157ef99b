/// How `MetricSampleScanner.minuteRollups` read the segments it needed.
public struct MinuteRollupStatistics: Sendable, Equatable {
    /// Sealed segments read through their rollup files.
    public var segmentsFromFiles = 0
    /// Segments whose samples were read: the open one, and sealed ones without a usable file.
    public var segmentsFromSamples = 0

    public init(segmentsFromFiles: Int = 0, segmentsFromSamples: Int = 0) {
        self.segmentsFromFiles = segmentsFromFiles
        self.segmentsFromSamples = segmentsFromSamples
    }
}

extension MetricSampleScanner {
    /// A counter's increase at the start of a range depends on the sample before it:
    /// segments ending this long before the range are read too (a segment rolls after
    /// an hour at most, so this reaches the one before).
    public static let rollupLookbackNs: Int64 = 3600 * 1_000_000_000

    /// The minute rollups of `key` over the minutes of `fromNs...toNs` (whole minutes:
    /// the last holds its samples after `toNs` too), merged across
    /// the log in log order (every sample of those minutes, wherever it sits): from the
    /// sealed segments' rollup files, and from the samples of the open segment and of
    /// any segment whose file is missing or damaged. Nil when no segment holds the
    /// series. Blocking file I/O: call from a thread of its own.
    public func minuteRollups(of key: SeriesKey, fromNs: Int64, toNs: Int64) throws -> SeriesMinutes? {
        var statistics = MinuteRollupStatistics()
        return try minuteRollups(of: key, fromNs: fromNs, toNs: toNs, statistics: &statistics)
    }

    /// `minuteRollups`, telling how each segment was read.
    public func minuteRollups(of key: SeriesKey, fromNs: Int64, toNs: Int64, statistics: inout MinuteRollupStatistics) throws -> SeriesMinutes? {
        guard fromNs <= toNs else { return nil }
        let start = fromNs < Int64.min + Self.rollupLookbackNs ? Int64.min : fromNs - Self.rollupLookbackNs
        // Whole minutes: the segments holding any sample of the last one.
        let lastMinute = SegmentRollups.minute(of: toNs)
        let end = lastMinute >= Int64.max / SegmentRollups.minuteNs - 1 ? Int64.max : (lastMinute + 1) * SegmentRollups.minuteNs - 1
        var accumulator = SeriesMinutes.Accumulator()
        for record in state.allSegments {
            let summary = record.index.summary
            guard summary.batchCount > 0, summary.maxTimeNs >= start, summary.minTimeNs <= end else { continue }
            if record.sealed, let part = try storedRollup(of: key, in: record) {
                if let part { accumulator.add(part) }
                statistics.segmentsFromFiles += 1
                continue
            }
            statistics.segmentsFromSamples += 1
            // The samples of the open segment (or one without a usable file) within the
            // lookback and the range's minutes: the batches before are passed over.
            var part = SegmentRollups.SeriesRollup()
            var scanned = MetricScanStatistics()
            try scanSegment(
                record, fromNs: start, toNs: end, name: key.name, labelsEqual: key.labels.pairs, labelValues: [], wants: { $0 == key },
                beforeBatch: { _ in }, visit: { _, kind, times, values in part.add(kind: kind, times: times, values: values) },
                statistics: &scanned)
            accumulator.add(part)
        }
        return accumulator.result(fromUnit: SegmentRollups.minute(of: fromNs), throughUnit: SegmentRollups.minute(of: toNs))
    }

    /// `key`'s block in the segment's rollup file: `.some(nil)` when the segment does
    /// not hold the series, nil when the file is missing or does not describe the
    /// segment (read its samples instead).
    private func storedRollup(of key: SeriesKey, in record: SegmentRecord) throws -> SegmentRollups.SeriesRollup?? {
        let path = directory.rollupsPath(baseOffset: record.baseOffset)
        // Without an index (retention may have deleted the segment meanwhile) the
        // samples' path decides, as every scan does.
        guard directory.fileSystem.exists(path), let index = try? seriesIndexes.index(for: record),
            index.segmentSizeBytes == record.index.segmentSizeBytes
        else { return nil }
        guard let number = index.existingNumber(of: key) else { return .some(nil) }
        let file: any LogFile
        do { file = try directory.fileSystem.open(path, create: false, truncate: false) } catch {
            if error.code == .notFound { return nil }
            throw LogError.fileSystem(error)
        }
        defer { file.close() }
        let block: SegmentRollups.SeriesRollup?
        do {
            block = try SegmentRollups.read(number: number, from: file, baseOffset: record.baseOffset, segmentSizeBytes: record.index.segmentSizeBytes)
        } catch {
            throw LogError.fileSystem(error)
        }
        return block.map { .some($0) }
    }

    /// The minute rollups of every series of a sealed segment, by its series index's
    /// numbers (`SegmentRollups`): one read of all its samples.
    func segmentRollups(_ record: SegmentRecord) throws -> SegmentRollups {
        let index = try seriesIndexes.index(for: record)
        var series = [SegmentRollups.SeriesRollup](repeating: SegmentRollups.SeriesRollup(), count: index.series.count)
        var statistics = MetricScanStatistics()
        var numbers: [SeriesKey: Int] = [:]
        numbers.reserveCapacity(index.series.count)
        for (number, key) in index.series.enumerated() { numbers[key] = number }
        try scanSegment(
            record, fromNs: .min, toNs: .max, name: nil, labelsEqual: [], labelValues: [], wants: { _ in true }, beforeBatch: { _ in },
            visit: { key, kind, times, values in
                guard let number = numbers[key] else { return }
                series[number].add(kind: kind, times: times, values: values)
            },
            statistics: &statistics, cacheDecoded: false)
        return SegmentRollups(baseOffset: record.baseOffset, segmentSizeBytes: index.segmentSizeBytes, series: series)
    }
}
