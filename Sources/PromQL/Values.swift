import Foundation

/// An error of parsing or evaluating a query, with Prometheus's `errorType`.
public struct PromQLError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Prometheus's `errorType` names; new kinds may be added.
    public struct Kind: Sendable, Hashable, CustomStringConvertible {
        public let name: String
        public static let badData = Kind(name: "bad_data")
        public static let execution = Kind(name: "execution")
        public static let timeout = Kind(name: "timeout")
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

    public init(labels: Labels, samples: [Sample]) {
        self.labels = labels
        self.samples = samples
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
    /// the shortest digits that read back as `value`, never in exponent form. Works on
    /// the bytes of Swift's shortest form (a range query's answer holds thousands).
    public static func format(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        if value == 0 { return value.sign == .minus ? "-0" : "0" }
        // Integers below 2^53 (counters, most gauges): their shortest digits are the
        // integer's own, every integer there being a double.
        if Swift.abs(value) < 9_007_199_254_740_992, value.rounded(.towardZero) == value { return String(Int64(value)) }
        var shortest = value.description
        return shortest.withUTF8 { bytes in
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
            var out: [UInt8] = []
            out.reserveCapacity(significant.count + Swift.max(0, -before) + Swift.max(0, before - significant.count) + 3)
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
            return String(decoding: out, as: UTF8.self)
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
