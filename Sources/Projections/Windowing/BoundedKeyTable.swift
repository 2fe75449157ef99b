/// A table from names (operation names, protocols) to values, capped at `maxKeys`
/// distinct names: past the cap, new names share the `overflowKey` entry, so a client
/// sending a unique name per request cannot grow the state without bound.
///
/// Keys are kept sorted, so equality and encoding never depend on arrival or hash
/// order. New names are rare (at most `maxKeys` ever), so the O(n) sorted insert is
/// paid a bounded number of times; lookups go through an index of positions
/// (`KeyPositions`) that is rebuilt on insert and decode and never encoded.
public struct BoundedKeyTable<Value: Codable & Sendable & Equatable>: Sendable {
    public let maxKeys: Int
    public let overflowKey: String
    public private(set) var keys: [String] = []
    public private(set) var values: [Value] = []
    /// Events whose name was folded into `overflowKey` because the table was full.
    public private(set) var overflowedEvents: UInt64 = 0
    private var index = KeyPositions()

    public init(maxKeys: Int, overflowKey: String = "other") {
        precondition(maxKeys > 0, "a key table holds at least one key")
        self.maxKeys = maxKeys
        self.overflowKey = overflowKey
    }

    public var count: Int { keys.count }

    public subscript(key: String) -> Value? {
        index.position(of: key, in: keys).map { values[$0] }
    }

    /// Updates the value of `key`, creating it with `make` if new, or the overflow
    /// entry if the table is full.
    public mutating func update(_ key: String, make: () -> Value, _ body: (inout Value) -> Void) {
        if let i = index.position(of: key, in: keys) {
            body(&values[i])
            return
        }
        var target = key
        // `maxKeys` real names, plus the overflow entry once the cap is reached.
        if keys.count >= maxKeys && key != overflowKey {
            overflowedEvents &+= 1
            target = overflowKey
            if let i = index.position(of: target, in: keys) {
                body(&values[i])
                return
            }
        }
        let position = insertionPoint(target)
        keys.insert(target, at: position)
        values.insert(make(), at: position)
        index.rebuild(keys)
        body(&values[position])
    }

    /// Updates every value in place; the names stay as they are.
    public mutating func updateAll(_ body: (inout Value) -> Void) {
        for position in values.indices { body(&values[position]) }
    }

    public var entries: [(key: String, value: Value)] {
        Array(zip(keys, values)).map { (key: $0.0, value: $0.1) }
    }

    private func insertionPoint(_ key: String) -> Int {
        var low = 0, high = keys.count
        while low < high {
            let mid = (low + high) / 2
            if keys[mid] < key { low = mid + 1 } else { high = mid }
        }
        return low
    }
}

extension BoundedKeyTable where Value: Mergeable {
    /// Adds another shard's table: same names merge, new names are inserted (subject
    /// to the cap).
    public mutating func merge(_ other: BoundedKeyTable<Value>, make: () -> Value) {
        for (key, value) in zip(other.keys, other.values) {
            update(key, make: make) { $0.merge(value) }
        }
        overflowedEvents &+= other.overflowedEvents
    }
}

extension BoundedKeyTable: Equatable {
    public static func == (lhs: BoundedKeyTable<Value>, rhs: BoundedKeyTable<Value>) -> Bool {
        lhs.maxKeys == rhs.maxKeys && lhs.overflowKey == rhs.overflowKey && lhs.keys == rhs.keys
            && lhs.values == rhs.values && lhs.overflowedEvents == rhs.overflowedEvents
    }
}

extension BoundedKeyTable: Codable {
    private enum CodingKeys: String, CodingKey {
        case maxKeys, overflowKey, keys, values, overflowedEvents
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let maxKeys = try container.decode(Int.self, forKey: .maxKeys)
        guard maxKeys > 0 else {
            throw DecodingError.dataCorruptedError(forKey: .maxKeys, in: container, debugDescription: "maxKeys must be positive, got \(maxKeys)")
        }
        self.init(maxKeys: maxKeys, overflowKey: try container.decode(String.self, forKey: .overflowKey))
        let keys = try container.decode([String].self, forKey: .keys)
        let values = try container.decode([Value].self, forKey: .values)
        guard keys.count == values.count, keys.count <= maxKeys + 1, zip(keys, keys.dropFirst()).allSatisfy({ $0 < $1 }) else {
            throw DecodingError.dataCorruptedError(forKey: .keys, in: container, debugDescription: "keys must be sorted, unique, at most maxKeys + 1 and match the values")
        }
        self.keys = keys
        self.values = values
        self.overflowedEvents = try container.decode(UInt64.self, forKey: .overflowedEvents)
        index.rebuild(keys)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(maxKeys, forKey: .maxKeys)
        try container.encode(overflowKey, forKey: .overflowKey)
        try container.encode(keys, forKey: .keys)
        try container.encode(values, forKey: .values)
        try container.encode(overflowedEvents, forKey: .overflowedEvents)
    }
}
