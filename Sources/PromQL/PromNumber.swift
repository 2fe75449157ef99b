/// Numbers as Prometheus writes them: Go's `strconv.FormatFloat(v, 'f', -1, 64)`,
/// the shortest digits that round-trip (a scalar's value, `count_values`' label), its
/// `'e'` form for a sample's extreme values (`appendSampleValue`), and Go's `%v`
/// (`goFormat`, templates and printed expressions); `NaN`, `+Inf`, `-Inf`.
public enum PromNumber {
    /// Go's `strconv.FormatFloat(v, 'f', -1, 64)`: the shortest digits that read back
    /// as `value`, never in exponent form.
    public static func format(_ value: Double) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(24)
        append(value, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends `format(value)`'s bytes. A range query's answer holds thousands of
    /// numbers: each is written where it goes, with no string of its own unless Swift
    /// writes it with an exponent (below 1e-4, or an integer from 2^53 up).
    public static func append(_ value: Double, to out: inout [UInt8]) {
        if value.isNaN { return out.append(contentsOf: "NaN".utf8) }
        if value.isInfinite { return out.append(contentsOf: (value > 0 ? "+Inf" : "-Inf").utf8) }
        if value == 0 { return out.append(contentsOf: (value.sign == .minus ? "-0" : "0").utf8) }
        // Integers below 2^53 (counters, most gauges): their shortest digits are the
        // integer's own, every integer there being a double.
        let integral = value.rounded(.towardZero) == value
        if integral, Swift.abs(value) < 9_007_199_254_740_992 { return appendDecimal(Int64(value), to: &out) }
        if !integral, appendSwiftsDigits(value, to: &out) { return }
        appendThroughDescription(value, integral: integral, to: &out)
    }

    /// `append`'s general way: Swift's shortest digits (`description`), re-spelled
    /// without an exponent.
    static func appendThroughDescription(_ value: Double, integral: Bool, to out: inout [UInt8]) {
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

    /// Appends a vector's or matrix's sample value as Prometheus 2.42's API writes it
    /// (`marshalValue`): Go's `'f'` form, but its `'e'` form below 1e-6 and from 1e21
    /// in magnitude (`1e-07`, `1e+21`). A scalar's value is `format`'s, always `'f'`.
    public static func appendSampleValue(_ value: Double, to out: inout [UInt8]) {
        let magnitude = Swift.abs(value)
        guard value.isFinite, magnitude != 0, magnitude < 1e-6 || magnitude >= 1e21 else { return append(value, to: &out) }
        out.append(contentsOf: goExponentFormat(value).utf8)
    }

    /// Go's `%v` of a float64: shortest digits, exponent form below 1e-4 or from 1e6.
    public static func goFormat(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        if value == 0 { return value.sign == .minus ? "-0" : "0" }
        let plain = format(value)
        let (_, exponent) = shortestDigits(plain, value)
        guard exponent < -4 || exponent >= 6 else { return plain }
        return goExponentFormat(value)
    }

    /// Go's `strconv.FormatFloat(value, 'e', -1, 64)`: shortest digits in exponent
    /// form, `1e+00`, `2.5e-05` (how Prometheus's APIs write an alert's value).
    public static func goExponentFormat(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        if value == 0 { return value.sign == .minus ? "-0e+00" : "0e+00" }
        let (significant, exponent) = shortestDigits(format(value), value)
        var mantissa = String(significant.prefix(1))
        if significant.count > 1 { mantissa += "." + significant.dropFirst() }
        let sign = exponent < 0 ? "-" : "+"
        let e = Swift.abs(exponent)
        return (value < 0 ? "-" : "") + mantissa + "e" + sign + (e < 10 ? "0\(e)" : "\(e)")
    }

    /// The shortest digits of a finite non-zero value (no leading or trailing zeros)
    /// and the power of ten of the first, from its plain decimal form `plain`.
    private static func shortestDigits(_ plain: String, _ value: Double) -> (significant: String, exponent: Int) {
        let digitsOnly = plain.filter { $0.isNumber }
        let trimmed = digitsOnly.drop { $0 == "0" }
        let significant = String(trimmed.reversed().drop { $0 == "0" }.reversed())
        let unsigned = plain.drop { $0 == "-" }
        let exponent = Swift.abs(value) >= 1
            ? unsigned.prefix { $0 != "." }.count - 1
            : -(unsigned.dropFirst(2).prefix { $0 == "0" }.count + 1)
        return (significant, exponent)
    }

    /// Appends Swift's shortest digits of `value` where Swift writes them without an
    /// exponent (then they are Go's `'f'` form); false, writing nothing, where it writes
    /// one. `Double.write(to:)` hands its digits to `TextOutputStream._writeASCII` from a
    /// buffer of its own: no string is made per number, which cost as much as finding
    /// the digits (~70 ns of ~140 per value, a fifth of a range query's answer).
    static func appendSwiftsDigits(_ value: Double, to out: inout [UInt8]) -> Bool {
        var sink = ByteSink()
        swap(&sink.bytes, &out)
        defer { swap(&sink.bytes, &out) }
        let start = sink.bytes.count
        value.write(to: &sink)
        guard !sink.bytes[start...].contains(where: { $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E") }) else {
            sink.bytes.removeSubrange(start...)
            return false
        }
        return true
    }

    /// Bytes written by Swift's text output, ASCII handed over as it is.
    private struct ByteSink: TextOutputStream {
        var bytes: [UInt8] = []

        mutating func write(_ string: String) { bytes.append(contentsOf: string.utf8) }

        mutating func _writeASCII(_ buffer: UnsafeBufferPointer<UInt8>) { bytes.append(contentsOf: buffer) }
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
