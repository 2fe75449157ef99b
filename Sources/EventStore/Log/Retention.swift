/// Which sealed segments retention deletes: the oldest ones, in order, while their
/// newest event is older than the age limit or the log is over its size limit. Never
/// the active segment, never a hole in the middle.
enum Retention {
    static func victims(_ segments: [SegmentRecord], nowNs: Int64, ageNs: Int64?, bytesMax: UInt64?) -> [SegmentRecord] {
        var total = segments.reduce(UInt64(0)) { $0 + $1.fileSizeBytes }
        var victims: [SegmentRecord] = []
        for segment in segments.dropLast() where segment.sealed {
            let summary = segment.index.summary
            let expired = ageNs.map { summary.batchCount == 0 || summary.maxTimeNs < nowNs - $0 } ?? false
            let oversize = bytesMax.map { total > $0 } ?? false
            guard expired || oversize else { break }
            victims.append(segment)
            total -= segment.fileSizeBytes
        }
        return victims
    }
}
