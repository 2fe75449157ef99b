import CZstd

/// Zstandard frames (Debian's libzstd): the compression of the view snapshots kept
/// along the log, where size matters more than the last microsecond (a sixth of the
/// JSON state at level 1, where LZ4 keeps a third).
public enum Zstd {
    /// Level 1: the fastest of zstd's standard levels, already a sixth on view states.
    public static let defaultLevel: Int32 = 1

    /// `source` as one zstd frame (its content size recorded in the frame header).
    public static func compress(_ source: [UInt8], level: Int32 = defaultLevel) throws(CodecError) -> [UInt8] {
        let bound = ZSTD_compressBound(source.count)
        var destination = [UInt8](repeating: 0, count: bound)
        let written = destination.withUnsafeMutableBytes { out in
            source.withUnsafeBytes { input in
                ZSTD_compress(out.baseAddress, out.count, input.baseAddress, input.count, level)
            }
        }
        guard ZSTD_isError(written) == 0 else {
            throw CodecError(byteOffset: 0, reason: "zstd compression failed: \(String(cString: ZSTD_getErrorName(written)))")
        }
        destination.removeLast(destination.count - written)
        return destination
    }

    /// The content of the one zstd frame `source`, refused when its header declares
    /// more than `sizeBytesMax` or no size, or when it is damaged. Never reads or
    /// writes out of bounds.
    public static func decompress(_ source: [UInt8], sizeBytesMax: Int) throws(CodecError) -> [UInt8] {
        let declared = source.withUnsafeBytes { ZSTD_getFrameContentSize($0.baseAddress, $0.count) }
        // ZSTD_CONTENTSIZE_UNKNOWN and _ERROR are the two largest UInt64 values.
        guard declared < UInt64.max - 1 else {
            throw CodecError(byteOffset: 0, reason: "zstd frame header is damaged or declares no content size")
        }
        guard declared <= UInt64(sizeBytesMax) else {
            throw CodecError(byteOffset: 0, reason: "zstd frame declares \(declared) bytes, over the \(sizeBytesMax)-byte limit")
        }
        var destination = [UInt8](repeating: 0, count: Int(declared))
        let written = destination.withUnsafeMutableBytes { out in
            source.withUnsafeBytes { input in
                ZSTD_decompress(out.baseAddress, out.count, input.baseAddress, input.count)
            }
        }
        guard ZSTD_isError(written) == 0 else {
            throw CodecError(byteOffset: 0, reason: "zstd frame is damaged: \(String(cString: ZSTD_getErrorName(written)))")
        }
        guard written == Int(declared) else {
            throw CodecError(byteOffset: 0, reason: "zstd frame gave \(written) bytes, its header declares \(declared)")
        }
        return destination
    }
}
