import CZlib
import NIOCore

/// Request bodies as senders compress them: `identity` or `gzip` (also zlib's
/// `deflate`), inflated within a limit so a small body cannot expand into gigabytes.
enum ContentEncoding {
    /// The body's bytes after undoing `encoding` (a `Content-Encoding` value, nil for none).
    static func decode(_ body: ByteBuffer, encoding: String?, bytesMax: Int) throws(IngestInputError) -> ByteBuffer {
        switch encoding?.lowercased() ?? "identity" {
        case "", "identity": return body
        case "gzip", "x-gzip", "deflate":
            let inflated = try body.withUnsafeReadableBytes { bytes throws(IngestInputError) in try inflate(bytes, bytesMax: bytesMax) }
            return ByteBuffer(bytes: inflated)
        case let other:
            throw IngestInputError("Content-Encoding '\(other)' is not supported; send identity or gzip", status: .unsupportedMediaType)
        }
    }

    static func inflate(_ input: UnsafeRawBufferPointer, bytesMax: Int) throws(IngestInputError) -> [UInt8] {
        var stream = z_stream()
        guard tacho_inflate_init_gzip(&stream) == Z_OK else { throw IngestInputError("gzip: the decompressor could not start") }
        defer { inflateEnd(&stream) }
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: Bytef.self))
        stream.avail_in = uInt(input.count)
        while true {
            let status = chunk.withUnsafeMutableBytes { buffer -> Int32 in
                stream.next_out = buffer.baseAddress?.assumingMemoryBound(to: Bytef.self)
                stream.avail_out = uInt(buffer.count)
                return CZlib.inflate(&stream, Z_NO_FLUSH)
            }
            let produced = chunk.count - Int(stream.avail_out)
            guard output.count + produced <= bytesMax else {
                throw IngestInputError("gzip: the body inflates past the limit of \(bytesMax) bytes")
            }
            output.append(contentsOf: chunk[0..<produced])
            switch status {
            case Z_STREAM_END: return output
            case Z_OK: continue
            case Z_BUF_ERROR where stream.avail_in == 0: throw IngestInputError("gzip: the body ends before the compressed stream does")
            default: throw IngestInputError("gzip: the body is not valid gzip (zlib status \(status))")
            }
        }
    }

    /// `input` gzipped, as a sender compresses a body: the inverse `inflate` is checked
    /// against (the `gzip` fuzz target's round trip).
    static func gzip(_ input: UnsafeRawBufferPointer) -> [UInt8] {
        var stream = z_stream()
        precondition(tacho_deflate_init_gzip(&stream) == Z_OK, "zlib's deflate could not start")
        defer { deflateEnd(&stream) }
        var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, uLong(input.count))) + 32)
        stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: Bytef.self))
        stream.avail_in = uInt(input.count)
        let status = output.withUnsafeMutableBytes { buffer -> Int32 in
            stream.next_out = buffer.baseAddress?.assumingMemoryBound(to: Bytef.self)
            stream.avail_out = uInt(buffer.count)
            return deflate(&stream, Z_FINISH)
        }
        // deflateBound is an upper bound for a single Z_FINISH call.
        precondition(status == Z_STREAM_END, "deflate with its bound of output space ended with \(status)")
        return Array(output[0..<Int(stream.total_out)])
    }
}
