/// Identifies a metric series: its name and its labels.
///
/// The hash is computed once at construction: folds look series up per event, and
/// hashing a name and its labels every time would dominate the fold's cost.
///
/// A final class, not a struct: a decoded batch shares one key among all of a series'
/// events, so an event holds one reference (one retain) instead of a string and an
/// array (two), which is most of what a scan costs per metric event.
public final class SeriesKey: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let name: String
    public let labels: Labels
    private let hashCache: Int
    /// Whether the key is within `EventDomain` (names non-empty and within their
    /// limits), found once here beside the hash: the log checks every appended event,
    /// and a key is shared by many.
    public let isInEventDomain: Bool

    public init(name: String, labels: Labels = .empty) {
        self.name = name
        self.labels = labels
        var hasher = Hasher()
        hasher.combine(name)
        hasher.combine(labels)
        self.hashCache = hasher.finalize()
        self.isInEventDomain = EventDomain.seriesViolation(name: name, labels: labels) == nil
    }

    public static func == (lhs: SeriesKey, rhs: SeriesKey) -> Bool {
        lhs === rhs || lhs.hashCache == rhs.hashCache && lhs.name == rhs.name && lhs.labels == rhs.labels
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(hashCache)
    }

    public static func < (lhs: SeriesKey, rhs: SeriesKey) -> Bool {
        lhs.name != rhs.name ? lhs.name < rhs.name : lhs.labels < rhs.labels
    }

    public var description: String { name + labels.description }
}

extension SeriesKey: Codable {
    private enum CodingKeys: String, CodingKey {
        case name
        case labels
    }

    public convenience init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(name: try container.decode(String.self, forKey: .name), labels: try container.decode(Labels.self, forKey: .labels))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        try container.encode(labels, forKey: .labels)
    }
}
