/// Reads the protobuf wire format (proto3 encoding) field by field, with every length
/// and varint checked against the bytes that are there.
///
/// Decoders loop over `nextField()`, read the fields they know with the accessor of
/// their wire type and `skip` the rest, as generated code does. Groups (deprecated,
/// unused by remote-write and OTLP) are refused.
///
/// The reader borrows the bytes: use it only inside the `withUnsafeBytes` scope
/// that gave them.
struct ProtobufReader {
    enum WireType: UInt8 {
        case varint = 0
        case fixed64 = 1
        case lengthDelimited = 2
        case startGroup = 3
        case endGroup = 4
        case fixed32 = 5
    }

    private let bytes: UnsafeRawBufferPointer
    /// Offset of the next byte to read, from the start of the whole message.
    private(set) var position: Int
    private let end: Int

    init(_ bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
        self.position = 0
        self.end = bytes.count
    }

    private init(_ bytes: UnsafeRawBufferPointer, position: Int, end: Int) {
        self.bytes = bytes
        self.position = position
        self.end = end
    }

    var isAtEnd: Bool { position >= end }

    /// The next field's number and wire type, nil at the end of the message.
    mutating func nextField() throws(ProtobufError) -> (number: UInt64, wireType: WireType)? {
        guard position < end else { return nil }
        let key = try varint()
        guard let wireType = WireType(rawValue: UInt8(key & 7)) else { throw error("unknown wire type \(key & 7)") }
        let number = key >> 3
        guard number > 0 else { throw error("field number 0") }
        return (number, wireType)
    }

    mutating func varint() throws(ProtobufError) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard position < end else { throw error("truncated varint") }
            let byte = bytes[position]
            position += 1
            guard shift < 64, shift < 63 || byte <= 1 else { throw error("varint longer than 64 bits") }
            result |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return result }
            shift += 7
        }
    }

    /// An `int64` field (two's complement in a varint).
    mutating func int64() throws(ProtobufError) -> Int64 { Int64(bitPattern: try varint()) }

    mutating func fixed64() throws(ProtobufError) -> UInt64 {
        guard end - position >= 8 else { throw error("truncated fixed64") }
        var value: UInt64 = 0
        for index in 0..<8 {
            value |= UInt64(bytes[position + index]) << (8 * UInt64(index))
        }
        position += 8
        return value
    }

    mutating func fixed32() throws(ProtobufError) -> UInt32 {
        guard end - position >= 4 else { throw error("truncated fixed32") }
        var value: UInt32 = 0
        for index in 0..<4 {
            value |= UInt32(bytes[position + index]) << (8 * UInt32(index))
        }
        position += 4
        return value
    }

    mutating func double() throws(ProtobufError) -> Double { Double(bitPattern: try fixed64()) }

    /// A length-delimited field's bytes as a reader of their own (an embedded message).
    mutating func message() throws(ProtobufError) -> ProtobufReader {
        let length = try lengthPrefix()
        let start = position
        position += length
        return ProtobufReader(bytes, position: start, end: start + length)
    }

    /// A length-delimited field's bytes, borrowed like the reader's.
    mutating func lengthDelimitedBytes() throws(ProtobufError) -> UnsafeRawBufferPointer {
        let length = try lengthPrefix()
        defer { position += length }
        return UnsafeRawBufferPointer(rebasing: bytes[position..<(position + length)])
    }

    /// A `string` field: UTF-8, at most `bytesMax` bytes.
    mutating func string(bytesMax: Int) throws(ProtobufError) -> String {
        let length = try lengthPrefix()
        guard length <= bytesMax else { throw error("string of \(length) bytes is over the limit of \(bytesMax)") }
        let utf8 = UnsafeRawBufferPointer(rebasing: bytes[position..<(position + length)])
        guard let text = String(validating: utf8, as: UTF8.self) else { throw error("string is not valid UTF-8") }
        position += length
        return text
    }

    /// Skips a field of `wireType` that the decoder does not read.
    mutating func skip(_ wireType: WireType) throws(ProtobufError) {
        switch wireType {
        case .varint: _ = try varint()
        case .fixed64: _ = try fixed64()
        case .fixed32: _ = try fixed32()
        case .lengthDelimited: position += try lengthPrefix()
        case .startGroup, .endGroup: throw error("groups are not supported")
        }
    }

    /// Refuses a known field sent with another wire type than its declaration's.
    func expect(_ wireType: WireType, _ actual: WireType, field: String) throws(ProtobufError) {
        guard wireType == actual else { throw error("field '\(field)' has wire type \(actual.rawValue), expected \(wireType.rawValue)") }
    }

    private mutating func lengthPrefix() throws(ProtobufError) -> Int {
        let length = try varint()
        guard length <= UInt64(end - position) else { throw error("length \(length) runs past the end of the message") }
        return Int(length)
    }

    func error(_ reason: String) -> ProtobufError { ProtobufError(byteOffset: position, reason: reason) }
}

/// Bytes that are not a well-formed protobuf message; `byteOffset` is where in the
/// (decompressed) body reading stopped.
struct ProtobufError: Error, Sendable, Equatable, CustomStringConvertible {
    let byteOffset: Int
    let reason: String

    var description: String { "byte \(byteOffset): \(reason)" }
}
