/// The binary form of a batch of events: the payload the log compresses with LZ4
/// and frames with a checksum.
///
/// A payload starts with a `UInt8` encoding code. A code, once released, never
/// changes meaning; a new layout gets a new code and decoders keep reading the old.
/// Every payload is self-contained: it declares the strings and series it uses, so
/// any batch decodes alone and damage to one batch costs only that batch.
///
/// Layout of encoding 1, after the code and the event count (varint); each section
/// is prefixed by its byte length:
/// 1. strings: interned UTF-8 strings (series names, label keys and values, and the
///    strings of non-metric events), referred to by index;
/// 2. series: name, sorted labels, kind and sample count of each series (a series
///    used as gauge and as counter is declared twice);
/// 3. types: runs of event type codes;
/// 4. times: see `TimeColumn` (delta or delta-of-delta zigzag varints);
/// 5. series ids: per metric event, zigzag varint of `id - (previous id + 1)`
///    (a round-robin scrape is all zeros);
/// 6. values: per series, its samples (see `ValueColumn`);
/// 7. rows: the non-metric events in order, field by field.
public enum BatchCodec {
    /// The encoding `encode` writes.
    public static let currentEncoding: UInt8 = 1
    /// Events in one batch; larger groups are split by the writer.
    public static let eventsPerBatchMax = 1 << 20

    /// Appends the (uncompressed) payload of `events` to `out`.
    ///
    /// Events must satisfy `EventLimits` (ingest checks them): a violation is a
    /// programmer error and stops the process rather than writing an unreadable batch.
    public static func encode(_ events: some Collection<Event>, into out: inout [UInt8]) {
        precondition(events.count <= eventsPerBatchMax, "batch of \(events.count) events exceeds \(eventsPerBatchMax)")
        // Arrays and their slices take the non-generic path over contiguous storage.
        let encoded: Void? = events.withContiguousStorageIfAvailable { buffer in
            encodeContiguous(buffer, into: &out)
        }
        if encoded == nil {
            Array(events).withUnsafeBufferPointer { encodeContiguous($0, into: &out) }
        }
    }

    static func encodeContiguous(_ events: UnsafeBufferPointer<Event>, into out: inout [UInt8]) {
        var encoder = BatchEncoder(expectedEventCount: events.count)
        for index in events.indices { encoder.append(events[index]) }
        encoder.finish(into: &out)
    }

    /// Decodes a payload of `eventCount` events, appending them to `events` in their
    /// original order. Throws on any payload that `encode` could not have written
    /// (in which case `events` may hold part of the batch: drop it).
    public static func decode(_ payload: UnsafeRawBufferPointer, eventCount: Int, into events: inout [Event]) throws(CodecError) {
        guard eventCount >= 0, eventCount <= eventsPerBatchMax else {
            throw CodecError(byteOffset: 0, reason: "event count \(eventCount) is out of range 0…\(eventsPerBatchMax)")
        }
        var reader = PayloadReader(payload)
        let encoding = try reader.byte()
        switch encoding {
        case 1:
            try BatchDecoder.decode(&reader, eventCount: eventCount, into: &events)
        default:
            throw CodecError(byteOffset: 0, reason: "unknown batch encoding \(encoding) (written by a newer version?)")
        }
    }
}
