/// What the log knows about one segment file, kept in memory and shared with readers.
struct SegmentRecord: Sendable {
    let baseOffset: UInt64
    let path: String
    var createdTimeNs: Int64
    /// The active segment is the one being appended to; all others are sealed.
    var sealed: Bool
    /// For the active segment, `index.segmentSizeBytes` is the committed size: readers
    /// never read past it.
    var index: SegmentIndex
    var fileSizeBytes: UInt64
    var compacted = false
}

/// One segment as `segments()` reports it (for `tacho inspect` and `/api/v1/log`).
public struct SegmentInfo: Sendable, Equatable {
    public let baseOffset: UInt64
    public let path: String
    public let sealed: Bool
    public let createdTimeNs: Int64
    public let batchCount: UInt64
    public let eventCount: UInt64
    /// `nil` when the segment holds no batch.
    public let minTimeNs: Int64?
    public let maxTimeNs: Int64?
    /// Bytes the batches would take uncompressed (payloads plus frame headers).
    public let rawBytes: UInt64
    /// Bytes of the segment file on disk.
    public let storedBytes: UInt64
    /// Offset after the segment's last intact batch (its base offset when empty).
    public let endOffset: UInt64

    init(_ record: SegmentRecord) {
        let summary = record.index.summary
        baseOffset = record.baseOffset
        path = record.path
        sealed = record.sealed
        createdTimeNs = record.createdTimeNs
        batchCount = summary.batchCount
        eventCount = summary.eventCount
        minTimeNs = summary.batchCount == 0 ? nil : summary.minTimeNs
        maxTimeNs = summary.batchCount == 0 ? nil : summary.maxTimeNs
        rawBytes = summary.rawBytes
        storedBytes = record.fileSizeBytes
        endOffset = summary.endOffset ?? record.baseOffset
    }
}
