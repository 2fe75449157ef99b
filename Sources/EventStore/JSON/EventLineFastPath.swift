import Foundation

/// The two event lines that make up nearly all bulk input — `metric` and `op` — read
/// straight from the bytes into an `Event`, without a `JSONValue` tree, with the
/// series of a metric line looked up by its bytes instead of built again.
///
/// A line is taken here only when it is plain: the keys of its type and no others,
/// each once, strings without escapes or non-ASCII bytes, no `null`, integer `ts`.
/// Anything else, valid or not, returns nil and the line goes through the tree
/// (`JSONParser` and `EventFieldReader`), which gives the same event or the same
/// error it always did: this path decides nothing the tree would decide otherwise
/// (checked by `EventLineFastPathTests` and by the `json` fuzz target, which decodes
/// every input both ways).
struct EventLineFastPath {
    /// Series of metric lines by the bytes of their name and labels object.
    private var series: [Int: (name: [UInt8], labels: [UInt8], key: SeriesKey)] = [:]
    /// Operation names and protocols by their bytes, so repeats share one string.
    private var strings: [Int: (bytes: [UInt8], text: String)] = [:]
    /// Entries kept in each cache before it starts again.
    static let cacheEntriesMax = 65_536

    private enum Key {
        case type, ts, name, labels, value, kind, `protocol`, durationMs, ok
    }

    private struct Span {
        var start = 0
        var end = 0
        var present = false
    }

    /// The value of each known key, stored inline (no allocation per line).
    private struct Fields {
        var type = Span(), ts = Span(), name = Span(), labels = Span(), value = Span()
        var kind = Span(), `protocol` = Span(), durationMs = Span(), ok = Span()

        subscript(key: Key) -> Span {
            get {
                switch key {
                case .type: type
                case .ts: ts
                case .name: name
                case .labels: labels
                case .value: value
                case .kind: kind
                case .protocol: `protocol`
                case .durationMs: durationMs
                case .ok: ok
                }
            }
            set {
                switch key {
                case .type: type = newValue
                case .ts: ts = newValue
                case .name: name = newValue
                case .labels: labels = newValue
                case .value: value = newValue
                case .kind: kind = newValue
                case .protocol: `protocol` = newValue
                case .durationMs: durationMs = newValue
                case .ok: ok = newValue
                }
            }
        }
    }

    /// The event of `bytes[start..<end]` (one trimmed line), or nil to take the tree.
    mutating func event(_ bytes: UnsafeRawBufferPointer, start: Int, end: Int, defaultTimeNs: Int64) -> Event? {
        var fields = Fields()
        var scanner = Scanner(bytes: bytes, position: start, end: end)
        guard scanner.take(UInt8(ascii: "{")) else { return nil }
        scanner.skipWhitespace()
        if scanner.peek == UInt8(ascii: "}") { return nil }
        while true {
            guard let keyStart = scanner.plainString() else { return nil }
            guard let key = Self.key(bytes, keyStart, scanner.position - 1) else { return nil }
            guard !fields[key].present else { return nil }
            scanner.skipWhitespace()
            guard scanner.take(UInt8(ascii: ":")) else { return nil }
            scanner.skipWhitespace()
            let valueStart = scanner.position
            guard scanner.skipValue(objectAllowed: key == .labels) else { return nil }
            fields[key] = Span(start: valueStart, end: scanner.position, present: true)
            scanner.skipWhitespace()
            if scanner.take(UInt8(ascii: ",")) {
                scanner.skipWhitespace()
                continue
            }
            guard scanner.take(UInt8(ascii: "}")) else { return nil }
            scanner.skipWhitespace()
            guard scanner.position == end else { return nil }
            break
        }
        func span(_ key: Key) -> Span? {
            let found = fields[key]
            return found.present ? found : nil
        }
        guard let type = span(.type), let typeName = Self.stringContent(bytes, type) else { return nil }
        var timeNs = defaultTimeNs
        if let ts = span(.ts) {
            guard let integer = Self.integer(bytes, ts) else { return nil }
            timeNs = integer
        }
        if Self.equals(bytes, typeName, "metric") {
            guard span(.protocol) == nil, span(.durationMs) == nil, span(.ok) == nil,
                  let nameSpan = span(.name), let name = Self.stringContent(bytes, nameSpan), name.end > name.start,
                  name.end - name.start <= EventLimits.nameBytesMax,
                  let valueSpan = span(.value), let value = Self.double(bytes, valueSpan), value.isFinite
            else { return nil }
            var kind = MetricKind.gauge
            if let kindSpan = span(.kind) {
                guard let text = Self.stringContent(bytes, kindSpan) else { return nil }
                if Self.equals(bytes, text, "counter") {
                    kind = .counter
                } else if !Self.equals(bytes, text, "gauge") {
                    return nil
                }
            }
            guard let key = seriesKey(bytes, name: name, labels: span(.labels)) else { return nil }
            return Event(timeNs: timeNs, body: .metric(MetricSample(series: key, value: value, kind: kind)))
        }
        if Self.equals(bytes, typeName, "op") {
            guard span(.labels) == nil, span(.value) == nil, span(.kind) == nil,
                  let nameSpan = span(.name), let name = Self.stringContent(bytes, nameSpan), name.end > name.start,
                  name.end - name.start <= EventLimits.nameBytesMax,
                  let durationSpan = span(.durationMs), let duration = Self.double(bytes, durationSpan),
                  duration.isFinite, duration >= 0,
                  let okSpan = span(.ok), let ok = Self.bool(bytes, okSpan)
            else { return nil }
            var protocolName: String?
            if let protocolSpan = span(.protocol) {
                guard let text = Self.stringContent(bytes, protocolSpan), text.end - text.start <= EventLimits.nameBytesMax else { return nil }
                protocolName = interned(bytes, text)
            }
            return Event(timeNs: timeNs, body: .op(Operation(name: interned(bytes, name), protocol: protocolName, durationMs: duration, ok: ok)))
        }
        return nil
    }

    // MARK: Caches

    /// The series of a metric line: found by the bytes of its name and labels object,
    /// or built from them (with the tree's checks) and kept. Nil when the labels are
    /// not acceptable or repeat a key (the tree says why, or keeps the last).
    private mutating func seriesKey(_ bytes: UnsafeRawBufferPointer, name: Span, labels: Span?) -> SeriesKey? {
        let nameBytes = UnsafeRawBufferPointer(rebasing: bytes[name.start..<name.end])
        let labelBytes = labels.map { UnsafeRawBufferPointer(rebasing: bytes[$0.start..<$0.end]) } ?? UnsafeRawBufferPointer(start: nil, count: 0)
        var hasher = Hasher()
        hasher.combine(bytes: nameBytes)
        hasher.combine(0xFF as UInt8)
        hasher.combine(bytes: labelBytes)
        let hash = hasher.finalize()
        if let cached = series[hash], Self.same(cached.name, nameBytes), Self.same(cached.labels, labelBytes) {
            return cached.key
        }
        let nameText = String(decoding: nameBytes, as: UTF8.self)
        var parsedLabels = Labels.empty
        if let labels {
            guard let plain = Self.plainLabels(bytes, labels) else { return nil }
            parsedLabels = plain
        }
        let key = SeriesKey(name: nameText, labels: parsedLabels)
        if series.count >= Self.cacheEntriesMax { series.removeAll(keepingCapacity: true) }
        series[hash] = (Array(nameBytes), Array(labelBytes), key)
        return key
    }

    /// The labels of an object the scanner found plain (strings without escapes or
    /// non-ASCII bytes), checked as `EventFieldReader.labels()` checks them; nil when
    /// they break a limit or repeat a key (the tree then says why, or keeps the last).
    private static func plainLabels(_ bytes: UnsafeRawBufferPointer, _ span: Span) -> Labels? {
        var pairs: [Labels.Pair] = []
        var i = span.start + 1
        func skipWhitespace() { while bytes[i] == 0x20 || bytes[i] == 0x09 { i += 1 } }
        func string() -> String {
            // The scanner checked the shape: a quote, plain bytes, a quote.
            let start = i + 1
            var end = start
            while bytes[end] != UInt8(ascii: "\"") { end += 1 }
            i = end + 1
            return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
        }
        skipWhitespace()
        while bytes[i] == UInt8(ascii: "\"") {
            let key = string()
            skipWhitespace()
            i += 1  // ':'
            skipWhitespace()
            let value = string()
            guard !key.isEmpty, key.utf8.count <= EventLimits.nameBytesMax, value.utf8.count <= EventLimits.nameBytesMax else { return nil }
            pairs.append(Labels.Pair(key: key, value: value))
            guard pairs.count <= EventLimits.labelsCountMax else { return nil }
            skipWhitespace()
            if bytes[i] == UInt8(ascii: ",") {
                i += 1
                skipWhitespace()
            }
        }
        pairs.sort { $0.key < $1.key }
        for (a, b) in zip(pairs, pairs.dropFirst()) where a.key == b.key { return nil }
        return Labels(sortedPairs: pairs)
    }

    private static func same(_ stored: [UInt8], _ bytes: UnsafeRawBufferPointer) -> Bool {
        guard stored.count == bytes.count else { return false }
        guard let base = bytes.baseAddress, !stored.isEmpty else { return true }
        return stored.withUnsafeBytes { memcmp($0.baseAddress!, base, stored.count) == 0 }
    }

    private mutating func interned(_ bytes: UnsafeRawBufferPointer, _ span: Span) -> String {
        let slice = UnsafeRawBufferPointer(rebasing: bytes[span.start..<span.end])
        // Short strings are stored inline: nothing to share.
        guard slice.count > 15 else { return String(decoding: slice, as: UTF8.self) }
        var hasher = Hasher()
        hasher.combine(bytes: slice)
        let hash = hasher.finalize()
        if let cached = strings[hash], Self.same(cached.bytes, slice) { return cached.text }
        let text = String(decoding: slice, as: UTF8.self)
        if strings.count >= Self.cacheEntriesMax { strings.removeAll(keepingCapacity: true) }
        strings[hash] = (Array(slice), text)
        return text
    }

    // MARK: Values

    private static func key(_ bytes: UnsafeRawBufferPointer, _ start: Int, _ end: Int) -> Key? {
        let length = end - start
        switch (length, bytes[start]) {
        case (4, UInt8(ascii: "t")) where equals(bytes, Span(start: start, end: end), "type"): return .type
        case (2, UInt8(ascii: "t")) where equals(bytes, Span(start: start, end: end), "ts"): return .ts
        case (4, UInt8(ascii: "n")) where equals(bytes, Span(start: start, end: end), "name"): return .name
        case (6, UInt8(ascii: "l")) where equals(bytes, Span(start: start, end: end), "labels"): return .labels
        case (5, UInt8(ascii: "v")) where equals(bytes, Span(start: start, end: end), "value"): return .value
        case (4, UInt8(ascii: "k")) where equals(bytes, Span(start: start, end: end), "kind"): return .kind
        case (8, UInt8(ascii: "p")) where equals(bytes, Span(start: start, end: end), "protocol"): return .protocol
        case (10, UInt8(ascii: "d")) where equals(bytes, Span(start: start, end: end), "durationMs"): return .durationMs
        case (2, UInt8(ascii: "o")) where equals(bytes, Span(start: start, end: end), "ok"): return .ok
        default: return nil
        }
    }

    private static func equals(_ bytes: UnsafeRawBufferPointer, _ span: Span, _ text: StaticString) -> Bool {
        guard span.end - span.start == text.utf8CodeUnitCount else { return false }
        for i in 0..<text.utf8CodeUnitCount where bytes[span.start + i] != text.utf8Start[i] { return false }
        return true
    }

    /// The content of a plain string value (the scanner checked it), quotes excluded.
    private static func stringContent(_ bytes: UnsafeRawBufferPointer, _ span: Span) -> Span? {
        guard bytes[span.start] == UInt8(ascii: "\"") else { return nil }
        return Span(start: span.start + 1, end: span.end - 1, present: true)
    }

    private static func bool(_ bytes: UnsafeRawBufferPointer, _ span: Span) -> Bool? {
        if equals(bytes, span, "true") { return true }
        if equals(bytes, span, "false") { return false }
        return nil
    }

    /// An integer literal that fits Int64 (no fraction or exponent), as the tree reads `ts`.
    private static func integer(_ bytes: UnsafeRawBufferPointer, _ span: Span) -> Int64? {
        guard let number = Number(bytes, span), number.isInteger, let integer = number.integer, span.end - span.start <= 19 else { return nil }
        return integer
    }

    /// A number as the tree reads it: an integer literal of at most 19 characters that
    /// fits Int64 converted from Int64, anything else correctly rounded (Clinger's
    /// exact case here; the rest, rare, takes the tree and its `strtod`).
    private static func double(_ bytes: UnsafeRawBufferPointer, _ span: Span) -> Double? {
        guard let number = Number(bytes, span) else { return nil }
        if number.isInteger {
            guard let integer = number.integer, span.end - span.start <= 19 else { return nil }
            return Double(integer)
        }
        guard number.significandDigits <= 15, abs(number.exponent) <= 22 else { return nil }
        let magnitude = number.exponent < 0
            ? Double(number.significand) / powersOfTen[-number.exponent]
            : Double(number.significand) * powersOfTen[number.exponent]
        return number.negative ? -magnitude : magnitude
    }

    private static let powersOfTen: [Double] = (0...22).map { exponent in
        var value = 1.0
        for _ in 0..<exponent { value *= 10 }
        return value
    }

    /// A JSON number literal taken apart; nil when the span is not exactly one.
    private struct Number {
        var negative = false
        var isInteger = true
        /// The literal's value when it is an integer that fits Int64 (the tree's overflow rule).
        var integer: Int64? = 0
        /// All digits as one integer (while at most 18 significant ones) and the power of ten it is scaled by.
        var significand: UInt64 = 0
        var significandDigits = 0
        var exponent = 0

        init?(_ bytes: UnsafeRawBufferPointer, _ span: Span) {
            var i = span.start
            let end = span.end
            func digit(_ at: Int) -> Bool { at < end && bytes[at] >= 0x30 && bytes[at] <= 0x39 }
            if i < end, bytes[i] == UInt8(ascii: "-") {
                negative = true
                i += 1
            }
            guard digit(i) else { return nil }
            if bytes[i] == UInt8(ascii: "0") {
                i += 1
            } else {
                while digit(i) {
                    let d = Int64(bytes[i] - 0x30)
                    if let current = integer {
                        let (times10, o1) = current.multipliedReportingOverflow(by: 10)
                        let (next, o2) = negative ? times10.subtractingReportingOverflow(d) : times10.addingReportingOverflow(d)
                        integer = (o1 || o2) ? nil : next
                    }
                    append(bytes[i])
                    i += 1
                }
            }
            if i < end, bytes[i] == UInt8(ascii: ".") {
                isInteger = false
                i += 1
                guard digit(i) else { return nil }
                while digit(i) {
                    append(bytes[i])
                    exponent -= 1
                    i += 1
                }
            }
            if i < end, bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E") {
                isInteger = false
                i += 1
                var exponentNegative = false
                if i < end, bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") {
                    exponentNegative = bytes[i] == UInt8(ascii: "-")
                    i += 1
                }
                guard digit(i) else { return nil }
                var written = 0
                while digit(i) {
                    written = min(written * 10 + Int(bytes[i] - 0x30), 100_000)
                    i += 1
                }
                exponent += exponentNegative ? -written : written
            }
            guard i == end else { return nil }
        }

        /// Adds one digit to the significand; leading zeros do not count as significant.
        private mutating func append(_ byte: UInt8) {
            guard significandDigits > 0 || byte != 0x30 else { return }
            significandDigits += 1
            if significandDigits <= 18 { significand = significand * 10 + UInt64(byte - 0x30) }
        }
    }
}

/// Moves over one line's bytes, accepting only what the fast path takes.
private struct Scanner {
    let bytes: UnsafeRawBufferPointer
    var position: Int
    let end: Int

    var peek: UInt8? { position < end ? bytes[position] : nil }

    mutating func take(_ byte: UInt8) -> Bool {
        guard position < end, bytes[position] == byte else { return false }
        position += 1
        return true
    }

    mutating func skipWhitespace() {
        while position < end, bytes[position] == 0x20 || bytes[position] == 0x09 { position += 1 }
    }

    /// A string of printable ASCII without escapes; returns where its content starts
    /// (the position is then after the closing quote).
    mutating func plainString() -> Int? {
        guard take(UInt8(ascii: "\"")) else { return nil }
        let start = position
        while position < end {
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") {
                position += 1
                return start
            }
            guard byte >= 0x20, byte < 0x7F, byte != UInt8(ascii: "\\") else { return nil }
            position += 1
        }
        return nil
    }

    /// A plain string, a number, `true` or `false`; with `objectAllowed`, an object of
    /// plain strings. `null`, arrays and anything else: false.
    mutating func skipValue(objectAllowed: Bool) -> Bool {
        guard let first = peek else { return false }
        switch first {
        case UInt8(ascii: "\""):
            return plainString() != nil
        case UInt8(ascii: "t"), UInt8(ascii: "f"):
            let literal: StaticString = first == UInt8(ascii: "t") ? "true" : "false"
            guard end - position >= literal.utf8CodeUnitCount else { return false }
            for i in 0..<literal.utf8CodeUnitCount where bytes[position + i] != literal.utf8Start[i] { return false }
            position += literal.utf8CodeUnitCount
            return true
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            while position < end, Self.isNumberByte(bytes[position]) { position += 1 }
            return true
        case UInt8(ascii: "{") where objectAllowed:
            position += 1
            skipWhitespace()
            if take(UInt8(ascii: "}")) { return true }
            while true {
                guard plainString() != nil else { return false }
                skipWhitespace()
                guard take(UInt8(ascii: ":")) else { return false }
                skipWhitespace()
                guard plainString() != nil else { return false }
                skipWhitespace()
                if take(UInt8(ascii: ",")) {
                    skipWhitespace()
                    continue
                }
                return take(UInt8(ascii: "}"))
            }
        default:
            return false
        }
    }

    private static func isNumberByte(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "+") || byte == UInt8(ascii: ".")
            || byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E")
    }
}
