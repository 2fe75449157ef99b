import EventStore

/// Parses the Prometheus text exposition format (0.0.4) and OpenMetrics 1.0 text:
/// `# TYPE` lines decide which series are counters (`PrometheusMetricType`), each
/// sample line is one sample with its labels, value and optional timestamp
/// (milliseconds in 0.0.4, seconds in OpenMetrics). `# HELP`, `# UNIT`, other comments
/// and OpenMetrics exemplars are read past. NaN and ±Inf values are kept, as Prometheus
/// keeps them (NaN as Prometheus's NaN). Any malformed line refuses the input,
/// naming the line.
struct PrometheusTextParser {
    enum Dialect: Sendable {
        /// `text/plain; version=0.0.4`: integer millisecond timestamps.
        case text
        /// `application/openmetrics-text`: seconds with a fraction, `# EOF` at the end.
        case openMetrics

        /// The dialect a `Content-Type` names; 0.0.4 when it names neither.
        init(contentType: String?) {
            self = contentType?.lowercased().contains("application/openmetrics-text") == true ? .openMetrics : .text
        }
    }

    struct Sample: Sendable {
        var name: String
        var labels: [(String, String)]
        var value: Double
        var timeNs: Int64?
        var kind: MetricKind
        /// 1-based line of the exposition.
        var line: Int
    }

    struct Parsed: Sendable {
        var samples: [Sample] = []
    }

    let dialect: Dialect

    func parse(_ bytes: UnsafeRawBufferPointer) throws(PrometheusTextError) -> Parsed {
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw PrometheusTextError(line: nil, "the exposition is not valid UTF-8")
        }
        var parsed = Parsed()
        var types: [String: PrometheusMetricType] = [:]
        var sawEOF = false
        var lineNumber = 0
        for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            let line = rawLine.hasSuffix("\r") ? rawLine.dropLast() : rawLine
            if sawEOF {
                guard line.allSatisfy(\.isWhitespace) else { throw PrometheusTextError(line: lineNumber, "content after '# EOF'") }
                continue
            }
            var cursor = LineCursor(Array(line.utf8), line: lineNumber)
            cursor.skipSpaces()
            guard !cursor.isAtEnd else { continue }
            if cursor.peek == UInt8(ascii: "#") {
                let comment = try Self.comment(&cursor)
                switch comment {
                case .type(let family, let type): types[family] = type
                case .eof: sawEOF = true
                case .other: break
                }
                continue
            }
            let (name, labels, value, timeNs) = try sample(&cursor)
            let kind = PrometheusMetricType.kind(of: name) { types[$0] }
            // NaN and ±Inf are values, as Prometheus stores them (a summary's quantile
            // without observations is NaN).
            parsed.samples.append(Sample(name: name, labels: labels, value: MetricSample.canonical(value), timeNs: timeNs, kind: kind, line: lineNumber))
        }
        return parsed
    }

    private enum Comment {
        case type(String, PrometheusMetricType)
        case eof
        case other
    }

    private static func comment(_ cursor: inout LineCursor) throws(PrometheusTextError) -> Comment {
        cursor.advance()
        cursor.skipSpaces()
        let keyword = cursor.word()
        switch keyword {
        case "TYPE":
            cursor.skipSpaces()
            let family = cursor.word()
            guard !family.isEmpty else { throw cursor.error("'# TYPE' without a metric name") }
            cursor.skipSpaces()
            let word = cursor.word()
            guard let type = PrometheusMetricType(typeLine: word) else {
                throw cursor.error("'# TYPE \(family)' names an unknown type '\(word)'")
            }
            return .type(family, type)
        case "EOF":
            return .eof
        default:
            return .other
        }
    }

    private func sample(_ cursor: inout LineCursor) throws(PrometheusTextError) -> (String, [(String, String)], Double, Int64?) {
        let name = cursor.metricName()
        guard !name.isEmpty else { throw cursor.error("expected a metric name, '# ' comment or empty line") }
        var labels: [(String, String)] = []
        if cursor.peek == UInt8(ascii: "{") {
            cursor.advance()
            labels = try Self.labels(&cursor)
        }
        guard cursor.skipSpaces() > 0 else { throw cursor.error("expected a space and a value after '\(name)'") }
        let valueText = cursor.word()
        guard let value = Self.number(valueText) else { throw cursor.error("'\(valueText)' is not a sample value") }
        cursor.skipSpaces()
        var timeNs: Int64?
        if !cursor.isAtEnd, cursor.peek != UInt8(ascii: "#") {
            let stamp = cursor.word()
            timeNs = try timestamp(stamp, cursor: cursor)
            cursor.skipSpaces()
        }
        // An OpenMetrics exemplar (` # {trace_id="…"} 1.0`) is read past.
        guard cursor.isAtEnd || cursor.peek == UInt8(ascii: "#") else {
            throw cursor.error("unexpected text after the sample of '\(name)'")
        }
        return (name, labels, value, timeNs)
    }

    private static func labels(_ cursor: inout LineCursor) throws(PrometheusTextError) -> [(String, String)] {
        var labels: [(String, String)] = []
        while true {
            cursor.skipSpaces()
            if cursor.peek == UInt8(ascii: "}") {
                cursor.advance()
                return labels
            }
            let key = cursor.labelName()
            guard !key.isEmpty else { throw cursor.error("expected a label name or '}'") }
            cursor.skipSpaces()
            guard cursor.peek == UInt8(ascii: "=") else { throw cursor.error("expected '=' after label name '\(key)'") }
            cursor.advance()
            cursor.skipSpaces()
            labels.append((key, try cursor.quoted(label: key)))
            cursor.skipSpaces()
            switch cursor.peek {
            case UInt8(ascii: ","): cursor.advance()
            case UInt8(ascii: "}"): continue
            default: throw cursor.error("expected ',' or '}' after the value of label '\(key)'")
            }
        }
    }

    /// Go's `ParseFloat` spellings the format allows: decimals, exponents, `NaN`, `+Inf`, `-Inf`.
    static func number(_ text: String) -> Double? {
        switch text.lowercased() {
        case "nan": return .nan
        case "+inf", "inf": return .infinity
        case "-inf": return -.infinity
        default:
            guard !text.isEmpty, text.utf8.allSatisfy({ Self.numberBytes.contains($0) }) else { return nil }
            return Double(text)
        }
    }

    private static let numberBytes = Set("0123456789+-.eE_".utf8)

    private func timestamp(_ text: String, cursor: LineCursor) throws(PrometheusTextError) -> Int64 {
        switch dialect {
        case .text:
            guard let milliseconds = Int64(text), let ns = ForeignSeries.timeNs(milliseconds, unitNs: 1_000_000) else {
                throw cursor.error("'\(text)' is not a timestamp in milliseconds")
            }
            return ns
        case .openMetrics:
            // Decimal seconds are converted exactly (a double has no nanoseconds left at today's times).
            if let exact = Self.decimalSecondsNs(text) { return exact }
            guard let seconds = Self.number(text), seconds.isFinite, abs(seconds) < 9.2e9 else {
                throw cursor.error("'\(text)' is not a timestamp in seconds")
            }
            return Int64((seconds * 1e9).rounded())
        }
    }
}

extension PrometheusTextParser {
    /// `[-]seconds[.fraction]` as nanoseconds, exactly; nil for other spellings or overflow.
    static func decimalSecondsNs(_ text: String) -> Int64? {
        let negative = text.hasPrefix("-")
        let unsigned = negative ? text.dropFirst() : Substring(text)
        let parts = unsigned.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard let whole = parts.first, !whole.isEmpty, whole.allSatisfy(\.isASCII), let seconds = Int64(whole) else { return nil }
        var fractionNs: Int64 = 0
        if parts.count == 2 {
            let fraction = parts[1]
            guard !fraction.isEmpty, fraction.count <= 9, fraction.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
            fractionNs = Int64(fraction + String(repeating: "0", count: 9 - fraction.count)) ?? 0
        }
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        guard !overflow else { return nil }
        let (total, overflowAdding) = scaled.addingReportingOverflow(fractionNs)
        guard !overflowAdding else { return nil }
        return negative ? -total : total
    }
}

/// A line of exposition being read byte by byte.
private struct LineCursor {
    let bytes: [UInt8]
    let line: Int
    var position = 0

    init(_ bytes: [UInt8], line: Int) {
        self.bytes = bytes
        self.line = line
    }

    var isAtEnd: Bool { position >= bytes.count }
    var peek: UInt8? { isAtEnd ? nil : bytes[position] }
    mutating func advance() { position += 1 }

    @discardableResult
    mutating func skipSpaces() -> Int {
        let start = position
        while let byte = peek, byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") { position += 1 }
        return position - start
    }

    /// Everything up to the next space or the end.
    mutating func word() -> String {
        let start = position
        while let byte = peek, byte != UInt8(ascii: " "), byte != UInt8(ascii: "\t") { position += 1 }
        return String(decoding: bytes[start..<position], as: UTF8.self)
    }

    /// `[a-zA-Z_:][a-zA-Z0-9_:]*`
    mutating func metricName() -> String { identifier(allowColon: true) }

    /// `[a-zA-Z_][a-zA-Z0-9_]*`
    mutating func labelName() -> String { identifier(allowColon: false) }

    private mutating func identifier(allowColon: Bool) -> String {
        let start = position
        while let byte = peek {
            let letter = (byte | 0x20) >= UInt8(ascii: "a") && (byte | 0x20) <= UInt8(ascii: "z")
            let digit = byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
            guard letter || byte == UInt8(ascii: "_") || (allowColon && byte == UInt8(ascii: ":")) || (digit && position > start) else { break }
            position += 1
        }
        return String(decoding: bytes[start..<position], as: UTF8.self)
    }

    /// A double-quoted label value with `\\`, `\"` and `\n` escapes.
    mutating func quoted(label: String) throws(PrometheusTextError) -> String {
        guard peek == UInt8(ascii: "\"") else { throw error("expected '\"' to open the value of label '\(label)'") }
        advance()
        var value: [UInt8] = []
        while let byte = peek {
            advance()
            switch byte {
            case UInt8(ascii: "\""):
                return String(decoding: value, as: UTF8.self)
            case UInt8(ascii: "\\"):
                switch peek {
                case UInt8(ascii: "\\"): value.append(UInt8(ascii: "\\"))
                case UInt8(ascii: "\""): value.append(UInt8(ascii: "\""))
                case UInt8(ascii: "n"): value.append(UInt8(ascii: "\n"))
                default: throw error("unknown escape in the value of label '\(label)' (only \\\\, \\\" and \\n)")
                }
                advance()
            default:
                value.append(byte)
            }
        }
        throw error("the value of label '\(label)' is not closed with '\"'")
    }

    func error(_ reason: String) -> PrometheusTextError { PrometheusTextError(line: line, reason) }
}

/// A malformed exposition; `line` is 1-based.
struct PrometheusTextError: Error, Sendable, CustomStringConvertible {
    let line: Int?
    let reason: String

    init(line: Int?, _ reason: String) {
        self.line = line
        self.reason = reason
    }

    var description: String { line.map { "line \($0): \(reason)" } ?? reason }
}
