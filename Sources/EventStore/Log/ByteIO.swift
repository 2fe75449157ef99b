/// Little-endian fixed-width fields for the on-disk headers. Every multi-byte field
/// of the log format is little-endian whatever the host, so files move between machines.
enum ByteIO {
    @inline(__always)
    static func put<T: FixedWidthInteger>(_ value: T, _ out: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { out.append(contentsOf: $0) }
    }

    @inline(__always)
    static func store<T: FixedWidthInteger>(_ value: T, at position: Int, in buffer: UnsafeMutableRawBufferPointer) {
        precondition(position >= 0 && position + MemoryLayout<T>.size <= buffer.count, "store out of bounds")
        buffer.storeBytes(of: value.littleEndian, toByteOffset: position, as: T.self)
    }

    @inline(__always)
    static func load<T: FixedWidthInteger>(_: T.Type, at position: Int, in buffer: UnsafeRawBufferPointer) -> T {
        precondition(position >= 0 && position + MemoryLayout<T>.size <= buffer.count, "load out of bounds")
        return T(littleEndian: buffer.loadUnaligned(fromByteOffset: position, as: T.self))
    }
}
