/// Reads the primitives `PayloadWriter` writes, within `[position, end)` of one
/// payload, checking every bound. Positions are absolute payload offsets so that an
/// error names the byte where the damage was found.
struct PayloadReader {
    let base: UnsafeRawPointer
    var position: Int
    let end: Int

    init(_ payload: UnsafeRawBufferPointer) {
        // A zero-length buffer may have no base address; any non-nil pointer will do
        // because nothing is ever read from it.
        self.base = payload.baseAddress ?? UnsafeRawPointer(bitPattern: 0x10)!
        self.position = 0
        self.end = payload.count
    }

    private init(base: UnsafeRawPointer, position: Int, end: Int) {
        self.base = base
        self.position = position
        self.end = end
    }

    var remaining: Int { end - position }
    var isAtEnd: Bool { position == end }

    func fail(_ reason: String) -> CodecError {
        CodecError(byteOffset: position, reason: reason)
    }

    @inline(__always)
    mutating func byte() throws(CodecError) -> UInt8 {
        guard position < end else { throw fail("unexpected end of section") }
        let value = base.load(fromByteOffset: position, as: UInt8.self)
        position += 1
        return value
    }

    @inline(__always)
    mutating func varint() throws(CodecError) -> UInt64 {
        // Most varints of a batch are one byte (zero deltas): keep that path tiny.
        if position < end {
            let byte = base.load(fromByteOffset: position, as: UInt8.self)
            if byte < 0x80 {
                position += 1
                return UInt64(byte)
            }
        }
        return try varintSlow()
    }

    @inline(never)
    private mutating func varintSlow() throws(CodecError) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard position < end else { throw fail("varint runs past the end of its section") }
            let byte = base.load(fromByteOffset: position, as: UInt8.self)
            position += 1
            if shift == 63 && byte > 1 { throw fail("varint longer than 64 bits") }
            result |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 { return result }
            shift += 7
        }
    }

    @inline(__always)
    mutating func zigzag() throws(CodecError) -> Int64 {
        PayloadReader.unzigzag(try varint())
    }

    /// A count or index that must be at most `limit`.
    @inline(__always)
    mutating func count(max limit: Int, _ what: @autoclosure () -> String) throws(CodecError) -> Int {
        let start = position
        let value = try varint()
        guard limit >= 0, value <= UInt64(limit) else {
            throw CodecError(byteOffset: start, reason: "\(what()) \(value) exceeds \(limit)")
        }
        return Int(value)
    }

    @inline(__always)
    mutating func double() throws(CodecError) -> Double {
        guard end - position >= 8 else { throw fail("double runs past the end of its section") }
        let bits = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: position, as: UInt64.self))
        position += 8
        return Double(bitPattern: bits)
    }

    mutating func bytes(_ count: Int) throws(CodecError) -> UnsafeRawBufferPointer {
        guard count >= 0, end - position >= count else { throw fail("\(count) bytes run past the end of their section") }
        let slice = UnsafeRawBufferPointer(start: base + position, count: count)
        position += count
        return slice
    }

    /// Splits off the next length-prefixed section and moves past it.
    mutating func section(_ name: String) throws(CodecError) -> PayloadReader {
        let start = position
        let length = try varint()
        guard length <= UInt64(remaining) else {
            throw CodecError(byteOffset: start, reason: "\(name) section of \(length) bytes runs past the end of the payload")
        }
        let section = PayloadReader(base: base, position: position, end: position + Int(length))
        position += Int(length)
        return section
    }

    func expectEnd(_ name: String) throws(CodecError) {
        guard position == end else { throw fail("\(end - position) unread bytes at the end of the \(name) section") }
    }

    @inline(__always)
    static func unzigzag(_ value: UInt64) -> Int64 {
        Int64(bitPattern: value >> 1) ^ -Int64(bitPattern: value & 1)
    }
}
