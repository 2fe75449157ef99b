/// One StatsD metric line: `name:value|type[|@rate][|#tag,key:value]`, with the
/// DogStatsD extensions (`#tags`, `d` distributions; `|c:…` container ids and `|T`
/// timestamps are read past).
struct StatsDLine: Equatable, Sendable {
    enum Kind: Equatable, Sendable {
        case counter
        /// `delta` when the value was written with a sign (`+3`, `-2`): added to the gauge.
        case gauge(delta: Bool)
        case timer
        /// `h` and DogStatsD's `d`.
        case histogram
        /// The value is a member, counted once per flush.
        case set(member: String)
    }

    var name: String
    var value: Double
    var kind: Kind
    /// `@0.1`: the sender sent one in ten; counters and histograms are scaled by 1/rate.
    var sampleRate: Double
    var tags: [(String, String)]

    static func == (lhs: StatsDLine, rhs: StatsDLine) -> Bool {
        lhs.name == rhs.name && lhs.value == rhs.value && lhs.kind == rhs.kind && lhs.sampleRate == rhs.sampleRate
            && lhs.tags.map(\.0) == rhs.tags.map(\.0) && lhs.tags.map(\.1) == rhs.tags.map(\.1)
    }

    /// Parses one line (no newline); throws the reason it is malformed.
    static func parse(_ line: Substring) throws(StatsDLineError) -> StatsDLine {
        guard let colon = line.firstIndex(of: ":") else { throw StatsDLineError("no ':' between name and value") }
        let name = line[..<colon]
        guard !name.isEmpty else { throw StatsDLineError("empty metric name") }
        let sections = line[line.index(after: colon)...].split(separator: "|", omittingEmptySubsequences: false)
        guard sections.count >= 2 else { throw StatsDLineError("no '|type' after the value") }
        let valueText = sections[0]
        let typeText = sections[1]
        var sampleRate = 1.0
        var tags: [(String, String)] = []
        for section in sections.dropFirst(2) {
            if section.hasPrefix("@") {
                guard let rate = Double(section.dropFirst()), rate > 0, rate <= 1 else {
                    throw StatsDLineError("sample rate '\(section)' is not within (0, 1]")
                }
                sampleRate = rate
            } else if section.hasPrefix("#") {
                for tag in section.dropFirst().split(separator: ",") where !tag.isEmpty {
                    if let separator = tag.firstIndex(of: ":") {
                        tags.append((String(tag[..<separator]), String(tag[tag.index(after: separator)...])))
                    } else {
                        tags.append((String(tag), "true"))
                    }
                }
            } else if section.hasPrefix("c:") || section.hasPrefix("T") || section.hasPrefix("e:") {
                continue
            } else {
                throw StatsDLineError("unknown section '|\(section)'")
            }
        }
        let kind: Kind
        switch typeText {
        case "c": kind = .counter
        case "g": kind = .gauge(delta: valueText.hasPrefix("+") || valueText.hasPrefix("-"))
        case "ms": kind = .timer
        case "h", "d": kind = .histogram
        case "s": kind = .set(member: String(valueText))
        default: throw StatsDLineError("unknown type '\(typeText)' (expected c, g, ms, h, d or s)")
        }
        var value = 0.0
        if case .set = kind {
            guard !valueText.isEmpty else { throw StatsDLineError("empty set member") }
        } else {
            guard valueText.utf8.allSatisfy({ numberBytes.contains($0) }), let number = Double(valueText), number.isFinite else {
                throw StatsDLineError("value '\(valueText)' is not a finite number")
            }
            if kind == .timer || kind == .histogram, number < 0 { throw StatsDLineError("\(typeText) value \(number) is negative") }
            value = number
        }
        return StatsDLine(name: String(name), value: value, kind: kind, sampleRate: sampleRate, tags: tags)
    }

    private static let numberBytes = Set("0123456789+-.eE".utf8)
}

struct StatsDLineError: Error, Sendable, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
