import CLZ4

/// CRC32C (Castagnoli), the checksum of segment headers, batches and indexes.
///
/// On x86_64 with SSE4.2 it runs on the CPU's CRC32 instruction through
/// `tacho_crc32c` (Sources/CLZ4/shim.h); elsewhere on a slicing-by-8 table in Swift
/// (not the shim's table, which is filled lazily without synchronisation). Both give
/// the same values: same polynomial, same initial and final xor.
enum CRC32C {
    private static let table: [UInt32] = {
        var table = [UInt32](repeating: 0, count: 8 * 256)
        for n in 0..<256 {
            var c = UInt32(n)
            for _ in 0..<8 { c = (c & 1) != 0 ? (c >> 1) ^ 0x82F6_3B78 : c >> 1 }
            table[n] = c
        }
        for n in 0..<256 {
            var c = table[n]
            for t in 1..<8 {
                c = table[Int(c & 0xff)] ^ (c >> 8)
                table[t * 256 + n] = c
            }
        }
        return table
    }()

    static let usesHardware = tacho_crc32c_has_hardware() != 0

    /// Extends `crc` (0 to start) over `bytes`.
    static func checksum(_ crc: UInt32 = 0, _ bytes: UnsafeRawBufferPointer) -> UInt32 {
        if usesHardware, let base = bytes.baseAddress, bytes.count > 0 {
            return tacho_crc32c(crc, base, bytes.count)
        }
        return software(crc, bytes)
    }

    /// The table path, also the reference the hardware path is tested against.
    static func software(_ crc: UInt32 = 0, _ bytes: UnsafeRawBufferPointer) -> UInt32 {
        var c = ~crc
        var i = 0
        let n = bytes.count
        table.withUnsafeBufferPointer { t in
            while i + 8 <= n {
                let w = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: i, as: UInt64.self)) ^ UInt64(c)
                c = t[7 * 256 + Int(w & 0xff)] ^ t[6 * 256 + Int((w >> 8) & 0xff)]
                    ^ t[5 * 256 + Int((w >> 16) & 0xff)] ^ t[4 * 256 + Int((w >> 24) & 0xff)]
                    ^ t[3 * 256 + Int((w >> 32) & 0xff)] ^ t[2 * 256 + Int((w >> 40) & 0xff)]
                    ^ t[1 * 256 + Int((w >> 48) & 0xff)] ^ t[Int(w >> 56)]
                i += 8
            }
            while i < n {
                c = t[Int((c ^ UInt32(bytes[i])) & 0xff)] ^ (c >> 8)
                i += 1
            }
        }
        return ~c
    }
}
