import Foundation

/// An error of parsing or evaluating a query, with Prometheus's `errorType`.
public struct PromQLError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Prometheus's `errorType` names; new kinds may be added.
    public struct Kind: Sendable, Hashable, CustomStringConvertible {
        public let name: String
        public static let badData = Kind(name: "bad_data")
        public static let execution = Kind(name: "execution")
        public static let timeout = Kind(name: "timeout")
        public static let canceled = Kind(name: "canceled")
        public var description: String { name }
    }

    public let kind: Kind
    public let message: String

    public init(kind: Kind, message: String) {
        self.kind = kind
        self.message = message
    }

    public static func badData(_ message: String) -> PromQLError { PromQLError(kind: .badData, message: message) }
    public static func execution(_ message: String) -> PromQLError { PromQLError(kind: .execution, message: message) }
    public static func unsupported(_ what: String) -> PromQLError {
        .badData("\(what) is not supported by Tacho's PromQL")
    }
    public static var tooManySamples: PromQLError {
        .execution("query processing would load too many samples into memory in query execution")
    }
    public static var timedOut: PromQLError {
        PromQLError(kind: .timeout, message: "query timed out in expression evaluation")
    }

    public var description: String { message }
}

/// One sample of a series: milliseconds since the epoch and a value.
public struct Sample: Sendable, Equatable {
    public var timestampMs: Int64
    public var value: Double

    public init(timestampMs: Int64, value: Double) {
        self.timestampMs = timestampMs
        self.value = value
    }

    public static func == (lhs: Sample, rhs: Sample) -> Bool {
        lhs.timestampMs == rhs.timestampMs && (lhs.value == rhs.value || (lhs.value.isNaN && rhs.value.isNaN))
    }
}

/// A series with its samples in time order.
public struct Series: Sendable, Equatable {
    public var labels: Labels
    public var samples: [Sample]
    /// When the series went stale (Prometheus's stale markers), sorted, none at the
    /// time of a sample: an instant selector finds nothing when one lies between its
    /// newest sample and its time. Range windows never hold them.
    public var staleMarksMs: [Int64]

    public init(labels: Labels, samples: [Sample], staleMarksMs: [Int64] = []) {
        self.labels = labels
        self.samples = samples
        self.staleMarksMs = staleMarksMs
    }
}

/// One element of an instant vector.
public struct VectorElement: Sendable, Equatable {
    public var labels: Labels
    public var value: Double

    public init(labels: Labels, value: Double) {
        self.labels = labels
        self.value = value
    }

    public static func == (lhs: VectorElement, rhs: VectorElement) -> Bool {
        lhs.labels == rhs.labels && (lhs.value == rhs.value || (lhs.value.isNaN && rhs.value.isNaN))
    }
}

/// A query's answer, as the HTTP API's `resultType`s.
public enum QueryValue: Sendable, Equatable {
    case scalar(timestampMs: Int64, value: Double)
    case string(timestampMs: Int64, value: String)
    case vector(timestampMs: Int64, [VectorElement])
    case matrix([Series])

    public var resultType: String {
        switch self {
        case .scalar: "scalar"
        case .string: "string"
        case .vector: "vector"
        case .matrix: "matrix"
        }
    }
}

/// Numbers as Prometheus writes them: Go's `strconv.FormatFloat(v, 'f', -1, 64)`,
/// the shortest digits that round-trip, never an exponent; `NaN`, `+Inf`, `-Inf`.
public enum PromNumber {
    /// Go's `strconv.FormatFloat(v, 'f', -1, 64)`, as Prometheus writes sample values:
    /// the shortest digits that read back as `value`, never in exponent form.
    public static func format(_ value: Double) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(24)
        append(value, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends `format(value)`'s bytes. A range query's answer holds thousands of
    /// numbers: each is written where it goes, with no string of its own unless it has
    /// a fraction (Swift's shortest form, then read byte by byte).
    public static func append(_ value: Double, to out: inout [UInt8]) {
        if value.isNaN { return out.append(contentsOf: "NaN".utf8) }
        if value.isInfinite { return out.append(contentsOf: (value > 0 ? "+Inf" : "-Inf").utf8) }
        if value == 0 { return out.append(contentsOf: (value.sign == .minus ? "-0" : "0").utf8) }
        // Integers below 2^53 (counters, most gauges): their shortest digits are the
        // integer's own, every integer there being a double.
        let integral = value.rounded(.towardZero) == value
        if integral, Swift.abs(value) < 9_007_199_254_740_992 { return appendDecimal(Int64(value), to: &out) }
        var shortest = value.description
        shortest.withUTF8 { bytes in
            // Swift's shortest digits are Go's; with a fraction the forms differ only
            // where Swift writes an exponent (below 1e-4). Integers from 2^53 up are
            // written "9007199254740992.0" or with an exponent: spelled out below.
            if !integral, !bytes.contains(UInt8(ascii: "e")), !bytes.contains(UInt8(ascii: "E")) { return out.append(contentsOf: bytes) }
            var digits: [UInt8] = []
            digits.reserveCapacity(bytes.count)
            var point: Int?
            var exponent = 0
            var index = bytes.first == UInt8(ascii: "-") ? 1 : 0
            while index < bytes.count {
                let byte = bytes[index]
                if byte == UInt8(ascii: ".") {
                    point = digits.count
                } else if byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") {
                    exponent = Int(String(decoding: UnsafeBufferPointer(rebasing: bytes[(index + 1)...]), as: UTF8.self)) ?? 0
                    break
                } else {
                    digits.append(byte)
                }
                index += 1
            }
            // Digits before the decimal point, once the exponent is applied.
            var before = (point ?? digits.count) + exponent
            var first = 0
            while digits.count - first > 1, digits[first] == UInt8(ascii: "0") {
                first += 1
                before -= 1
            }
            var end = digits.count
            while end - first > 1, digits[end - 1] == UInt8(ascii: "0"), end - first > before { end -= 1 }
            let significant = digits[first..<end]
            if bytes.first == UInt8(ascii: "-") { out.append(UInt8(ascii: "-")) }
            if before <= 0 {
                out.append(contentsOf: [UInt8(ascii: "0"), UInt8(ascii: ".")])
                out.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: -before))
                out.append(contentsOf: significant)
            } else if before >= significant.count {
                out.append(contentsOf: significant)
                out.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: before - significant.count))
            } else {
                out.append(contentsOf: significant.prefix(before))
                out.append(UInt8(ascii: "."))
                out.append(contentsOf: significant.dropFirst(before))
            }
        }
    }

    /// Appends an integer's decimal digits, as `String(value)` spells them.
    public static func appendDecimal(_ value: Int64, to out: inout [UInt8]) {
        if value < 0 { out.append(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        // 20 digits hold UInt64.max; filled from the end, then copied in order.
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { buffer in
            var start = 20
            repeat {
                start -= 1
                buffer[start] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
            } while magnitude != 0
            out.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[start..<20]))
        }
    }

    /// Go's `strconv.ParseFloat` for the forms queries and APIs use.
    public static func parse(_ text: String) -> Double? {
        switch text.lowercased() {
        case "nan": return .nan
        case "inf", "+inf", "infinity", "+infinity": return .infinity
        case "-inf", "-infinity": return -.infinity
        default: break
        }
        let lower = text.lowercased()
        let sign: Double = lower.hasPrefix("-") ? -1 : 1
        let unsigned = lower.hasPrefix("-") || lower.hasPrefix("+") ? String(lower.dropFirst()) : lower
        if unsigned.hasPrefix("0x") {
            guard let value = UInt64(unsigned.dropFirst(2), radix: 16) else { return nil }
            return sign * Double(value)
        }
        guard !unsigned.isEmpty, unsigned.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == "." || $0 == "e" || $0 == "+" || $0 == "-") }) else {
            return nil
        }
        return Double(text)
    }
}
