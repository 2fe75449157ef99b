/// The labels of a metric series: key/value pairs kept sorted by key, so that two
/// label sets with the same pairs are equal, hash alike and encode to the same bytes
/// whatever order a producer sent them in.
public struct Labels: Hashable, Sendable, Comparable {
    public struct Pair: Hashable, Sendable {
        public let key: String
        public let value: String
        public init(key: String, value: String) {
            self.key = key
            self.value = value
        }
    }

    public static let empty = Labels(sortedPairs: [])

    public let pairs: [Pair]

    /// Builds a label set; a later duplicate key replaces an earlier one.
    public init(_ dictionary: [String: String]) {
        self.pairs = dictionary.map { Pair(key: $0.key, value: $0.value) }.sorted { $0.key < $1.key }
    }

    /// `pairs` must already be sorted by key with no duplicates (the codec's path).
    public init(sortedPairs: [Pair]) {
        assert(zip(sortedPairs, sortedPairs.dropFirst()).allSatisfy { $0.key < $1.key }, "labels not sorted")
        self.pairs = sortedPairs
    }

    public var isEmpty: Bool { pairs.isEmpty }
    public var count: Int { pairs.count }

    public subscript(key: String) -> String? {
        pairs.first { $0.key == key }?.value
    }

    public var dictionary: [String: String] {
        Dictionary(uniqueKeysWithValues: pairs.map { ($0.key, $0.value) })
    }

    public static func < (lhs: Labels, rhs: Labels) -> Bool {
        for (l, r) in zip(lhs.pairs, rhs.pairs) {
            if l.key != r.key { return l.key < r.key }
            if l.value != r.value { return l.value < r.value }
        }
        return lhs.pairs.count < rhs.pairs.count
    }
}

extension Labels: CustomStringConvertible {
    /// Prometheus style: `{core="0",kind="used"}`, or empty for no labels.
    public var description: String {
        if pairs.isEmpty { return "" }
        return "{" + pairs.map { "\($0.key)=\"\($0.value)\"" }.joined(separator: ",") + "}"
    }
}

extension Labels: Codable {
    public init(from decoder: any Decoder) throws {
        var container = try decoder.unkeyedContainer()
        var pairs: [Pair] = []
        while !container.isAtEnd {
            let pair = try container.decode([String].self)
            guard pair.count == 2 else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "a label is a [key, value] pair")
            }
            pairs.append(Pair(key: pair[0], value: pair[1]))
        }
        self.init(sortedPairs: pairs.sorted { $0.key < $1.key })
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.unkeyedContainer()
        // An array of pairs, not a dictionary, so encoded states never depend on hash order.
        for pair in pairs { try container.encode([pair.key, pair.value]) }
    }
}
