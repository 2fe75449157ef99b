import CSnappy

/// Snappy's block format (not the framed one), through libsnappy's C API: what a
/// Prometheus remote-write body is compressed with.
public enum SnappyBlock {
    /// Decompresses `compressed`, refusing output larger than `bytesMax` before
    /// allocating it (the length is read from the block's header first), so a small
    /// body cannot expand into gigabytes.
    public static func decompress(_ compressed: UnsafeRawBufferPointer, bytesMax: Int) throws(SnappyError) -> [UInt8] {
        guard let base = compressed.baseAddress?.assumingMemoryBound(to: CChar.self), compressed.count > 0 else {
            throw SnappyError("the body is empty; a snappy block holds at least its length")
        }
        var length = 0
        guard snappy_uncompressed_length(base, compressed.count, &length) == SNAPPY_OK else {
            throw SnappyError("the body is not a snappy block (its length header is unreadable)")
        }
        guard length <= bytesMax else {
            throw SnappyError("the body decompresses to \(length) bytes, over the limit of \(bytesMax)")
        }
        var output = [UInt8](repeating: 0, count: length)
        var written = length
        let status = output.withUnsafeMutableBytes { buffer in
            snappy_uncompress(base, compressed.count, buffer.baseAddress?.assumingMemoryBound(to: CChar.self), &written)
        }
        guard status == SNAPPY_OK, written == length else {
            throw SnappyError("the snappy block is damaged (decompression failed)")
        }
        return output
    }

    /// Compresses `bytes` into one block (what a remote-write sender does).
    public static func compress(_ bytes: UnsafeRawBufferPointer) -> [UInt8] {
        var length = snappy_max_compressed_length(bytes.count)
        var output = [UInt8](repeating: 0, count: length)
        let status = output.withUnsafeMutableBytes { buffer in
            snappy_compress(
                bytes.baseAddress?.assumingMemoryBound(to: CChar.self), bytes.count,
                buffer.baseAddress?.assumingMemoryBound(to: CChar.self), &length)
        }
        precondition(status == SNAPPY_OK, "snappy_compress failed with a buffer of its own maximum length")
        output.removeLast(output.count - length)
        return output
    }

    public static func compress(_ bytes: [UInt8]) -> [UInt8] {
        bytes.withUnsafeBytes { compress($0) }
    }
}

public struct SnappyError: Error, Sendable, Equatable, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
