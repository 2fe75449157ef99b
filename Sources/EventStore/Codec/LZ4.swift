import CLZ4

/// LZ4 block compression (liblz4's `LZ4_compress_default` / `LZ4_decompress_safe`):
/// the fast general-purpose pass over an encoded batch payload.
public enum LZ4 {
    /// The largest input liblz4 accepts (`LZ4_MAX_INPUT_SIZE`).
    public static let inputBytesMax = 0x7E00_0000

    /// The destination size that `compress` always fits in, for `sizeBytes` of input.
    public static func compressBound(_ sizeBytes: Int) -> Int {
        precondition(sizeBytes >= 0 && sizeBytes <= inputBytesMax, "LZ4 input of \(sizeBytes) bytes is out of range")
        return Int(LZ4_compressBound(Int32(sizeBytes)))
    }

    /// Compresses `source` into `destination`; returns the bytes written, or 0 when
    /// `destination` is too small or the input too large.
    public static func compress(_ source: UnsafeRawBufferPointer, into destination: UnsafeMutableRawBufferPointer) -> Int {
        guard source.count <= inputBytesMax else { return 0 }
        if source.isEmpty {
            // liblz4 encodes an empty block as one token byte; keep that so decompress round-trips.
            guard destination.count >= 1 else { return 0 }
        }
        guard let destinationBase = destination.baseAddress else { return 0 }
        let sourceBase = source.baseAddress ?? UnsafeRawPointer(destinationBase)
        let capacity = Int32(clamping: destination.count)
        let written = LZ4_compress_default(
            sourceBase.assumingMemoryBound(to: CChar.self),
            destinationBase.assumingMemoryBound(to: CChar.self),
            Int32(source.count), capacity)
        return Int(max(written, 0))
    }

    /// Decompresses the block `source` into `destination`, which must be exactly or
    /// more than large enough; returns the bytes written. Never reads or writes out
    /// of bounds: damaged input throws.
    public static func decompress(_ source: UnsafeRawBufferPointer, into destination: UnsafeMutableRawBufferPointer) throws(CodecError) -> Int {
        guard source.count <= inputBytesMax else {
            throw CodecError(byteOffset: 0, reason: "LZ4 block of \(source.count) bytes exceeds the \(inputBytesMax)-byte limit")
        }
        guard let sourceBase = source.baseAddress, !source.isEmpty else {
            throw CodecError(byteOffset: 0, reason: "LZ4 block is empty")
        }
        var scratch: UInt8 = 0
        let written = withUnsafeMutablePointer(to: &scratch) { scratchPointer -> Int32 in
            let destinationBase = destination.baseAddress ?? UnsafeMutableRawPointer(scratchPointer)
            return LZ4_decompress_safe(
                sourceBase.assumingMemoryBound(to: CChar.self),
                destinationBase.assumingMemoryBound(to: CChar.self),
                Int32(source.count), Int32(clamping: destination.count))
        }
        guard written >= 0 else {
            throw CodecError(
                byteOffset: Int(-(written + 1)),
                reason: "LZ4 block is malformed or decompresses to more than the \(destination.count) bytes expected")
        }
        return Int(written)
    }
}
