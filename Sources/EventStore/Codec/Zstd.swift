import CZstd

/// Zstandard frames (Debian's libzstd): the compression of the view snapshots kept
/// along the log, where size matters more than the last microsecond (a sixth of the
/// JSON state at level 1, where LZ4 keeps a third).
public enum Zstd {
    /// Level 1: the fastest of zstd's standard levels, already a sixth on view states.
    public static let defaultLevel: Int32 = 1

    /// One zstd frame of `sizeBytes` bytes that `produce` hands over in pieces (its
    /// content size recorded in the frame header, as `decompress` requires), compressed
    /// as they come: a large state is never held whole beside its compressed form, nor
    /// beside an output buffer of `ZSTD_compressBound` bytes. Fails if `produce` hands
    /// over another count of bytes.
    public static func compress(
        sizeBytes: Int, level: Int32 = defaultLevel, _ produce: (_ emit: (UnsafeRawBufferPointer) throws -> Void) throws -> Void
    ) throws -> [UInt8] {
        guard let context = ZSTD_createCCtx() else { throw CodecError(byteOffset: 0, reason: "zstd could not allocate a compression context") }
        defer { ZSTD_freeCCtx(context) }
        func check(_ code: Int, _ what: String) throws(CodecError) {
            guard ZSTD_isError(code) == 0 else {
                throw CodecError(byteOffset: 0, reason: "zstd \(what) failed: \(String(cString: ZSTD_getErrorName(code)))")
            }
        }
        try check(ZSTD_CCtx_setParameter(context, ZSTD_c_compressionLevel, level), "setting the level")
        try check(ZSTD_CCtx_setPledgedSrcSize(context, UInt64(sizeBytes)), "pledging the size")
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: ZSTD_CStreamOutSize())
        func pump(_ piece: UnsafeRawBufferPointer, _ directive: ZSTD_EndDirective) throws(CodecError) {
            var input = ZSTD_inBuffer(src: piece.baseAddress, size: piece.count, pos: 0)
            var finished = false
            while !finished {
                var code = 0
                let produced = chunk.withUnsafeMutableBytes { buffer -> Int in
                    var output = ZSTD_outBuffer(dst: buffer.baseAddress, size: buffer.count, pos: 0)
                    code = ZSTD_compressStream2(context, &output, &input, directive)
                    return output.pos
                }
                try check(code, "compression")
                out.append(contentsOf: chunk[0..<produced])
                // `code` is what is left to flush: with e_end the frame is done at 0;
                // with e_continue the piece is consumed once all its input is read.
                finished = directive == ZSTD_e_end ? code == 0 : input.pos == input.size
            }
        }
        try produce { piece in try pump(piece, ZSTD_e_continue) }
        try pump(UnsafeRawBufferPointer(start: nil, count: 0), ZSTD_e_end)
        return out
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
