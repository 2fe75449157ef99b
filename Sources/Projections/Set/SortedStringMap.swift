/// A map from string keys to values kept as two arrays sorted by key, so that its
/// encoding and its equality never depend on hash order or insertion history.
///
/// Lookups are binary searches; inserts shift the arrays, which is cheap for the
/// sizes it holds (connections, caches, open alerts: thousands at most).
public struct SortedStringMap<Value: Codable & Sendable & Equatable>: Sendable, Equatable {
    public private(set) var keys: [String] = []
    public private(set) var values: [Value] = []

    public init() {}

    public var count: Int { keys.count }
    public var isEmpty: Bool { keys.isEmpty }

    /// The key/value pairs in ascending key order.
    public var entries: Zip2Sequence<[String], [Value]> { zip(keys, values) }

    /// The position of `key`, or where it would be inserted.
    private func position(of key: String) -> (index: Int, found: Bool) {
        var low = 0
        var high = keys.count
        while low < high {
            let mid = (low + high) / 2
            if keys[mid] < key { low = mid + 1 } else { high = mid }
        }
        return (low, low < keys.count && keys[low] == key)
    }

    public func contains(_ key: String) -> Bool { position(of: key).found }

    public subscript(key: String) -> Value? {
        get {
            let (index, found) = position(of: key)
            return found ? values[index] : nil
        }
        set {
            let (index, found) = position(of: key)
            switch (found, newValue) {
            case (true, let value?): values[index] = value
            case (true, nil):
                keys.remove(at: index)
                values.remove(at: index)
            case (false, let value?):
                keys.insert(key, at: index)
                values.insert(value, at: index)
            case (false, nil): break
            }
        }
    }

    /// Mutates the value of `key` in place, inserting `initial()` first when absent.
    public mutating func update(_ key: String, initial: () -> Value, _ body: (inout Value) -> Void) {
        var (index, found) = position(of: key)
        if !found {
            keys.insert(key, at: index)
            values.insert(initial(), at: index)
            found = true
        }
        body(&values[index])
    }

    /// Mutates the value of an existing key; returns false when the key is absent.
    @discardableResult
    public mutating func modify(_ key: String, _ body: (inout Value) -> Void) -> Bool {
        let (index, found) = position(of: key)
        guard found else { return false }
        body(&values[index])
        return true
    }
}

extension SortedStringMap: Codable {
    private enum CodingKeys: String, CodingKey {
        case keys
        case values
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let keys = try container.decode([String].self, forKey: .keys)
        let values = try container.decode([Value].self, forKey: .values)
        guard keys.count == values.count else {
            throw DecodingError.dataCorruptedError(
                forKey: .values, in: container,
                debugDescription: "sorted map has \(keys.count) keys but \(values.count) values")
        }
        guard zip(keys, keys.dropFirst()).allSatisfy({ $0 < $1 }) else {
            throw DecodingError.dataCorruptedError(
                forKey: .keys, in: container, debugDescription: "sorted map keys are not strictly ascending")
        }
        self.keys = keys
        self.values = values
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(keys, forKey: .keys)
        try container.encode(values, forKey: .values)
    }
}
