import EventStore

/// What one alert of a rule is about: the whole system (figure rules), one metric
/// series (metric rules) or one connection (breaker rules).
public enum AlertSubject: Codable, Sendable, Equatable, Comparable, CustomStringConvertible {
    case system
    case series(SeriesKey)
    case connection(String)

    public static func < (lhs: AlertSubject, rhs: AlertSubject) -> Bool {
        switch (lhs, rhs) {
        case let (.series(a), .series(b)): a < b
        case let (.connection(a), .connection(b)): a < b
        default: lhs.rank < rhs.rank
        }
    }

    private var rank: Int {
        switch self {
        case .system: 0
        case .series: 1
        case .connection: 2
        }
    }

    /// `cpu_percent{core="total"}`, a connection's name, or empty for the system.
    public var description: String {
        switch self {
        case .system: ""
        case .series(let key): key.description
        case .connection(let name): name
        }
    }
}

/// Alert ids are derived, never random: the same log replayed gives the same ids.
public enum AlertIdentity {
    /// `<rule>@<offset>`, `<rule>:<subject>@<offset>`; a subject that would make the id
    /// longer than an event name may be is replaced by its FNV-1a 64 hash.
    static func id(ruleID: String, subject: AlertSubject, offset: UInt64) -> String {
        let subjectText = subject.description
        if subjectText.isEmpty { return "\(ruleID)@\(offset)" }
        let plain = "\(ruleID):\(subjectText)@\(offset)"
        if plain.utf8.count <= EventLimits.nameBytesMax { return plain }
        return "\(ruleID):\(fnv1a64Hex(subjectText))@\(offset)"
    }

    public static func fnv1a64Hex(_ text: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
