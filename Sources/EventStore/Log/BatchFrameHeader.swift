/// The fixed header in front of every batch payload.
///
/// Layout (little-endian), 48 bytes:
/// ```
///  0 magic u32          4 totalLength u32 (header + stored payload)
///  8 crc32c u32 over bytes [12, totalLength)
/// 12 baseOffset u64    20 eventCount u32
/// 24 minTimeNs i64     32 maxTimeNs i64
/// 40 compression u8    41 flags u8 (0)    42 reserved u16 (0)
/// 44 uncompressedSize u32
/// ```
public struct BatchFrameHeader: Sendable, Equatable {
    public static let sizeBytes = 48
    static let checksumPosition = 8
    static let checksummedFrom = 12

    public var totalLength: UInt32
    public var baseOffset: UInt64
    public var eventCount: UInt32
    public var minTimeNs: Int64
    public var maxTimeNs: Int64
    public var compression: PayloadCompression
    public var uncompressedSize: UInt32

    public init(
        totalLength: UInt32, baseOffset: UInt64, eventCount: UInt32, minTimeNs: Int64, maxTimeNs: Int64,
        compression: PayloadCompression, uncompressedSize: UInt32
    ) {
        self.totalLength = totalLength
        self.baseOffset = baseOffset
        self.eventCount = eventCount
        self.minTimeNs = minTimeNs
        self.maxTimeNs = maxTimeNs
        self.compression = compression
        self.uncompressedSize = uncompressedSize
    }

    public var storedPayloadSize: Int { Int(totalLength) - Self.sizeBytes }
    /// The offset after the batch's last event.
    public var endOffset: UInt64 { baseOffset + UInt64(eventCount) }

    /// Writes the header (checksum left zero) into the first `sizeBytes` of `frame`.
    func store(into frame: UnsafeMutableRawBufferPointer) {
        ByteIO.store(LogFormat.batchMagic, at: 0, in: frame)
        ByteIO.store(totalLength, at: 4, in: frame)
        ByteIO.store(UInt32(0), at: 8, in: frame)
        ByteIO.store(baseOffset, at: 12, in: frame)
        ByteIO.store(eventCount, at: 20, in: frame)
        ByteIO.store(minTimeNs, at: 24, in: frame)
        ByteIO.store(maxTimeNs, at: 32, in: frame)
        ByteIO.store(compression.rawValue, at: 40, in: frame)
        ByteIO.store(UInt8(0), at: 41, in: frame)
        ByteIO.store(UInt16(0), at: 42, in: frame)
        ByteIO.store(uncompressedSize, at: 44, in: frame)
    }

    /// Computes and stores the checksum over a complete frame.
    static func seal(frame: UnsafeMutableRawBufferPointer) {
        let crc = CRC32C.checksum(0, UnsafeRawBufferPointer(rebasing: frame[checksummedFrom...]))
        ByteIO.store(crc, at: checksumPosition, in: frame)
    }

    /// Reads the magic and length only: enough to know how many bytes the frame spans.
    static func peekLength(_ bytes: UnsafeRawBufferPointer) -> (magicOK: Bool, totalLength: UInt32) {
        (ByteIO.load(UInt32.self, at: 0, in: bytes) == LogFormat.batchMagic, ByteIO.load(UInt32.self, at: 4, in: bytes))
    }

    /// Why a length field cannot be a frame's, or nil when it is within the limits.
    static func lengthProblem(_ totalLength: UInt32) -> String? {
        if Int(totalLength) < sizeBytes { return "length \(totalLength) shorter than a batch header" }
        if Int(totalLength) > LogLimits.frameBytesMax { return "length \(totalLength) over frameBytesMax \(LogLimits.frameBytesMax)" }
        return nil
    }

    /// Checks the checksum of a whole frame and parses its header fields.
    /// `position` and `segment` only place the error.
    static func verify(frame: UnsafeRawBufferPointer, segment: String, position: UInt64) throws(CorruptionError) -> BatchFrameHeader {
        func fail(_ reason: CorruptionError.Reason, _ detail: String) -> CorruptionError {
            CorruptionError(segment: segment, position: position, reason: reason, detail: detail)
        }
        guard frame.count >= sizeBytes else { throw fail(.truncated, "frame shorter than a batch header") }
        let (magicOK, totalLength) = peekLength(frame)
        guard magicOK else { throw fail(.badMagic, "no batch magic") }
        if let problem = lengthProblem(totalLength) { throw fail(.badLength, problem) }
        guard frame.count == Int(totalLength) else { throw fail(.truncated, "frame has \(frame.count) of \(totalLength) bytes") }
        let stored = ByteIO.load(UInt32.self, at: checksumPosition, in: frame)
        let computed = CRC32C.checksum(0, UnsafeRawBufferPointer(rebasing: frame[checksummedFrom...]))
        guard stored == computed else { throw fail(.badChecksum, "batch checksum mismatch") }

        guard let compression = PayloadCompression(rawValue: ByteIO.load(UInt8.self, at: 40, in: frame)) else {
            throw fail(.badHeader, "unknown payload compression code")
        }
        let header = BatchFrameHeader(
            totalLength: totalLength,
            baseOffset: ByteIO.load(UInt64.self, at: 12, in: frame),
            eventCount: ByteIO.load(UInt32.self, at: 20, in: frame),
            minTimeNs: ByteIO.load(Int64.self, at: 24, in: frame),
            maxTimeNs: ByteIO.load(Int64.self, at: 32, in: frame),
            compression: compression,
            uncompressedSize: ByteIO.load(UInt32.self, at: 44, in: frame)
        )
        if let problem = header.fieldProblem() { throw fail(.badHeader, problem) }
        return header
    }

    /// Why the header's fields break the limits or each other, or nil.
    func fieldProblem() -> String? {
        if eventCount == 0 { return "batch with no events" }
        if Int(eventCount) > LogLimits.eventsPerBatchMax { return "eventCount \(eventCount) over eventsPerBatchMax" }
        if minTimeNs > maxTimeNs { return "minTimeNs after maxTimeNs" }
        if Int(uncompressedSize) > LogLimits.payloadBytesMax { return "uncompressedSize over payloadBytesMax" }
        if compression == .none && Int(uncompressedSize) != storedPayloadSize { return "uncompressed payload size mismatch" }
        if baseOffset > UInt64.max - UInt64(eventCount) { return "offsets overflow" }
        return nil
    }
}
