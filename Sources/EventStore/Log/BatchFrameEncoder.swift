/// The writer's edge with the codec: events → columnar payload (`BatchCodec`) → LZ4 →
/// a framed, checksummed batch. Everything below this type moves opaque frames.
/// Scratch buffers are reused, so a long run of appends allocates almost nothing.
struct BatchFrameEncoder {
    /// Batches are cut at this many events even when the payload would fit.
    let eventsPerBatchMax: Int
    private var payload: [UInt8] = []

    init(eventsPerBatchMax: Int = LogLimits.eventsPerBatchMax) {
        precondition(eventsPerBatchMax >= 1 && eventsPerBatchMax <= LogLimits.eventsPerBatchMax, "eventsPerBatchMax out of range")
        self.eventsPerBatchMax = eventsPerBatchMax
    }

    /// Appends to `out` the frames holding `events` with offsets from `baseOffset`, and
    /// returns their headers (positions are relative to where `out` started).
    mutating func appendFrames(
        _ events: ArraySlice<Event>, baseOffset: UInt64, into out: inout [UInt8], headers: inout [(header: BatchFrameHeader, position: Int)]
    ) {
        var pending: [Range<Int>] = []
        var start = events.startIndex
        while start < events.endIndex {
            let end = min(start + eventsPerBatchMax, events.endIndex)
            pending.append(start..<end)
            start = end
        }
        pending.reverse()
        // A chunk whose payload is over the limit is halved and retried: a stack, not recursion.
        while let range = pending.popLast() {
            payload.removeAll(keepingCapacity: true)
            BatchCodec.encode(events[range], into: &payload)
            if payload.count > LogLimits.payloadBytesMax {
                precondition(range.count > 1, "one event encodes over payloadBytesMax")
                let middle = range.lowerBound + range.count / 2
                pending.append(middle..<range.upperBound)
                pending.append(range.lowerBound..<middle)
                continue
            }
            let offset = baseOffset + UInt64(range.lowerBound - events.startIndex)
            let position = out.count
            let header = appendFrame(events[range], baseOffset: offset, into: &out)
            headers.append((header, position))
        }
    }

    private func appendFrame(_ events: ArraySlice<Event>, baseOffset: UInt64, into out: inout [UInt8]) -> BatchFrameHeader {
        var minTimeNs = Int64.max
        var maxTimeNs = Int64.min
        for event in events {
            minTimeNs = min(minTimeNs, event.timeNs)
            maxTimeNs = max(maxTimeNs, event.timeNs)
        }
        let headerSize = BatchFrameHeader.sizeBytes
        let start = out.count
        let bound = LZ4.compressBound(payload.count)
        out.append(contentsOf: repeatElement(0, count: headerSize + max(bound, payload.count)))
        let header = out.withUnsafeMutableBytes { raw -> BatchFrameHeader in
            let frameArea = UnsafeMutableRawBufferPointer(rebasing: raw[start...])
            let body = UnsafeMutableRawBufferPointer(rebasing: frameArea[headerSize...])
            let compressed = payload.withUnsafeBytes { LZ4.compress($0, into: body) }
            let compression: PayloadCompression
            let stored: Int
            if compressed > 0 && compressed < payload.count {
                compression = .lz4
                stored = compressed
            } else {
                // Incompressible payloads are stored as they are: never larger than raw.
                payload.withUnsafeBytes { body.copyMemory(from: $0) }
                compression = .none
                stored = payload.count
            }
            let header = BatchFrameHeader(
                totalLength: UInt32(headerSize + stored), baseOffset: baseOffset, eventCount: UInt32(events.count),
                minTimeNs: minTimeNs, maxTimeNs: maxTimeNs, compression: compression, uncompressedSize: UInt32(payload.count))
            assert(header.fieldProblem() == nil, "encoder built an invalid header")
            let frame = UnsafeMutableRawBufferPointer(rebasing: frameArea[0..<(headerSize + stored)])
            header.store(into: frame)
            BatchFrameHeader.seal(frame: frame)
            return header
        }
        out.removeLast(out.count - start - Int(header.totalLength))
        return header
    }
}
