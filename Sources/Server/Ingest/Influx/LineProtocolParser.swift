import EventStore

/// Parses InfluxDB line protocol:
/// `measurement[,tag=value...] field=value[,field=value...] [timestamp]`.
///
/// Escapes as InfluxDB reads them: in the measurement `\,` and `\ `; in tag keys, tag
/// values and field keys `\,`, `\=` and `\ `; in string field values `\"` and `\\`; a
/// backslash before any other character is itself. Field values: floats (`1`, `-1.5e3`),
/// integers (`1i`), unsigned integers (`1u`), booleans (`t`, `T`, `true`, `True`,
/// `TRUE`, and the same for false) and double-quoted strings. The timestamp is an
/// integer in the request's precision. Empty lines and `#` comments are skipped.
/// Any malformed line refuses the input, naming the line.
struct LineProtocolParser {
    enum FieldValue: Equatable, Sendable {
        case float(Double)
        case integer(Int64)
        case unsigned(UInt64)
        case bool(Bool)
        case string(String)
    }

    struct Point: Sendable {
        var measurement: String
        var tags: [(String, String)]
        var fields: [(String, FieldValue)]
        /// In the request's precision units; nil when the line has none.
        var timestamp: Int64?
        /// 1-based.
        var line: Int
    }

    func parse(_ bytes: UnsafeRawBufferPointer) throws(LineProtocolError) -> [Point] {
        var points: [Point] = []
        var lineNumber = 0
        var start = 0
        while start < bytes.count {
            lineNumber += 1
            var end = start
            while end < bytes.count, bytes[end] != UInt8(ascii: "\n") { end += 1 }
            var lineEnd = end
            if lineEnd > start, bytes[lineEnd - 1] == UInt8(ascii: "\r") { lineEnd -= 1 }
            var cursor = Cursor(bytes: bytes, position: start, end: lineEnd, line: lineNumber)
            if let point = try cursor.point() { points.append(point) }
            start = end + 1
        }
        return points
    }

    private struct Cursor {
        let bytes: UnsafeRawBufferPointer
        var position: Int
        let end: Int
        let line: Int

        var peek: UInt8? { position < end ? bytes[position] : nil }

        mutating func point() throws(LineProtocolError) -> Point? {
            while let byte = peek, byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") { position += 1 }
            guard let first = peek, first != UInt8(ascii: "#") else { return nil }
            let measurement = try token(stops: [UInt8(ascii: ","), UInt8(ascii: " ")], escapable: [UInt8(ascii: ","), UInt8(ascii: " ")], what: "measurement")
            guard !measurement.isEmpty else { throw error("the measurement name is empty") }
            var tags: [(String, String)] = []
            while peek == UInt8(ascii: ",") {
                position += 1
                let key = try token(stops: Self.keyStops, escapable: Self.keyStops, what: "tag key")
                guard !key.isEmpty else { throw error("a tag key is empty") }
                guard peek == UInt8(ascii: "=") else { throw error("tag '\(key)' has no '=' and value") }
                position += 1
                let value = try token(stops: [UInt8(ascii: ","), UInt8(ascii: " ")], escapable: Self.keyStops, what: "tag value")
                guard !value.isEmpty else { throw error("tag '\(key)' has an empty value") }
                tags.append((key, value))
            }
            guard peek == UInt8(ascii: " ") else { throw error("expected a space and fields after the measurement and tags") }
            skipSpaces()
            var fields: [(String, FieldValue)] = []
            repeat {
                if !fields.isEmpty { position += 1 }
                let key = try token(stops: Self.keyStops, escapable: Self.keyStops, what: "field key")
                guard !key.isEmpty else { throw error("a field key is empty") }
                guard peek == UInt8(ascii: "=") else { throw error("field '\(key)' has no '=' and value") }
                position += 1
                fields.append((key, try fieldValue(key)))
            } while peek == UInt8(ascii: ",")
            var timestamp: Int64?
            if peek == UInt8(ascii: " ") {
                skipSpaces()
                if peek != nil {
                    let start = position
                    while let byte = peek, byte != UInt8(ascii: " ") { position += 1 }
                    let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
                    guard let value = Int64(text) else { throw error("timestamp '\(text)' is not an integer") }
                    timestamp = value
                    skipSpaces()
                }
            }
            guard peek == nil else { throw error("unexpected text after the timestamp") }
            return Point(measurement: measurement, tags: tags, fields: fields, timestamp: timestamp, line: line)
        }

        private static let keyStops: [UInt8] = [UInt8(ascii: ","), UInt8(ascii: "="), UInt8(ascii: " ")]

        private mutating func skipSpaces() {
            while peek == UInt8(ascii: " ") { position += 1 }
        }

        /// Bytes up to an unescaped stop byte; a backslash escapes the `escapable` bytes
        /// and is kept before any other.
        private mutating func token(stops: [UInt8], escapable: [UInt8], what: String) throws(LineProtocolError) -> String {
            var out: [UInt8] = []
            while let byte = peek, !stops.contains(byte) {
                if byte == UInt8(ascii: "\\"), position + 1 < end, escapable.contains(bytes[position + 1]) {
                    out.append(bytes[position + 1])
                    position += 2
                    continue
                }
                out.append(byte)
                position += 1
            }
            guard let text = String(validating: out, as: UTF8.self) else { throw error("the \(what) is not valid UTF-8") }
            return text
        }

        private mutating func fieldValue(_ key: String) throws(LineProtocolError) -> FieldValue {
            if peek == UInt8(ascii: "\"") {
                position += 1
                var out: [UInt8] = []
                while let byte = peek {
                    position += 1
                    if byte == UInt8(ascii: "\"") {
                        guard let text = String(validating: out, as: UTF8.self) else { throw error("string field '\(key)' is not valid UTF-8") }
                        return .string(text)
                    }
                    if byte == UInt8(ascii: "\\"), let next = peek, next == UInt8(ascii: "\"") || next == UInt8(ascii: "\\") {
                        out.append(next)
                        position += 1
                        continue
                    }
                    out.append(byte)
                }
                throw error("string field '\(key)' is not closed with '\"'")
            }
            let start = position
            while let byte = peek, byte != UInt8(ascii: ","), byte != UInt8(ascii: " ") { position += 1 }
            let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
            guard !text.isEmpty else { throw error("field '\(key)' has no value") }
            switch text {
            case "t", "T", "true", "True", "TRUE": return .bool(true)
            case "f", "F", "false", "False", "FALSE": return .bool(false)
            default: break
            }
            if text.hasSuffix("i") {
                guard let value = Int64(text.dropLast()) else { throw error("field '\(key)': '\(text)' is not a 64-bit integer") }
                return .integer(value)
            }
            if text.hasSuffix("u") {
                guard let value = UInt64(text.dropLast()) else { throw error("field '\(key)': '\(text)' is not an unsigned 64-bit integer") }
                return .unsigned(value)
            }
            guard text.utf8.allSatisfy({ Self.floatBytes.contains($0) }), let value = Double(text), value.isFinite else {
                throw error("field '\(key)': '\(text)' is not a number, boolean or string")
            }
            return .float(value)
        }

        private static let floatBytes = Set("0123456789+-.eE".utf8)

        func error(_ reason: String) -> LineProtocolError { LineProtocolError(line: line, reason: reason) }
    }
}

/// A malformed line of line protocol; `line` is 1-based.
struct LineProtocolError: Error, Sendable, CustomStringConvertible {
    let line: Int
    let reason: String

    var description: String { "line \(line): \(reason)" }
}
