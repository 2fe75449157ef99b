/// The first bytes of every segment file.
///
/// Layout (little-endian), 32 bytes:
/// `magic u32 | formatVersion u16 | headerLength u16 | baseOffset u64 | createdTimeNs i64 | reserved u32 | crc32c u32`
/// The CRC covers bytes 0..<28.
public struct SegmentHeader: Sendable, Equatable {
    public static let sizeBytes = 32

    public let formatVersion: UInt16
    public let baseOffset: UInt64
    public let createdTimeNs: Int64

    public init(baseOffset: UInt64, createdTimeNs: Int64, formatVersion: UInt16 = LogFormat.version) {
        self.formatVersion = formatVersion
        self.baseOffset = baseOffset
        self.createdTimeNs = createdTimeNs
    }

    public func encoded() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(Self.sizeBytes)
        ByteIO.put(LogFormat.segmentMagic, &out)
        ByteIO.put(formatVersion, &out)
        ByteIO.put(UInt16(Self.sizeBytes), &out)
        ByteIO.put(baseOffset, &out)
        ByteIO.put(createdTimeNs, &out)
        ByteIO.put(UInt32(0), &out)
        let crc = out.withUnsafeBytes { CRC32C.checksum(0, $0) }
        ByteIO.put(crc, &out)
        assert(out.count == Self.sizeBytes)
        return out
    }

    /// Parses and checks a segment header; `segment` only names the file in errors.
    public static func decode(_ bytes: UnsafeRawBufferPointer, segment: String) throws(CorruptionError) -> SegmentHeader {
        func fail(_ reason: CorruptionError.Reason, _ detail: String) -> CorruptionError {
            CorruptionError(segment: segment, position: 0, reason: reason, detail: detail)
        }
        guard bytes.count >= sizeBytes else { throw fail(.truncated, "segment shorter than its header") }
        guard ByteIO.load(UInt32.self, at: 0, in: bytes) == LogFormat.segmentMagic else {
            throw fail(.badMagic, "not a segment header")
        }
        let stored = ByteIO.load(UInt32.self, at: 28, in: bytes)
        let computed = CRC32C.checksum(0, UnsafeRawBufferPointer(rebasing: bytes[0..<28]))
        guard stored == computed else { throw fail(.badChecksum, "segment header checksum mismatch") }
        let version = ByteIO.load(UInt16.self, at: 4, in: bytes)
        guard version >= 1, version <= LogFormat.readableVersionMax else {
            throw fail(.badHeader, "segment format version \(version) is not readable by this build (max \(LogFormat.readableVersionMax))")
        }
        guard ByteIO.load(UInt16.self, at: 6, in: bytes) == UInt16(sizeBytes) else {
            throw fail(.badHeader, "unexpected segment header length")
        }
        return SegmentHeader(
            baseOffset: ByteIO.load(UInt64.self, at: 8, in: bytes),
            createdTimeNs: ByteIO.load(Int64.self, at: 16, in: bytes),
            formatVersion: version
        )
    }
}
