/// Constants of the on-disk format, version 1. A released value never changes
/// meaning: a new layout gets a new format version, and every later version keeps
/// reading this one (fixtures/format-v1 and its test hold us to that).
public enum LogFormat {
    /// The format version this build writes. Directories, segments and indexes all carry it.
    public static let version: UInt16 = 1
    /// The newest format version this build can read.
    public static let readableVersionMax: UInt16 = 1

    /// "TSEG", "TBAT", "TIDX", "TSIX" read as little-endian UInt32s, so a hex dump shows the letters.
    static let segmentMagic: UInt32 = 0x4745_5354
    static let batchMagic: UInt32 = 0x5441_4254
    static let indexMagic: UInt32 = 0x5844_4954
    /// "TSIX": a segment's series index.
    static let seriesIndexMagic: UInt32 = 0x5849_5354

    /// Files named by base offset zero-padded to 20 digits (Kafka's convention), so
    /// lexical order is offset order.
    static let offsetDigits = 20
    static let segmentSuffix = ".seg"
    static let indexSuffix = ".idx"
    static let seriesIndexSuffix = ".sidx"
    static let rollupsSuffix = ".rlup"
    static let temporarySuffix = ".tmp"

    static func fileStem(baseOffset: UInt64) -> String {
        let digits = String(baseOffset)
        return String(repeating: "0", count: offsetDigits - digits.count) + digits
    }

    static func segmentFileName(baseOffset: UInt64) -> String { fileStem(baseOffset: baseOffset) + segmentSuffix }
    static func indexFileName(baseOffset: UInt64) -> String { fileStem(baseOffset: baseOffset) + indexSuffix }
    static func seriesIndexFileName(baseOffset: UInt64) -> String { fileStem(baseOffset: baseOffset) + seriesIndexSuffix }
    static func rollupsFileName(baseOffset: UInt64) -> String { fileStem(baseOffset: baseOffset) + rollupsSuffix }

    /// The base offset a segment file name encodes, or nil for any other file.
    static func baseOffset(segmentFileName name: String) -> UInt64? {
        guard name.hasSuffix(segmentSuffix) else { return nil }
        let stem = name.dropLast(segmentSuffix.count)
        guard stem.count == offsetDigits, stem.allSatisfy({ $0 >= "0" && $0 <= "9" }) else { return nil }
        return UInt64(stem)
    }
}

/// How a batch payload is stored. Explicit codes: a new encoding gets a new code.
public enum PayloadCompression: UInt8, Sendable, CaseIterable {
    case none = 0
    case lz4 = 1
}

/// Limits checked on write and again on read, so a damaged length can never make a
/// reader allocate or scan without bound.
public enum LogLimits {
    /// Events in one batch.
    public static let eventsPerBatchMax = 65_536
    /// Uncompressed payload of one batch.
    public static let payloadBytesMax = 16 * 1024 * 1024
    /// Whole stored frame (header + stored payload).
    public static let frameBytesMax = BatchFrameHeader.sizeBytes + 17 * 1024 * 1024
    /// Index entries per segment: a 64 MiB segment indexed every 4 KiB needs 16 Ki.
    public static let indexEntriesMax = 1 << 20
}
