import Foundation

/// Decodes `CompactEncoder`'s format. Every read is bounds-checked and every length
/// checked against what remains, so damaged or forged bytes give a `DecodingError`
/// naming the coding path, never a trap or an over-read.
public enum CompactDecoder {
    public static func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8]) throws -> T {
        try bytes.withUnsafeBytes { raw in
            let input = CompactInput(raw)
            let end = try input.skip(at: 0)
            guard end == raw.count else {
                throw input.corrupted("\(raw.count - end) bytes after the value", path: nil)
            }
            return try input.decode(type, at: 0, path: nil)
        }
    }
}

/// A coding path as a chain, made into an array only for an error.
final class CompactPath {
    let parent: CompactPath?
    let key: any CodingKey

    init(parent: CompactPath?, key: any CodingKey) {
        self.parent = parent
        self.key = key
    }

    static func array(_ path: CompactPath?) -> [any CodingKey] {
        var keys: [any CodingKey] = []
        var node = path
        while let current = node {
            keys.append(current.key)
            node = current.parent
        }
        return keys.reversed()
    }
}

struct CompactIndexKey: CodingKey {
    let intValue: Int?
    var stringValue: String { "Index \(intValue ?? 0)" }
    init(_ index: Int) { intValue = index }
    init?(stringValue _: String) { nil }
    init?(intValue: Int) { self.intValue = intValue }
}

/// The bytes being decoded; valid only inside `CompactDecoder.decode`.
final class CompactInput {
    let raw: UnsafeRawBufferPointer

    init(_ raw: UnsafeRawBufferPointer) {
        self.raw = raw
    }

    func corrupted(_ detail: String, path: CompactPath?) -> DecodingError {
        .dataCorrupted(.init(codingPath: CompactPath.array(path), debugDescription: "compact encoding: \(detail)"))
    }

    @inline(__always)
    func byte(at position: Int) throws -> UInt8 {
        guard position >= 0, position < raw.count else { throw corrupted("value runs past the end at byte \(position)", path: nil) }
        return raw[position]
    }

    @inline(__always)
    func varint(at position: inout Int) throws -> UInt64 {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let next = try byte(at: position)
            position += 1
            guard shift < 64, shift < 63 || next <= 1 else { throw corrupted("varint longer than 64 bits at byte \(position)", path: nil) }
            value |= UInt64(next & 0x7F) << shift
            if next & 0x80 == 0 { return value }
            shift += 7
        }
    }

    /// A length read at `position`, checked to fit in what remains.
    @inline(__always)
    func length(at position: inout Int) throws -> Int {
        let value = try varint(at: &position)
        guard value <= UInt64(raw.count - min(position, raw.count)) else {
            throw corrupted("length \(value) at byte \(position) is longer than the bytes left", path: nil)
        }
        return Int(value)
    }

    /// The position after the value at `position`.
    func skip(at position: Int) throws -> Int {
        var cursor = position + 1
        switch CompactTag(rawValue: try byte(at: position)) {
        case .null, .isFalse, .isTrue: return cursor
        case .signed, .unsigned:
            _ = try varint(at: &cursor)
            return cursor
        case .double: return try end(cursor, plus: 8)
        case .float: return try end(cursor, plus: 4)
        case .string, .bytes:
            let count = try length(at: &cursor)
            return cursor + count
        case .array, .object:
            _ = try varint(at: &cursor)
            let bytes = try length(at: &cursor)
            return cursor + bytes
        case nil: throw corrupted("unknown tag \(raw[position]) at byte \(position)", path: nil)
        }
    }

    private func end(_ position: Int, plus count: Int) throws -> Int {
        guard position + count <= raw.count else { throw corrupted("value runs past the end at byte \(position)", path: nil) }
        return position + count
    }

    // MARK: Primitives

    func isNull(at position: Int) throws -> Bool { try byte(at: position) == CompactTag.null.rawValue }

    func bool(at position: Int, path: CompactPath?) throws -> Bool {
        switch try byte(at: position) {
        case CompactTag.isTrue.rawValue: return true
        case CompactTag.isFalse.rawValue: return false
        default: throw corrupted("expected a Bool", path: path)
        }
    }

    func integer<T: FixedWidthInteger>(_: T.Type, at position: Int, path: CompactPath?) throws -> T {
        var cursor = position
        return try integer(T.self, advancing: &cursor, path: path)
    }

    /// The integer at `cursor`, which moves past it (an array of integers is read in
    /// one pass, not read and then skipped).
    @inline(__always)
    func integer<T: FixedWidthInteger>(_: T.Type, advancing cursor: inout Int, path: CompactPath?) throws -> T {
        let tag = try byte(at: cursor)
        cursor += 1
        switch tag {
        case CompactTag.signed.rawValue:
            let zigzag = try varint(at: &cursor)
            let value = Int64(bitPattern: zigzag >> 1) ^ -Int64(bitPattern: zigzag & 1)
            guard let exact = T(exactly: value) else { throw corrupted("\(value) does not fit \(T.self)", path: path) }
            return exact
        case CompactTag.unsigned.rawValue:
            let value = try varint(at: &cursor)
            guard let exact = T(exactly: value) else { throw corrupted("\(value) does not fit \(T.self)", path: path) }
            return exact
        default: throw corrupted("expected an integer", path: path)
        }
    }

    func double(at position: Int, path: CompactPath?) throws -> Double {
        switch try byte(at: position) {
        case CompactTag.double.rawValue:
            _ = try end(position + 1, plus: 8)
            let value = Double(bitPattern: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: position + 1, as: UInt64.self)))
            // The encoder writes finite numbers only (a fuzz finding: a NaN read back
            // made a state that does not equal itself).
            guard value.isFinite else { throw corrupted("\(value) is not a finite number", path: path) }
            return value
        case CompactTag.float.rawValue:
            return Double(try float(at: position, path: path))
        default: throw corrupted("expected a floating-point number", path: path)
        }
    }

    func float(at position: Int, path: CompactPath?) throws -> Float {
        guard try byte(at: position) == CompactTag.float.rawValue else {
            if try byte(at: position) == CompactTag.double.rawValue { return Float(try double(at: position, path: path)) }
            throw corrupted("expected a floating-point number", path: path)
        }
        _ = try end(position + 1, plus: 4)
        let value = Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: position + 1, as: UInt32.self)))
        guard value.isFinite else { throw corrupted("\(value) is not a finite number", path: path) }
        return value
    }

    func string(at position: Int, path: CompactPath?) throws -> String {
        guard try byte(at: position) == CompactTag.string.rawValue else { throw corrupted("expected a string", path: path) }
        var cursor = position + 1
        let count = try length(at: &cursor)
        return text(cursor, count)
    }

    func data(at position: Int, path: CompactPath?) throws -> Data {
        guard try byte(at: position) == CompactTag.bytes.rawValue else { throw corrupted("expected bytes", path: path) }
        var cursor = position + 1
        let count = try length(at: &cursor)
        return Data(UnsafeRawBufferPointer(rebasing: raw[cursor..<(cursor + count)]))
    }

    func text(_ start: Int, _ count: Int) -> String {
        String(decoding: UnsafeRawBufferPointer(rebasing: raw[start..<(start + count)]), as: UTF8.self)
    }

    /// A container's header: its count and the range of its body.
    func container(_ tag: CompactTag, at position: Int, path: CompactPath?) throws -> (count: Int, body: Range<Int>) {
        guard try byte(at: position) == tag.rawValue else {
            throw corrupted(tag == .array ? "expected an array" : "expected an object", path: path)
        }
        var cursor = position + 1
        let count = try varint(at: &cursor)
        let bytes = try length(at: &cursor)
        // Every element takes at least one byte (an entry at least two).
        guard count <= UInt64(bytes) else { throw corrupted("\(count) elements in \(bytes) bytes", path: path) }
        return (Int(count), cursor..<(cursor + bytes))
    }

    // MARK: Values

    func decode<T: Decodable>(_ type: T.Type, at position: Int, path: CompactPath?) throws -> T {
        // The state's hot shapes skip the Decoder machinery.
        if T.self == String.self { return try string(at: position, path: path) as! T }
        if T.self == Int64.self { return try integer(Int64.self, at: position, path: path) as! T }
        if T.self == UInt64.self { return try integer(UInt64.self, at: position, path: path) as! T }
        if T.self == Int.self { return try integer(Int.self, at: position, path: path) as! T }
        if T.self == Double.self { return try double(at: position, path: path) as! T }
        if T.self == Bool.self { return try bool(at: position, path: path) as! T }
        if T.self == [UInt64].self { return try integers(UInt64.self, at: position, path: path) as! T }
        if T.self == [Int64].self { return try integers(Int64.self, at: position, path: path) as! T }
        if T.self == Data.self { return try data(at: position, path: path) as! T }
        return try T(from: CompactValueDecoder(input: self, position: position, path: path))
    }

    private func integers<I: FixedWidthInteger>(_: I.Type, at position: Int, path: CompactPath?) throws -> [I] {
        let (count, body) = try container(.array, at: position, path: path)
        var values: [I] = []
        values.reserveCapacity(count)
        var cursor = body.lowerBound
        for _ in 0..<count {
            values.append(try integer(I.self, advancing: &cursor, path: path))
        }
        guard cursor == body.upperBound else { throw corrupted("array body is not its \(body.count) bytes", path: path) }
        return values
    }
}

final class CompactValueDecoder: Decoder {
    let input: CompactInput
    let position: Int
    let path: CompactPath?
    var codingPath: [any CodingKey] { CompactPath.array(path) }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    init(input: CompactInput, position: Int, path: CompactPath?) {
        self.input = input
        self.position = position
        self.path = path
    }

    func container<Key: CodingKey>(keyedBy _: Key.Type) throws -> KeyedDecodingContainer<Key> {
        KeyedDecodingContainer(try CompactKeyedDecoder<Key>(input: input, position: position, path: path))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        try CompactUnkeyedDecoder(input: input, position: position, path: path)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        CompactSingleValueDecoder(input: input, position: position, path: path)
    }
}

struct CompactKeyedDecoder<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let input: CompactInput
    let path: CompactPath?
    /// Each entry's key bytes and value position, in written order.
    private let entries: [(keyStart: Int, keyCount: Int, value: Int)]
    /// Where the last key was found: types read their keys in the order they wrote them.
    private let hint: CompactHint

    var codingPath: [any CodingKey] { CompactPath.array(path) }

    init(input: CompactInput, position: Int, path: CompactPath?) throws {
        self.input = input
        self.path = path
        let (count, body) = try input.container(.object, at: position, path: path)
        var entries: [(keyStart: Int, keyCount: Int, value: Int)] = []
        entries.reserveCapacity(count)
        var cursor = body.lowerBound
        for _ in 0..<count {
            let keyCount = try input.length(at: &cursor)
            let keyStart = cursor
            cursor += keyCount
            entries.append((keyStart, keyCount, cursor))
            cursor = try input.skip(at: cursor)
            guard cursor <= body.upperBound else { throw input.corrupted("object entries run past its body", path: path) }
        }
        guard cursor == body.upperBound else { throw input.corrupted("object body is not its \(body.count) bytes", path: path) }
        self.entries = entries
        self.hint = CompactHint()
    }

    var allKeys: [Key] { entries.compactMap { Key(stringValue: input.text($0.keyStart, $0.keyCount)) } }

    func contains(_ key: Key) -> Bool { find(key) != nil }

    private func find(_ key: Key) -> Int? {
        var name = key.stringValue
        return name.withUTF8 { wanted -> Int? in
            let start = hint.next < entries.count ? hint.next : 0
            for step in 0..<entries.count {
                let index = (start + step) % entries.count
                let entry = entries[index]
                guard entry.keyCount == wanted.count,
                      memcmpEqual(input.raw.baseAddress! + entry.keyStart, UnsafeRawPointer(wanted.baseAddress), wanted.count)
                else { continue }
                hint.next = index + 1
                return entry.value
            }
            return nil
        }
    }

    private func value(_ key: Key) throws -> Int {
        guard let position = find(key) else {
            throw DecodingError.keyNotFound(key, .init(codingPath: codingPath, debugDescription: "compact encoding: no value for \(key.stringValue)"))
        }
        return position
    }

    private func child(_ key: Key) -> CompactPath { CompactPath(parent: path, key: key) }

    func decodeNil(forKey key: Key) throws -> Bool { try input.isNull(at: try value(key)) }
    func decode(_: Bool.Type, forKey key: Key) throws -> Bool { try input.bool(at: try value(key), path: child(key)) }
    func decode(_: String.Type, forKey key: Key) throws -> String { try input.string(at: try value(key), path: child(key)) }
    func decode(_: Double.Type, forKey key: Key) throws -> Double { try input.double(at: try value(key), path: child(key)) }
    func decode(_: Float.Type, forKey key: Key) throws -> Float { try input.float(at: try value(key), path: child(key)) }
    func decode(_: Int.Type, forKey key: Key) throws -> Int { try input.integer(Int.self, at: try value(key), path: child(key)) }
    func decode(_: Int8.Type, forKey key: Key) throws -> Int8 { try input.integer(Int8.self, at: try value(key), path: child(key)) }
    func decode(_: Int16.Type, forKey key: Key) throws -> Int16 { try input.integer(Int16.self, at: try value(key), path: child(key)) }
    func decode(_: Int32.Type, forKey key: Key) throws -> Int32 { try input.integer(Int32.self, at: try value(key), path: child(key)) }
    func decode(_: Int64.Type, forKey key: Key) throws -> Int64 { try input.integer(Int64.self, at: try value(key), path: child(key)) }
    func decode(_: UInt.Type, forKey key: Key) throws -> UInt { try input.integer(UInt.self, at: try value(key), path: child(key)) }
    func decode(_: UInt8.Type, forKey key: Key) throws -> UInt8 { try input.integer(UInt8.self, at: try value(key), path: child(key)) }
    func decode(_: UInt16.Type, forKey key: Key) throws -> UInt16 { try input.integer(UInt16.self, at: try value(key), path: child(key)) }
    func decode(_: UInt32.Type, forKey key: Key) throws -> UInt32 { try input.integer(UInt32.self, at: try value(key), path: child(key)) }
    func decode(_: UInt64.Type, forKey key: Key) throws -> UInt64 { try input.integer(UInt64.self, at: try value(key), path: child(key)) }
    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T { try input.decode(type, at: try value(key), path: child(key)) }

    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        guard let position = find(key), try !input.isNull(at: position) else { return nil }
        return try input.decode(type, at: position, path: child(key))
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy _: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        KeyedDecodingContainer(try CompactKeyedDecoder<NestedKey>(input: input, position: try value(key), path: child(key)))
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try CompactUnkeyedDecoder(input: input, position: try value(key), path: child(key))
    }

    func superDecoder() throws -> any Decoder { try superDecoder(forKey: Key(stringValue: "super")!) }

    func superDecoder(forKey key: Key) throws -> any Decoder {
        // `superEncoder` wrote a one-element array.
        var holder = try CompactUnkeyedDecoder(input: input, position: try value(key), path: child(key))
        return try holder.superDecoder()
    }
}

/// The position after the last key found (a class: containers are values passed by copy).
final class CompactHint {
    var next = 0
}

@inline(__always)
private func memcmpEqual(_ a: UnsafeRawPointer, _ b: UnsafeRawPointer?, _ count: Int) -> Bool {
    guard count > 0, let b else { return true }
    for index in 0..<count where a.load(fromByteOffset: index, as: UInt8.self) != b.load(fromByteOffset: index, as: UInt8.self) {
        return false
    }
    return true
}

struct CompactUnkeyedDecoder: UnkeyedDecodingContainer {
    let input: CompactInput
    let path: CompactPath?
    let count: Int?
    private(set) var currentIndex = 0
    private var position: Int
    private let end: Int

    var codingPath: [any CodingKey] { CompactPath.array(path) }
    var isAtEnd: Bool { currentIndex >= (count ?? 0) }

    init(input: CompactInput, position: Int, path: CompactPath?) throws {
        self.input = input
        self.path = path
        let (count, body) = try input.container(.array, at: position, path: path)
        self.count = count
        self.position = body.lowerBound
        self.end = body.upperBound
    }

    /// The next element's position, moving past it.
    private mutating func next() throws -> (Int, CompactPath) {
        guard !isAtEnd else {
            throw DecodingError.valueNotFound(Any.self, .init(codingPath: codingPath, debugDescription: "compact encoding: the array has \(count ?? 0) elements"))
        }
        let start = position
        position = try input.skip(at: start)
        guard position <= end else { throw input.corrupted("array elements run past its body", path: path) }
        let elementPath = CompactPath(parent: path, key: CompactIndexKey(currentIndex))
        currentIndex += 1
        return (start, elementPath)
    }

    mutating func decodeNil() throws -> Bool {
        guard !isAtEnd, try input.isNull(at: position) else { return false }
        _ = try next()
        return true
    }

    mutating func decode(_: Bool.Type) throws -> Bool { let (at, path) = try next(); return try input.bool(at: at, path: path) }
    mutating func decode(_: String.Type) throws -> String { let (at, path) = try next(); return try input.string(at: at, path: path) }
    mutating func decode(_: Double.Type) throws -> Double { let (at, path) = try next(); return try input.double(at: at, path: path) }
    mutating func decode(_: Float.Type) throws -> Float { let (at, path) = try next(); return try input.float(at: at, path: path) }
    mutating func decode(_: Int.Type) throws -> Int { let (at, path) = try next(); return try input.integer(Int.self, at: at, path: path) }
    mutating func decode(_: Int8.Type) throws -> Int8 { let (at, path) = try next(); return try input.integer(Int8.self, at: at, path: path) }
    mutating func decode(_: Int16.Type) throws -> Int16 { let (at, path) = try next(); return try input.integer(Int16.self, at: at, path: path) }
    mutating func decode(_: Int32.Type) throws -> Int32 { let (at, path) = try next(); return try input.integer(Int32.self, at: at, path: path) }
    mutating func decode(_: Int64.Type) throws -> Int64 { let (at, path) = try next(); return try input.integer(Int64.self, at: at, path: path) }
    mutating func decode(_: UInt.Type) throws -> UInt { let (at, path) = try next(); return try input.integer(UInt.self, at: at, path: path) }
    mutating func decode(_: UInt8.Type) throws -> UInt8 { let (at, path) = try next(); return try input.integer(UInt8.self, at: at, path: path) }
    mutating func decode(_: UInt16.Type) throws -> UInt16 { let (at, path) = try next(); return try input.integer(UInt16.self, at: at, path: path) }
    mutating func decode(_: UInt32.Type) throws -> UInt32 { let (at, path) = try next(); return try input.integer(UInt32.self, at: at, path: path) }
    mutating func decode(_: UInt64.Type) throws -> UInt64 { let (at, path) = try next(); return try input.integer(UInt64.self, at: at, path: path) }
    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T { let (at, path) = try next(); return try input.decode(type, at: at, path: path) }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy _: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        let (at, path) = try next()
        return KeyedDecodingContainer(try CompactKeyedDecoder<NestedKey>(input: input, position: at, path: path))
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        let (at, path) = try next()
        return try CompactUnkeyedDecoder(input: input, position: at, path: path)
    }

    mutating func superDecoder() throws -> any Decoder {
        let (at, path) = try next()
        return CompactValueDecoder(input: input, position: at, path: path)
    }
}

struct CompactSingleValueDecoder: SingleValueDecodingContainer {
    let input: CompactInput
    let position: Int
    let path: CompactPath?
    var codingPath: [any CodingKey] { CompactPath.array(path) }

    func decodeNil() -> Bool { (try? input.isNull(at: position)) ?? false }
    func decode(_: Bool.Type) throws -> Bool { try input.bool(at: position, path: path) }
    func decode(_: String.Type) throws -> String { try input.string(at: position, path: path) }
    func decode(_: Double.Type) throws -> Double { try input.double(at: position, path: path) }
    func decode(_: Float.Type) throws -> Float { try input.float(at: position, path: path) }
    func decode(_: Int.Type) throws -> Int { try input.integer(Int.self, at: position, path: path) }
    func decode(_: Int8.Type) throws -> Int8 { try input.integer(Int8.self, at: position, path: path) }
    func decode(_: Int16.Type) throws -> Int16 { try input.integer(Int16.self, at: position, path: path) }
    func decode(_: Int32.Type) throws -> Int32 { try input.integer(Int32.self, at: position, path: path) }
    func decode(_: Int64.Type) throws -> Int64 { try input.integer(Int64.self, at: position, path: path) }
    func decode(_: UInt.Type) throws -> UInt { try input.integer(UInt.self, at: position, path: path) }
    func decode(_: UInt8.Type) throws -> UInt8 { try input.integer(UInt8.self, at: position, path: path) }
    func decode(_: UInt16.Type) throws -> UInt16 { try input.integer(UInt16.self, at: position, path: path) }
    func decode(_: UInt32.Type) throws -> UInt32 { try input.integer(UInt32.self, at: position, path: path) }
    func decode(_: UInt64.Type) throws -> UInt64 { try input.integer(UInt64.self, at: position, path: path) }
    func decode<T: Decodable>(_ type: T.Type) throws -> T { try input.decode(type, at: position, path: path) }
}
