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
/// 5 Double            8 bytes, finite only (as JSON checkpoints)
/// 6 string            varint byte count, UTF-8
/// 7 array             varint count, varint byte count of the elements, elements
/// 8 object            varint count, varint byte count of the entries, entries:
///                     key (varint byte count, UTF-8) then value
/// 9 Float             4 bytes, finite only
/// 10 Data             varint byte count, the bytes
/// ```
/// Containers carry their byte count so a reader can pass over a value without
/// reading it (a keyed container is indexed once, then read in any order). Keys are
/// written in the order the type encodes them; the format is not canonical (a
/// `Dictionary` encodes in its own order), so compare decoded values, not bytes.
public enum CompactEncoder {
    public static func encode<T: Encodable>(_ value: T) throws -> [UInt8] {
        let encoded = try encoded(value)
        var out: [UInt8] = []
        out.reserveCapacity(encoded.sizeBytes)
        encoded.root.write(to: &out)
        assert(out.count == encoded.sizeBytes, "the sizes computed before writing must be the bytes written")
        return out
    }

    /// `value` encoded, not yet written: its size is known before a byte is written,
    /// and `write(pieceBytes:_:)` hands it over in pieces (to a compressor), so a large
    /// state is never held whole as bytes.
    public static func encoded<T: Encodable>(_ value: T) throws -> CompactEncoded {
        let encoder = CompactValueEncoder(codingPath: [])
        try value.encode(to: encoder)
        return CompactEncoded(root: encoder.node ?? .null)
    }
}

public struct CompactEncoded {
    let root: CompactNode

    public var sizeBytes: Int { root.sizeBytes }

    /// Writes the encoding to `emit` in pieces of about `pieceBytes` (more where one
    /// scalar is larger), `sizeBytes` in all.
    public func write(pieceBytes: Int, _ emit: (UnsafeRawBufferPointer) throws -> Void) throws {
        var out: [UInt8] = []
        out.reserveCapacity(pieceBytes + 64)
        var written = 0
        try root.write(to: &out, flushAbove: pieceBytes) { full in
            written += full.count
            try full.withUnsafeBytes(emit)
            full.removeAll(keepingCapacity: true)
        }
        written += out.count
        try out.withUnsafeBytes(emit)
        assert(written == sizeBytes, "the sizes computed before writing must be the bytes written")
    }
}

/// A value the compact encoding stores as bytes (tag 10, read back as `Data`) that it
/// writes only when the encoding is written, straight into the output: a state's
/// packed rings are then not copied into a `Data` each before being copied again
/// (10,000 series' rollups made that copy a third of a checkpoint's peak memory).
/// Other encoders see its `encode(to:)`, which must encode the same bytes as `Data`.
public protocol CompactDeferredBytes: Encodable {
    var byteCount: Int { get }
    func writeBytes(into out: inout [UInt8])
}

enum CompactTag: UInt8 {
    case null = 0, isFalse, isTrue, signed, unsigned, double, string, array, object, float, bytes
}

/// The tree an encoding builds before it is written (a container's byte count comes
/// before its body). Scalars are held inline, so encoding a number allocates nothing;
/// containers compute their body's size once, then everything is written into one
/// buffer of the exact size.
enum CompactNode {
    case null
    case bool(Bool)
    case signed(Int64)
    case unsigned(UInt64)
    case double(Double)
    case float(Float)
    case string(String)
    case bytes(Data)
    case deferred(any CompactDeferredBytes)
    case array(CompactArrayBox)
    case object(CompactObjectBox)

    var sizeBytes: Int {
        switch self {
        case .null, .bool: 1
        case .signed(let value): 1 + CompactVarint.size(Self.zigzag(value))
        case .unsigned(let value): 1 + CompactVarint.size(value)
        case .double: 9
        case .float: 5
        case .string(let value): 1 + CompactVarint.size(UInt64(value.utf8.count)) + value.utf8.count
        case .bytes(let value): 1 + CompactVarint.size(UInt64(value.count)) + value.count
        case .deferred(let value): 1 + CompactVarint.size(UInt64(value.byteCount)) + value.byteCount
        case .array(let box):
            1 + CompactVarint.size(UInt64(box.items.count)) + CompactVarint.size(UInt64(box.bodySizeBytes)) + box.bodySizeBytes
        case .object(let box):
            1 + CompactVarint.size(UInt64(box.entries.count)) + CompactVarint.size(UInt64(box.bodySizeBytes)) + box.bodySizeBytes
        }
    }

    /// Numbers must be finite, as in JSON checkpoints: a state holding NaN would not
    /// equal itself read back, and the views' JSON answers could not say it.
    static func finite(_ value: Double, codingPath: [any CodingKey]) throws -> CompactNode {
        guard value.isFinite else {
            throw EncodingError.invalidValue(value, .init(codingPath: codingPath, debugDescription: "compact encoding: \(value) is not a finite number"))
        }
        return .double(value)
    }

    static func finite(_ value: Float, codingPath: [any CodingKey]) throws -> CompactNode {
        guard value.isFinite else {
            throw EncodingError.invalidValue(value, .init(codingPath: codingPath, debugDescription: "compact encoding: \(value) is not a finite number"))
        }
        return .float(value)
    }

    static func zigzag(_ value: Int64) -> UInt64 { UInt64(bitPattern: (value << 1) ^ (value >> 63)) }

    func write(to out: inout [UInt8]) {
        write(to: &out, flushAbove: .max) { _ in }
    }

    /// Writes into `out`, handing it to `flush` (which empties it) whenever a
    /// container's item leaves it past `flushAbove` bytes.
    func write(to out: inout [UInt8], flushAbove: Int, flush: (inout [UInt8]) throws -> Void) rethrows {
        switch self {
        case .null: out.append(CompactTag.null.rawValue)
        case .bool(let value): out.append(value ? CompactTag.isTrue.rawValue : CompactTag.isFalse.rawValue)
        case .signed(let value):
            out.append(CompactTag.signed.rawValue)
            CompactVarint.put(Self.zigzag(value), &out)
        case .unsigned(let value):
            out.append(CompactTag.unsigned.rawValue)
            CompactVarint.put(value, &out)
        case .double(let value):
            out.append(CompactTag.double.rawValue)
            withUnsafeBytes(of: value.bitPattern.littleEndian) { out += $0 }
        case .float(let value):
            out.append(CompactTag.float.rawValue)
            withUnsafeBytes(of: value.bitPattern.littleEndian) { out += $0 }
        case .string(let value):
            out.append(CompactTag.string.rawValue)
            CompactVarint.put(UInt64(value.utf8.count), &out)
            out += value.utf8
        case .bytes(let value):
            out.append(CompactTag.bytes.rawValue)
            CompactVarint.put(UInt64(value.count), &out)
            out += value
        case .deferred(let value):
            out.append(CompactTag.bytes.rawValue)
            CompactVarint.put(UInt64(value.byteCount), &out)
            let before = out.count
            value.writeBytes(into: &out)
            assert(out.count - before == value.byteCount, "deferred bytes must write the count they declare")
        case .array(let box):
            out.append(CompactTag.array.rawValue)
            CompactVarint.put(UInt64(box.items.count), &out)
            CompactVarint.put(UInt64(box.bodySizeBytes), &out)
            for item in box.items {
                try item.write(to: &out, flushAbove: flushAbove, flush: flush)
                if out.count >= flushAbove { try flush(&out) }
            }
        case .object(let box):
            out.append(CompactTag.object.rawValue)
            CompactVarint.put(UInt64(box.entries.count), &out)
            CompactVarint.put(UInt64(box.bodySizeBytes), &out)
            for (key, value) in box.entries {
                CompactVarint.put(UInt64(key.utf8.count), &out)
                out += key.utf8
                try value.write(to: &out, flushAbove: flushAbove, flush: flush)
                if out.count >= flushAbove { try flush(&out) }
            }
        }
    }
}

final class CompactArrayBox {
    var items: [CompactNode] = []
    /// Computed once, when the tree is written (the tree is complete by then).
    lazy var bodySizeBytes: Int = items.reduce(0) { $0 + $1.sizeBytes }
}

final class CompactObjectBox {
    var entries: [(String, CompactNode)] = []
    lazy var bodySizeBytes: Int = entries.reduce(0) { $0 + CompactVarint.size(UInt64($1.0.utf8.count)) + $1.0.utf8.count + $1.1.sizeBytes }
}

enum CompactVarint {
    static func size(_ value: UInt64) -> Int {
        var count = 1
        var rest = value >> 7
        while rest != 0 {
            count += 1
            rest >>= 7
        }
        return count
    }

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
        case let value as Double: return try .finite(value, codingPath: codingPath)
        case let value as Bool: return .bool(value)
        // Foundation's Data would encode byte by byte.
        case let value as Data: return .bytes(value)
        case let value as any CompactDeferredBytes: return .deferred(value)
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
    mutating func encode(_ value: Double, forKey key: Key) throws { box.entries.append((key.stringValue, try .finite(value, codingPath: codingPath + [key]))) }
    mutating func encode(_ value: Float, forKey key: Key) throws { box.entries.append((key.stringValue, try .finite(value, codingPath: codingPath + [key]))) }
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
    mutating func encode(_ value: Double) throws { box.items.append(try .finite(value, codingPath: codingPath)) }
    mutating func encode(_ value: Float) throws { box.items.append(try .finite(value, codingPath: codingPath)) }
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
    mutating func encode(_ value: Double) throws { encoder.node = try .finite(value, codingPath: codingPath) }
    mutating func encode(_ value: Float) throws { encoder.node = try .finite(value, codingPath: codingPath) }
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
    mutating func encode(_ value: Double) throws { set(try .finite(value, codingPath: codingPath)) }
    mutating func encode(_ value: Float) throws { set(try .finite(value, codingPath: codingPath)) }
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
