import Foundation

/// A compact binary encoding of any `Encodable` value, for the view snapshots kept
/// along the log: decoding JSON made a time-travel query's start three quarters of
/// its cost, and a snapshot state is a megabyte of it.
///
/// Each value is a tag byte and its payload, little-endian:
/// ```
/// 0 nil · 1 false · 2 true
/// 3 signed integer    zigzag LEB128 varint
/// 4 unsigned integer  LEB128 varint
/// 5 Double            8 bytes (every bit pattern, non-finite included)
/// 6 string            varint byte count, UTF-8
/// 7 array             varint count, varint byte count of the elements, elements
/// 8 object            varint count, varint byte count of the entries, entries:
///                     key (varint byte count, UTF-8) then value
/// 9 Float             4 bytes
/// 10 Data             varint byte count, the bytes
/// ```
/// Containers carry their byte count so a reader can pass over a value without
/// reading it (a keyed container is indexed once, then read in any order). Keys are
/// written in the order the type encodes them; the format is not canonical (a
/// `Dictionary` encodes in its own order), so compare decoded values, not bytes.
public enum CompactEncoder {
    public static func encode<T: Encodable>(_ value: T) throws -> [UInt8] {
        let encoder = CompactValueEncoder(codingPath: [])
        try value.encode(to: encoder)
        var out: [UInt8] = []
        CompactNode.write(encoder.node ?? .scalar([CompactTag.null.rawValue]), to: &out)
        return out
    }
}

enum CompactTag: UInt8 {
    case null = 0, isFalse, isTrue, signed, unsigned, double, string, array, object, float, bytes
}

/// The tree an encoding builds before it is written (containers need their byte
/// counts first).
indirect enum CompactNode {
    case scalar([UInt8])
    case array(CompactArrayBox)
    case object(CompactObjectBox)

    static func write(_ node: CompactNode, to out: inout [UInt8]) {
        switch node {
        case .scalar(let bytes):
            out += bytes
        case .array(let box):
            var body: [UInt8] = []
            for item in box.items { write(item, to: &body) }
            out.append(CompactTag.array.rawValue)
            CompactVarint.put(UInt64(box.items.count), &out)
            CompactVarint.put(UInt64(body.count), &out)
            out += body
        case .object(let box):
            var body: [UInt8] = []
            for (key, value) in box.entries {
                CompactVarint.put(UInt64(key.utf8.count), &body)
                body += key.utf8
                write(value, to: &body)
            }
            out.append(CompactTag.object.rawValue)
            CompactVarint.put(UInt64(box.entries.count), &out)
            CompactVarint.put(UInt64(body.count), &out)
            out += body
        }
    }

    static func string(_ value: String) -> CompactNode {
        var bytes = [CompactTag.string.rawValue]
        CompactVarint.put(UInt64(value.utf8.count), &bytes)
        bytes += value.utf8
        return .scalar(bytes)
    }

    static func bytes(_ value: Data) -> CompactNode {
        var bytes = [CompactTag.bytes.rawValue]
        CompactVarint.put(UInt64(value.count), &bytes)
        bytes += value
        return .scalar(bytes)
    }

    static func signed(_ value: Int64) -> CompactNode {
        var bytes = [CompactTag.signed.rawValue]
        CompactVarint.put(UInt64(bitPattern: (value << 1) ^ (value >> 63)), &bytes)
        return .scalar(bytes)
    }

    static func unsigned(_ value: UInt64) -> CompactNode {
        var bytes = [CompactTag.unsigned.rawValue]
        CompactVarint.put(value, &bytes)
        return .scalar(bytes)
    }

    static func double(_ value: Double) -> CompactNode {
        var bytes = [CompactTag.double.rawValue]
        withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes += $0 }
        return .scalar(bytes)
    }

    static func float(_ value: Float) -> CompactNode {
        var bytes = [CompactTag.float.rawValue]
        withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes += $0 }
        return .scalar(bytes)
    }

    static func bool(_ value: Bool) -> CompactNode {
        .scalar([value ? CompactTag.isTrue.rawValue : CompactTag.isFalse.rawValue])
    }

    static var null: CompactNode { .scalar([CompactTag.null.rawValue]) }
}

final class CompactArrayBox {
    var items: [CompactNode] = []
}

final class CompactObjectBox {
    var entries: [(String, CompactNode)] = []
}

enum CompactVarint {
    static func put(_ value: UInt64, _ out: inout [UInt8]) {
        var rest = value
        while rest >= 0x80 {
            out.append(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest >>= 7
        }
        out.append(UInt8(rest))
    }
}

/// One value's encoder: holds the node its value encoded to.
final class CompactValueEncoder: Encoder {
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }
    var node: CompactNode?

    init(codingPath: [any CodingKey]) {
        self.codingPath = codingPath
    }

    func container<Key: CodingKey>(keyedBy _: Key.Type) -> KeyedEncodingContainer<Key> {
        let box: CompactObjectBox
        if case .object(let existing) = node { box = existing } else {
            box = CompactObjectBox()
            node = .object(box)
        }
        return KeyedEncodingContainer(CompactKeyedEncoder<Key>(box: box, codingPath: codingPath))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        let box: CompactArrayBox
        if case .array(let existing) = node { box = existing } else {
            box = CompactArrayBox()
            node = .array(box)
        }
        return CompactUnkeyedEncoder(box: box, codingPath: codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        CompactSingleValueEncoder(encoder: self)
    }

    /// The node of a nested value: primitives directly, anything else through its `encode(to:)`.
    static func node<T: Encodable>(_ value: T, codingPath: [any CodingKey]) throws -> CompactNode {
        switch value {
        case let value as String: return .string(value)
        case let value as Int: return .signed(Int64(value))
        case let value as Int64: return .signed(value)
        case let value as UInt64: return .unsigned(value)
        case let value as UInt: return .unsigned(UInt64(value))
        case let value as Double: return .double(value)
        case let value as Bool: return .bool(value)
        // Foundation's Data would encode byte by byte.
        case let value as Data: return .bytes(value)
        default:
            let encoder = CompactValueEncoder(codingPath: codingPath)
            try value.encode(to: encoder)
            return encoder.node ?? .null
        }
    }
}

struct CompactKeyedEncoder<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let box: CompactObjectBox
    let codingPath: [any CodingKey]

    mutating func encodeNil(forKey key: Key) throws { box.entries.append((key.stringValue, .null)) }
    mutating func encode(_ value: Bool, forKey key: Key) throws { box.entries.append((key.stringValue, .bool(value))) }
    mutating func encode(_ value: String, forKey key: Key) throws { box.entries.append((key.stringValue, .string(value))) }
    mutating func encode(_ value: Double, forKey key: Key) throws { box.entries.append((key.stringValue, .double(value))) }
    mutating func encode(_ value: Float, forKey key: Key) throws { box.entries.append((key.stringValue, .float(value))) }
    mutating func encode(_ value: Int, forKey key: Key) throws { box.entries.append((key.stringValue, .signed(Int64(value)))) }
    mutating func encode(_ value: Int8, forKey key: Key) throws { box.entries.append((key.stringValue, .signed(Int64(value)))) }
    mutating func encode(_ value: Int16, forKey key: Key) throws { box.entries.append((key.stringValue, .signed(Int64(value)))) }
    mutating func encode(_ value: Int32, forKey key: Key) throws { box.entries.append((key.stringValue, .signed(Int64(value)))) }
    mutating func encode(_ value: Int64, forKey key: Key) throws { box.entries.append((key.stringValue, .signed(value))) }
    mutating func encode(_ value: UInt, forKey key: Key) throws { box.entries.append((key.stringValue, .unsigned(UInt64(value)))) }
    mutating func encode(_ value: UInt8, forKey key: Key) throws { box.entries.append((key.stringValue, .unsigned(UInt64(value)))) }
    mutating func encode(_ value: UInt16, forKey key: Key) throws { box.entries.append((key.stringValue, .unsigned(UInt64(value)))) }
    mutating func encode(_ value: UInt32, forKey key: Key) throws { box.entries.append((key.stringValue, .unsigned(UInt64(value)))) }
    mutating func encode(_ value: UInt64, forKey key: Key) throws { box.entries.append((key.stringValue, .unsigned(value))) }
    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        box.entries.append((key.stringValue, try CompactValueEncoder.node(value, codingPath: codingPath + [key])))
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy _: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        let nested = CompactObjectBox()
        box.entries.append((key.stringValue, .object(nested)))
        return KeyedEncodingContainer(CompactKeyedEncoder<NestedKey>(box: nested, codingPath: codingPath + [key]))
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        let nested = CompactArrayBox()
        box.entries.append((key.stringValue, .array(nested)))
        return CompactUnkeyedEncoder(box: nested, codingPath: codingPath + [key])
    }

    mutating func superEncoder() -> any Encoder { superEncoder(forKey: Key(stringValue: "super")!) }

    mutating func superEncoder(forKey key: Key) -> any Encoder {
        let encoder = CompactDeferredEncoder(codingPath: codingPath + [key])
        box.entries.append((key.stringValue, .array(encoder.holder)))
        return encoder
    }
}

struct CompactUnkeyedEncoder: UnkeyedEncodingContainer {
    let box: CompactArrayBox
    let codingPath: [any CodingKey]
    var count: Int { box.items.count }

    mutating func encodeNil() throws { box.items.append(.null) }
    mutating func encode(_ value: Bool) throws { box.items.append(.bool(value)) }
    mutating func encode(_ value: String) throws { box.items.append(.string(value)) }
    mutating func encode(_ value: Double) throws { box.items.append(.double(value)) }
    mutating func encode(_ value: Float) throws { box.items.append(.float(value)) }
    mutating func encode(_ value: Int) throws { box.items.append(.signed(Int64(value))) }
    mutating func encode(_ value: Int8) throws { box.items.append(.signed(Int64(value))) }
    mutating func encode(_ value: Int16) throws { box.items.append(.signed(Int64(value))) }
    mutating func encode(_ value: Int32) throws { box.items.append(.signed(Int64(value))) }
    mutating func encode(_ value: Int64) throws { box.items.append(.signed(value)) }
    mutating func encode(_ value: UInt) throws { box.items.append(.unsigned(UInt64(value))) }
    mutating func encode(_ value: UInt8) throws { box.items.append(.unsigned(UInt64(value))) }
    mutating func encode(_ value: UInt16) throws { box.items.append(.unsigned(UInt64(value))) }
    mutating func encode(_ value: UInt32) throws { box.items.append(.unsigned(UInt64(value))) }
    mutating func encode(_ value: UInt64) throws { box.items.append(.unsigned(value)) }
    mutating func encode<T: Encodable>(_ value: T) throws {
        box.items.append(try CompactValueEncoder.node(value, codingPath: codingPath))
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy _: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        let nested = CompactObjectBox()
        box.items.append(.object(nested))
        return KeyedEncodingContainer(CompactKeyedEncoder<NestedKey>(box: nested, codingPath: codingPath))
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        let nested = CompactArrayBox()
        box.items.append(.array(nested))
        return CompactUnkeyedEncoder(box: nested, codingPath: codingPath)
    }

    mutating func superEncoder() -> any Encoder {
        let encoder = CompactDeferredEncoder(codingPath: codingPath)
        box.items.append(.array(encoder.holder))
        return encoder
    }
}

struct CompactSingleValueEncoder: SingleValueEncodingContainer {
    let encoder: CompactValueEncoder
    var codingPath: [any CodingKey] { encoder.codingPath }

    mutating func encodeNil() throws { encoder.node = .null }
    mutating func encode(_ value: Bool) throws { encoder.node = .bool(value) }
    mutating func encode(_ value: String) throws { encoder.node = .string(value) }
    mutating func encode(_ value: Double) throws { encoder.node = .double(value) }
    mutating func encode(_ value: Float) throws { encoder.node = .float(value) }
    mutating func encode(_ value: Int) throws { encoder.node = .signed(Int64(value)) }
    mutating func encode(_ value: Int8) throws { encoder.node = .signed(Int64(value)) }
    mutating func encode(_ value: Int16) throws { encoder.node = .signed(Int64(value)) }
    mutating func encode(_ value: Int32) throws { encoder.node = .signed(Int64(value)) }
    mutating func encode(_ value: Int64) throws { encoder.node = .signed(value) }
    mutating func encode(_ value: UInt) throws { encoder.node = .unsigned(UInt64(value)) }
    mutating func encode(_ value: UInt8) throws { encoder.node = .unsigned(UInt64(value)) }
    mutating func encode(_ value: UInt16) throws { encoder.node = .unsigned(UInt64(value)) }
    mutating func encode(_ value: UInt32) throws { encoder.node = .unsigned(UInt64(value)) }
    mutating func encode(_ value: UInt64) throws { encoder.node = .unsigned(value) }
    mutating func encode<T: Encodable>(_ value: T) throws {
        encoder.node = try CompactValueEncoder.node(value, codingPath: codingPath)
    }
}

/// `superEncoder()`: the super value is written as a one-element array whose element
/// is filled when the caller finishes (the tree is written only at the end).
final class CompactDeferredEncoder: Encoder {
    let holder = CompactArrayBox()
    private let inner: CompactValueEncoder
    var codingPath: [any CodingKey] { inner.codingPath }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    init(codingPath: [any CodingKey]) {
        inner = CompactValueEncoder(codingPath: codingPath)
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        let container = inner.container(keyedBy: type)
        if case .some(let node) = inner.node { holder.items = [node] }
        return container
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        let container = inner.unkeyedContainer()
        if case .some(let node) = inner.node { holder.items = [node] }
        return container
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        holder.items = [.null]
        return CompactDeferredSingleValue(holder: holder, codingPath: codingPath)
    }
}

/// A super encoder's single value: written straight into the holder.
struct CompactDeferredSingleValue: SingleValueEncodingContainer {
    let holder: CompactArrayBox
    let codingPath: [any CodingKey]

    private func set(_ node: CompactNode) { holder.items = [node] }
    mutating func encodeNil() throws { set(.null) }
    mutating func encode(_ value: Bool) throws { set(.bool(value)) }
    mutating func encode(_ value: String) throws { set(.string(value)) }
    mutating func encode(_ value: Double) throws { set(.double(value)) }
    mutating func encode(_ value: Float) throws { set(.float(value)) }
    mutating func encode(_ value: Int) throws { set(.signed(Int64(value))) }
    mutating func encode(_ value: Int8) throws { set(.signed(Int64(value))) }
    mutating func encode(_ value: Int16) throws { set(.signed(Int64(value))) }
    mutating func encode(_ value: Int32) throws { set(.signed(Int64(value))) }
    mutating func encode(_ value: Int64) throws { set(.signed(value)) }
    mutating func encode(_ value: UInt) throws { set(.unsigned(UInt64(value))) }
    mutating func encode(_ value: UInt8) throws { set(.unsigned(UInt64(value))) }
    mutating func encode(_ value: UInt16) throws { set(.unsigned(UInt64(value))) }
    mutating func encode(_ value: UInt32) throws { set(.unsigned(UInt64(value))) }
    mutating func encode(_ value: UInt64) throws { set(.unsigned(value)) }
    mutating func encode<T: Encodable>(_ value: T) throws { set(try CompactValueEncoder.node(value, codingPath: codingPath)) }
}
