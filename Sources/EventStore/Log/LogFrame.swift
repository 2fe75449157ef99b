/// One batch frame as stored: the self-contained, checksummed (and usually LZ4)
/// unit the writer commits, which replication ships between nodes unchanged.
public struct LogFrame: Sendable, Equatable {
    public let header: BatchFrameHeader
    /// Header and payload, exactly as in the segment file.
    public let bytes: [UInt8]

    public var baseOffset: UInt64 { header.baseOffset }
    public var endOffset: UInt64 { header.endOffset }

    /// Reads the frames laid end to end in `bytes` (a replication message), verifying
    /// each one's length, checksum and header. `source` names them in errors.
    public static func frames(in bytes: [UInt8], source: String) throws(CorruptionError) -> [LogFrame] {
        var frames: [LogFrame] = []
        var position = 0
        while position < bytes.count {
            let header = try bytes.withUnsafeBytes { raw in
                Result { () throws(CorruptionError) -> BatchFrameHeader in
                    let rest = UnsafeRawBufferPointer(rebasing: raw[position...])
                    guard rest.count >= BatchFrameHeader.sizeBytes else {
                        throw CorruptionError(segment: source, position: UInt64(position), reason: .truncated, detail: "ends inside a batch header")
                    }
                    let (_, length) = BatchFrameHeader.peekLength(rest)
                    guard Int(length) <= rest.count else {
                        throw CorruptionError(segment: source, position: UInt64(position), reason: .truncated, detail: "ends inside a batch of \(length) bytes")
                    }
                    return try BatchFrameHeader.verify(frame: UnsafeRawBufferPointer(rebasing: rest[0..<Int(length)]), segment: source, position: UInt64(position))
                }
            }.get()
            let end = position + Int(header.totalLength)
            frames.append(LogFrame(header: header, bytes: Array(bytes[position..<end])))
            position = end
        }
        return frames
    }

    /// The frame's events (payload decompressed and checked against the header).
    public func decode(source: String) throws(CorruptionError) -> LogBatch {
        var decoder = BatchFrameDecoder()
        defer { decoder.deallocate() }
        var events: [Event] = []
        events.reserveCapacity(Int(header.eventCount))
        try bytes.withUnsafeBytes { raw in
            Result { () throws(CorruptionError) in
                let frame = SegmentCursor.Frame(
                    header: header, position: 0, payload: UnsafeRawBufferPointer(rebasing: raw[BatchFrameHeader.sizeBytes...]), bytes: raw)
                try decoder.decode(frame, segment: source, into: &events)
            }
        }.get()
        return LogBatch(baseOffset: header.baseOffset, events: events)
    }

    /// Frames for `batch` (offsets kept), each at most `bytesMax` long: a frame too
    /// large for a transport's message limit is re-encoded in smaller ones. Nil when
    /// a single event does not fit.
    public static func encode(_ batch: LogBatch, frameBytesMax bytesMax: Int) -> [LogFrame]? {
        guard !batch.events.isEmpty else { return [] }
        var eventsPerBatch = min(batch.events.count, LogLimits.eventsPerBatchMax)
        while true {
            var encoder = BatchFrameEncoder(eventsPerBatchMax: eventsPerBatch)
            var out: [UInt8] = []
            var headers: [(header: BatchFrameHeader, position: Int)] = []
            encoder.appendFrames(batch.events[...], baseOffset: batch.baseOffset, into: &out, headers: &headers)
            if headers.allSatisfy({ Int($0.header.totalLength) <= bytesMax }) {
                return headers.map { LogFrame(header: $0.header, bytes: Array(out[$0.position..<($0.position + Int($0.header.totalLength))])) }
            }
            guard eventsPerBatch > 1 else { return nil }
            eventsPerBatch /= 2
        }
    }
}
