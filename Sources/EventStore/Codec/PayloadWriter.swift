/// Appends the primitive encodings of a batch payload: LEB128 varints, zigzag for
/// signed values, raw little-endian doubles.
struct PayloadWriter {
    var bytes: [UInt8]

    init(reservingCapacity capacity: Int) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    @inline(__always)
    mutating func byte(_ value: UInt8) {
        bytes.append(value)
    }

    @inline(__always)
    mutating func varint(_ value: UInt64) {
        var remaining = value
        while remaining >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: remaining) | 0x80)
            remaining >>= 7
        }
        bytes.append(UInt8(truncatingIfNeeded: remaining))
    }

    @inline(__always)
    mutating func varint(_ value: Int) {
        assert(value >= 0, "varint of a negative count")
        varint(UInt64(value))
    }

    @inline(__always)
    mutating func zigzag(_ value: Int64) {
        varint(PayloadWriter.zigzag(value))
    }

    @inline(__always)
    mutating func double(_ value: Double) {
        var bits = value.bitPattern
        for _ in 0..<8 {
            bytes.append(UInt8(truncatingIfNeeded: bits))
            bits >>= 8
        }
    }

    /// Appends a length-prefixed section.
    mutating func section(_ other: PayloadWriter) {
        varint(other.bytes.count)
        bytes.append(contentsOf: other.bytes)
    }

    @inline(__always)
    static func zigzag(_ value: Int64) -> UInt64 {
        UInt64(bitPattern: (value << 1) ^ (value >> 63))
    }

    @inline(__always)
    static func varintSize(_ value: UInt64) -> Int {
        // 1 byte per started group of 7 bits, at least 1.
        (64 - (value | 1).leadingZeroBitCount + 6) / 7
    }
}
