/// The reader's edge with the codec: a verified frame → LZ4 → `BatchCodec` → events,
/// checked against what the header promised. A payload that does not decode to
/// exactly `eventCount` events within `[minTimeNs, maxTimeNs]` is `badContent`.
struct BatchFrameDecoder {
    private var scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 16)

    func deallocate() { scratch.deallocate() }

    /// The frame's payload as `BatchCodec` reads it (decompressed into scratch space
    /// valid until the next call).
    mutating func payload(_ frame: SegmentCursor.Frame, segment: String) throws(CorruptionError) -> UnsafeRawBufferPointer {
        let header = frame.header
        func bad(_ detail: String) -> CorruptionError {
            CorruptionError(segment: segment, position: frame.position, reason: .badContent, detail: detail)
        }
        switch header.compression {
        case .none:
            return frame.payload
        case .lz4:
            let size = Int(header.uncompressedSize)
            if scratch.count < size {
                scratch.deallocate()
                scratch = .allocate(byteCount: size, alignment: 16)
            }
            let target = UnsafeMutableRawBufferPointer(rebasing: scratch[0..<size])
            let written: Int
            do { written = try LZ4.decompress(frame.payload, into: target) } catch { throw bad("LZ4: \(error.reason)") }
            guard written == size else { throw bad("LZ4 gave \(written) of \(size) bytes") }
            return UnsafeRawBufferPointer(target)
        }
    }

    /// Appends the frame's events to `events`; on error `events` is left as it was.
    mutating func decode(_ frame: SegmentCursor.Frame, segment: String, into events: inout [Event]) throws(CorruptionError) {
        let header = frame.header
        func bad(_ detail: String) -> CorruptionError {
            CorruptionError(segment: segment, position: frame.position, reason: .badContent, detail: detail)
        }
        let payload = try payload(frame, segment: segment)
        let before = events.count
        do {
            try BatchCodec.decode(payload, eventCount: Int(header.eventCount), into: &events)
        } catch {
            events.removeSubrange(before...)
            throw bad("payload: \(error.reason) at byte \(error.byteOffset)")
        }
        var problem: String?
        if events.count - before != Int(header.eventCount) {
            problem = "decoded \(events.count - before) events, header says \(header.eventCount)"
        } else {
            var minTimeNs = Int64.max
            var maxTimeNs = Int64.min
            for event in events[before...] {
                minTimeNs = min(minTimeNs, event.timeNs)
                maxTimeNs = max(maxTimeNs, event.timeNs)
            }
            if minTimeNs != header.minTimeNs || maxTimeNs != header.maxTimeNs { problem = "event times disagree with the header" }
        }
        if let problem {
            events.removeSubrange(before...)
            throw bad(problem)
        }
    }
}
