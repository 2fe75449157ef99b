/// The fixed 40-byte header of a checkpoint file, little-endian:
/// ```
/// 0  magic "TCKP"      u32
/// 4  format version    u16
/// 6  flags             u16   bit 0: an event time is present
/// 8  next offset       u64   the checkpoint covers offsets below it
/// 16 event time ns     i64   newest event time covered (0 when absent)
/// 24 content length    u64
/// 32 reserved          u32   zero
/// 36 CRC32C            u32   over bytes 0..<36 and then the content
/// ```
struct CheckpointFileHeader: Equatable {
    static let sizeBytes = 40
    static let magic: UInt32 = 0x504B_4354
    static let version: UInt16 = 1
    static let flagEventTime: UInt16 = 1

    var nextOffset: UInt64
    var eventTimeNs: Int64?
    var contentSizeBytes: UInt64
    var checksum: UInt32 = 0

    /// The header bytes with the checksum computed over them and `content`.
    func encode(content: UnsafeRawBufferPointer) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(Self.sizeBytes)
        ByteIO.put(Self.magic, &out)
        ByteIO.put(Self.version, &out)
        ByteIO.put(eventTimeNs == nil ? UInt16(0) : Self.flagEventTime, &out)
        ByteIO.put(nextOffset, &out)
        ByteIO.put(eventTimeNs ?? 0, &out)
        ByteIO.put(contentSizeBytes, &out)
        ByteIO.put(UInt32(0), &out)
        let crc = out.withUnsafeBytes { CRC32C.checksum(CRC32C.checksum(0, $0), content) }
        ByteIO.put(crc, &out)
        assert(out.count == Self.sizeBytes)
        return out
    }

    /// Parses a header; the reason when it is not one this build wrote.
    static func decode(_ bytes: UnsafeRawBufferPointer) -> Result<CheckpointFileHeader, CheckpointDamageReason> {
        guard bytes.count >= sizeBytes else { return .failure(.init("header is \(bytes.count) bytes, expected \(sizeBytes)")) }
        guard ByteIO.load(UInt32.self, at: 0, in: bytes) == magic else { return .failure(.init("bad magic")) }
        let version = ByteIO.load(UInt16.self, at: 4, in: bytes)
        guard version == Self.version else { return .failure(.init("unknown format version \(version)")) }
        let flags = ByteIO.load(UInt16.self, at: 6, in: bytes)
        guard flags & ~flagEventTime == 0 else { return .failure(.init("unknown flags \(flags)")) }
        guard ByteIO.load(UInt32.self, at: 32, in: bytes) == 0 else { return .failure(.init("reserved field is not zero")) }
        let time = ByteIO.load(Int64.self, at: 16, in: bytes)
        return .success(CheckpointFileHeader(
            nextOffset: ByteIO.load(UInt64.self, at: 8, in: bytes),
            eventTimeNs: flags & flagEventTime != 0 ? time : nil,
            contentSizeBytes: ByteIO.load(UInt64.self, at: 24, in: bytes),
            checksum: ByteIO.load(UInt32.self, at: 36, in: bytes)))
    }

    /// Whether `checksum` matches the header bytes (first 36) and `content`.
    static func verify(header: UnsafeRawBufferPointer, content: UnsafeRawBufferPointer, checksum: UInt32) -> Bool {
        let covered = UnsafeRawBufferPointer(rebasing: header[0..<36])
        return CRC32C.checksum(CRC32C.checksum(0, covered), content) == checksum
    }
}

struct CheckpointDamageReason: Error {
    let text: String
    init(_ text: String) { self.text = text }
}
