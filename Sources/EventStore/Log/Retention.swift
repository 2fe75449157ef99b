/// Which sealed segments retention deletes: the oldest ones, in order, while their
/// newest event is older than the age limit or the log is over its size limit. Never
/// the active segment, never a hole in the middle.
enum Retention {
    /// - Parameter derivedBytes: the size of the files kept beside a segment (its sparse
    ///   index and series index), which a size limit counts with it, as Prometheus's
    ///   `--storage.tsdb.retention.size` counts a block's index with its chunks.
    static func victims(
        _ segments: [SegmentRecord], nowNs: Int64, ageNs: Int64?, bytesMax: UInt64?, derivedBytes: (SegmentRecord) -> UInt64 = { _ in 0 }
    ) -> [SegmentRecord] {
        let sizes = bytesMax == nil ? segments.map(\.fileSizeBytes) : segments.map { $0.fileSizeBytes + derivedBytes($0) }
        var total = sizes.reduce(0, +)
        var victims: [SegmentRecord] = []
        for (segment, sizeBytes) in zip(segments, sizes).dropLast() where segment.sealed {
            let summary = segment.index.summary
            let expired = ageNs.map { summary.batchCount == 0 || summary.maxTimeNs < nowNs - $0 } ?? false
            let oversize = bytesMax.map { total > $0 } ?? false
            guard expired || oversize else { break }
            victims.append(segment)
            total -= sizeBytes
        }
        return victims
    }
}
