import Foundation
import Synchronization
import TachoRegex

/// A series' label set: names sorted, each once, empty values absent (as Prometheus
/// treats a label with an empty value as not set). `__name__` is the metric name.
public struct Labels: Hashable, Sendable, Comparable, CustomStringConvertible {
    public static let metricName = "__name__"

    /// (name, value) pairs sorted by name.
    public private(set) var pairs: [(name: String, value: String)]

    public init() { pairs = [] }

    public init(_ dictionary: [String: String]) {
        pairs = dictionary.filter { !$0.value.isEmpty }.map { (name: $0.key, value: $0.value) }.sorted { $0.name < $1.name }
    }

    /// `pairs` already sorted by name, each name once, no empty value (checked in
    /// debug builds): a label set read from a store that keeps them so, without the
    /// dictionary and sort of the other initializers.
    public init(sortedPairs: [(name: String, value: String)]) {
        assert(zip(sortedPairs, sortedPairs.dropFirst()).allSatisfy { $0.name < $1.name }, "pairs sorted by name, each once")
        assert(!sortedPairs.contains { $0.value.isEmpty }, "no empty value")
        pairs = sortedPairs
    }

    public init(name: String, _ labels: [String: String]) {
        var all = labels
        all[Self.metricName] = name
        self.init(all)
    }

    public subscript(name: String) -> String {
        for pair in pairs where pair.name == name { return pair.value }
        return ""
    }

    public var isEmpty: Bool { pairs.isEmpty }

    /// The address of the pairs' storage, nil when empty: equal for copies of one label
    /// set (until one is changed), different for label sets alive at the same time.
    var storageAddress: UnsafeRawPointer? {
        pairs.isEmpty ? nil : pairs.withUnsafeBufferPointer { UnsafeRawPointer($0.baseAddress) }
    }
    public var metric: String { self[Self.metricName] }

    /// Sets `name` to `value`; an empty value removes the label.
    public mutating func set(_ name: String, _ value: String) {
        if let index = pairs.firstIndex(where: { $0.name == name }) {
            if value.isEmpty { pairs.remove(at: index) } else { pairs[index].value = value }
            return
        }
        guard !value.isEmpty else { return }
        let index = pairs.firstIndex { $0.name > name } ?? pairs.count
        pairs.insert((name: name, value: value), at: index)
    }

    public func removing(_ names: some Sequence<String>) -> Labels {
        removing(set: Set(names))
    }

    public func removing(set drop: Set<String>) -> Labels {
        var copy = self
        copy.pairs.removeAll { drop.contains($0.name) }
        return copy
    }

    public func keeping(_ names: some Sequence<String>) -> Labels {
        keeping(set: Set(names))
    }

    public func keeping(set keep: Set<String>) -> Labels {
        if keep.isEmpty { return Labels() }
        var copy = self
        copy.pairs.removeAll { !keep.contains($0.name) }
        return copy
    }

    public var droppingName: Labels {
        guard let index = pairs.firstIndex(where: { $0.name == Self.metricName }) else { return self }
        var copy = self
        copy.pairs.remove(at: index)
        return copy
    }

    public static func == (lhs: Labels, rhs: Labels) -> Bool {
        lhs.pairs.count == rhs.pairs.count && zip(lhs.pairs, rhs.pairs).allSatisfy { $0.name == $1.name && $0.value == $1.value }
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(pairs.count)
        for pair in pairs {
            hasher.combine(pair.name)
            hasher.combine(pair.value)
        }
    }

    /// Prometheus's order of label sets: pair by pair, name then value, shorter first.
    public static func < (lhs: Labels, rhs: Labels) -> Bool {
        for (left, right) in zip(lhs.pairs, rhs.pairs) {
            if left.name != right.name { return left.name < right.name }
            if left.value != right.value { return left.value < right.value }
        }
        return lhs.pairs.count < rhs.pairs.count
    }

    /// `name{a="1", b="2"}` as Prometheus prints label sets in errors.
    public var description: String {
        var text = ""
        let name = metric
        let rest = pairs.filter { $0.name != Self.metricName }
        text += name
        if !rest.isEmpty || name.isEmpty {
            text += "{" + rest.map { "\($0.name)=\(quoted($0.value))" }.joined(separator: ", ") + "}"
        }
        return text
    }
}

/// Go's strconv.Quote for the characters label values hold in practice.
func quoted(_ value: String) -> String {
    var out = "\""
    for scalar in value.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\t": out += "\\t"
        case "\r": out += "\\r"
        case "\u{07}": out += "\\a"
        case "\u{08}": out += "\\b"
        case "\u{0C}": out += "\\f"
        case "\u{0B}": out += "\\v"
        case _ where scalar.value < 0x20 || scalar.value == 0x7F:
            let hex = String(scalar.value, radix: 16)
            out += "\\x" + (hex.count < 2 ? "0" : "") + hex
        default: out.unicodeScalars.append(scalar)
        }
    }
    return out + "\""
}

/// One `name op "value"` of a selector. Regexes are fully anchored, as Prometheus's.
public struct LabelMatcher: Sendable, Hashable, CustomStringConvertible {
    public enum Op: String, Sendable, Hashable {
        case equal = "="
        case notEqual = "!="
        case regexMatch = "=~"
        case regexNoMatch = "!~"
    }

    public let name: String
    public let op: Op
    public let value: String
    let regex: AnchoredRegex?

    public init(name: String, op: Op, value: String) throws(PromQLError) {
        self.name = name
        self.op = op
        self.value = value
        switch op {
        case .equal, .notEqual: regex = nil
        case .regexMatch, .regexNoMatch: regex = try AnchoredRegex.compiled(value)
        }
    }

    public func matches(_ labelValue: String) throws(PromQLError) -> Bool {
        switch op {
        case .equal: labelValue == value
        case .notEqual: labelValue != value
        case .regexMatch: try regex!.matches(labelValue)
        case .regexNoMatch: try !regex!.matches(labelValue)
        }
    }

    public func matches(_ labels: Labels) throws(PromQLError) -> Bool { try matches(labels[name]) }

    /// `matches`, when it is answered without running a regular expression (an
    /// equality, a literal pattern, a value without the pattern's literal prefix): a
    /// caller remembering regular expressions' answers need not remember these.
    public func quickMatch(_ labelValue: String) -> Bool? {
        switch op {
        case .equal: labelValue == value
        case .notEqual: labelValue != value
        case .regexMatch: regex!.quickMatch(labelValue)
        case .regexNoMatch: regex!.quickMatch(labelValue).map { !$0 }
        }
    }

    /// True when the matcher accepts a series that lacks the label.
    public var matchesEmpty: Bool { (try? matches("")) ?? false }

    public static func == (lhs: LabelMatcher, rhs: LabelMatcher) -> Bool {
        lhs.name == rhs.name && lhs.op == rhs.op && lhs.value == rhs.value
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(name)
        hasher.combine(op)
        hasher.combine(value)
    }

    public var description: String { "\(name)\(op.rawValue)\(quoted(value))" }
}

/// A regular expression in Go's syntax matched against a whole string, as Prometheus
/// anchors label matchers (`^(?:re)$`). Checked and rewritten by `GoRegex`, run by ICU.
final class AnchoredRegex: Sendable {
    private let expression: ICURegex
    /// The whole pattern when it has no metacharacter: matched by comparing bytes.
    private let literal: String?
    /// The text every match starts with (`literalPrefix`): a value without it is
    /// refused by comparing bytes, without running the expression.
    let prefix: String?
    private let groupNumbers: [String: [Int]]

    /// Go's metacharacters; everything else in a pattern stands for itself.
    private static let metacharacters = Set(#"\.+*?()|[]{}^$"#.unicodeScalars)

    init(_ pattern: String) throws(PromQLError) {
        literal = pattern.unicodeScalars.contains(where: Self.metacharacters.contains) ? nil : pattern
        prefix = literal == nil ? Self.literalPrefix(of: pattern) : nil
        let translated: GoRegex
        do { translated = try GoRegex(pattern) } catch {
            throw PromQLError.badData("invalid regular expression \(quoted(pattern)) in a label matcher: \(error)")
        }
        groupNumbers = translated.groupNumbers
        do {
            // \A and \z: ICU's `$` would also match before a final newline, Go's does not.
            expression = try ICURegex(pattern: #"\A(?:"# + translated.icuPattern + #")\z"#)
        } catch {
            // Only a Go pattern ICU cannot express gets here (a Unicode script newer than ICU's tables).
            throw PromQLError.badData("regular expression \(quoted(pattern)) in a label matcher is valid but cannot be run here: \(error)")
        }
    }

    /// Compiled expressions by pattern, shared by every query of the process:
    /// dashboards send the same matchers every refresh, each is compiled once. Past
    /// `cachedMax` patterns, new ones are compiled per query.
    private static let cache = Mutex<[String: AnchoredRegex]>([:])
    static let cachedMax = 10_000

    /// Go's refusal of `pattern` as Prometheus meets it, compiled anchored as
    /// `^(?:pattern)$`; nil when the anchored form parses (a pattern such as `)(?:`,
    /// which Prometheus then takes).
    static func anchoredRefusal(_ pattern: String) -> GoRegexError? {
        do {
            _ = try GoRegex("^(?:" + pattern + ")$")
            return nil
        } catch {
            return error
        }
    }

    static func compiled(_ pattern: String) throws(PromQLError) -> AnchoredRegex {
        if let cached = cache.withLock({ $0[pattern] }) { return cached }
        let regex = try AnchoredRegex(pattern)
        cache.withLock { if $0.count < cachedMax { $0[pattern] = regex } }
        return regex
    }

    func matches(_ text: String) throws(PromQLError) -> Bool {
        if let answer = quickMatch(text) { return answer }
        do { return try expression.matches(text) } catch { throw Self.gaveUp(error) }
    }

    /// The answer when the text decides it without running the expression: a literal
    /// pattern, or a text without the pattern's literal prefix; nil otherwise.
    func quickMatch(_ text: String) -> Bool? {
        // Bytes, not `==`: Swift's string equality is canonical (`é` equals `e` and a
        // combining accent), Go's regular expressions match code points.
        if let literal { return text.utf8.elementsEqual(literal.utf8) }
        if let prefix, !text.utf8.starts(with: prefix.utf8) { return false }
        return nil
    }

    /// The literal run a pattern begins with, which every match of the anchored pattern
    /// starts with (`i-4.` → `i-4`, `api-.*` → `api-`); nil when there is none or the
    /// pattern has a `|` (an alternative need not start with it). A quantifier after the
    /// run applies to its last character, which is left out (`ab*` → `a`). Prometheus's
    /// matcher checks such a prefix before running the expression too: a selector like
    /// `instance=~"i-4."` tries its pattern on every value of the label.
    static func literalPrefix(of pattern: String) -> String? {
        let scalars = Array(pattern.unicodeScalars)
        guard !scalars.contains("|") else { return nil }
        var end = 0
        while end < scalars.count, !metacharacters.contains(scalars[end]) { end += 1 }
        if end < scalars.count, ["*", "+", "?", "{"].contains(scalars[end]) { end = max(0, end - 1) }
        guard end > 0 else { return nil }
        var prefix = String.UnicodeScalarView()
        prefix.append(contentsOf: scalars[..<end])
        return String(prefix)
    }

    static func gaveUp(_ error: ICURegexGaveUp) -> PromQLError {
        .execution("\(error) (Prometheus's RE2 does not backtrack; simplify the pattern)")
    }

    /// Go's `regexp.ExpandString` of `template` for a match of the whole `text`;
    /// nil when the text does not match.
    func replace(_ text: String, template: String) throws(PromQLError) -> String? {
        let found: [Range<String.Index>?]?
        do { found = try expression.groups(text) } catch { throw Self.gaveUp(error) }
        guard let ranges = found else { return nil }
        func group(_ number: Int) -> String {
            guard number < ranges.count, let r = ranges[number] else { return "" }
            return String(text[r])
        }
        // Go's Expand: the first group of that name that took part in the match.
        func named(_ name: String) -> String {
            guard let number = groupNumbers[name]?.first(where: { $0 < ranges.count && ranges[$0] != nil }) else { return "" }
            return group(number)
        }
        var out = ""
        var chars = Substring(template)
        while let dollar = chars.firstIndex(of: "$") {
            out += chars[..<dollar]
            chars = chars[chars.index(after: dollar)...]
            if chars.first == "$" {
                out += "$"
                chars = chars.dropFirst()
                continue
            }
            var name = ""
            var rest = chars
            let isNameChar: (Character) -> Bool = { $0 == "_" || ($0.isASCII && ($0.isLetter || $0.isNumber)) }
            if chars.first == "{" {
                let inner = chars.dropFirst()
                if let close = inner.firstIndex(of: "}"), !inner[..<close].isEmpty, inner[..<close].allSatisfy(isNameChar) {
                    name = String(inner[..<close])
                    rest = inner[inner.index(after: close)...]
                }
            } else {
                name = String(chars.prefix(while: isNameChar))
                rest = chars.dropFirst(name.count)
            }
            guard !name.isEmpty else {
                out += "$"
                continue
            }
            chars = rest
            if name.allSatisfy({ $0.isASCII && $0.isNumber }) {
                if let number = Int(name) { out += group(number) }
            } else {
                out += named(name)
            }
        }
        return out + chars
    }
}
