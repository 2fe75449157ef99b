/// The newest `capacity` elements appended, oldest first. Older ones are dropped
/// (and counted), so a history never grows with the log.
public struct BoundedHistory<Element: Codable & Sendable & Equatable>: Codable, Sendable, Equatable {
    public let capacity: Int
    public private(set) var elements: [Element] = []
    /// How many elements were dropped to keep within `capacity`.
    public private(set) var droppedCount: UInt64 = 0

    public init(capacity: Int) {
        precondition(capacity > 0, "a history needs room for at least one element")
        self.capacity = capacity
    }

    public var count: Int { elements.count }
    public var isEmpty: Bool { elements.isEmpty }
    public var last: Element? { elements.last }

    public mutating func append(_ element: Element) {
        if elements.count == capacity {
            elements.removeFirst()
            droppedCount += 1
        }
        elements.append(element)
        assert(elements.count <= capacity)
    }

    /// Replaces the contents with `merged` (already ordered oldest first), keeping
    /// the newest `capacity`.
    public mutating func replace(withOrdered merged: [Element], extraDropped: UInt64) {
        let overflow = max(0, merged.count - capacity)
        elements = Array(merged.dropFirst(overflow))
        droppedCount += extraDropped + UInt64(overflow)
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        capacity = try container.decode(Int.self, forKey: .capacity)
        elements = try container.decode([Element].self, forKey: .elements)
        droppedCount = try container.decode(UInt64.self, forKey: .droppedCount)
        guard capacity > 0, elements.count <= capacity else {
            throw DecodingError.dataCorruptedError(
                forKey: .elements, in: container,
                debugDescription: "history holds \(elements.count) elements, over its capacity \(capacity)")
        }
    }

    private enum CodingKeys: String, CodingKey {
        case capacity
        case elements
        case droppedCount
    }
}
