/// Totals of one segment's intact batches: what `tacho inspect` and retention need
/// without decoding anything.
public struct SegmentSummary: Sendable, Equatable {
    public var batchCount: UInt64 = 0
    public var eventCount: UInt64 = 0
    /// `Int64.max` / `Int64.min` while the segment holds no batch.
    public var minTimeNs: Int64 = .max
    public var maxTimeNs: Int64 = .min
    /// Sum of uncompressed payload sizes plus frame headers: the bytes before compression.
    public var rawBytes: UInt64 = 0
    /// Offset after the last intact batch, or nil when there is none.
    public var endOffset: UInt64?

    public init() {}

    mutating func add(_ header: BatchFrameHeader) {
        batchCount += 1
        eventCount += UInt64(header.eventCount)
        minTimeNs = min(minTimeNs, header.minTimeNs)
        maxTimeNs = max(maxTimeNs, header.maxTimeNs)
        rawBytes += UInt64(header.uncompressedSize) + UInt64(BatchFrameHeader.sizeBytes)
        endOffset = header.endOffset
    }
}
