import Foundation

/// Parses and formats event times: integer nanoseconds since the Unix epoch, or
/// RFC 3339 with up to nine fractional digits.
public enum EventTime {
    public static let nanosPerSecond: Int64 = 1_000_000_000

    /// Parses `2026-11-22T14:03:07.123456789Z`, `...+02:00`, or a bare integer of nanoseconds.
    public static func parse(_ text: String) -> Int64? {
        if let nanos = Int64(text) { return nanos }
        return parseRFC3339(text)
    }

    public static func parseRFC3339(_ text: String) -> Int64? {
        let utf8 = Array(text.utf8)
        var i = 0
        func digits(_ count: Int) -> Int64? {
            guard i + count <= utf8.count else { return nil }
            var value: Int64 = 0
            for _ in 0..<count {
                let byte = utf8[i]
                guard byte >= 0x30, byte <= 0x39 else { return nil }
                value = value * 10 + Int64(byte - 0x30)
                i += 1
            }
            return value
        }
        func expect(_ chars: String) -> Bool {
            guard i < utf8.count, chars.utf8.contains(utf8[i]) else { return false }
            i += 1
            return true
        }
        guard let year = digits(4), expect("-"), let month = digits(2), expect("-"), let day = digits(2),
              expect("Tt "), let hour = digits(2), expect(":"), let minute = digits(2), expect(":"),
              let second = digits(2)
        else { return nil }
        guard (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61 else { return nil }
        var fraction: Int64 = 0
        if i < utf8.count, utf8[i] == UInt8(ascii: ".") {
            i += 1
            var scale: Int64 = 100_000_000
            var any = false
            while i < utf8.count, utf8[i] >= 0x30, utf8[i] <= 0x39 {
                fraction += Int64(utf8[i] - 0x30) * scale
                scale /= 10
                i += 1
                any = true
            }
            guard any, scale >= 0 else { return nil }
        }
        var offsetSeconds: Int64 = 0
        guard i < utf8.count else { return nil }
        if utf8[i] == UInt8(ascii: "Z") || utf8[i] == UInt8(ascii: "z") {
            i += 1
        } else if utf8[i] == UInt8(ascii: "+") || utf8[i] == UInt8(ascii: "-") {
            let sign: Int64 = utf8[i] == UInt8(ascii: "+") ? 1 : -1
            i += 1
            guard let oh = digits(2), expect(":"), let om = digits(2), oh < 24, om < 60 else { return nil }
            offsetSeconds = sign * (oh * 3600 + om * 60)
        } else {
            return nil
        }
        guard i == utf8.count else { return nil }
        let days = daysFromCivil(year: year, month: month, day: day)
        let seconds = days * 86400 + hour * 3600 + minute * 60 + second - offsetSeconds
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: nanosPerSecond)
        guard !overflow else { return nil }
        return scaled + fraction
    }

    /// `2026-11-22T14:03:07.123Z` style, UTC, with the fraction trimmed to what is non-zero.
    public static func formatRFC3339(_ nanos: Int64) -> String {
        var seconds = nanos / nanosPerSecond
        var fraction = nanos % nanosPerSecond
        if fraction < 0 {
            fraction += nanosPerSecond
            seconds -= 1
        }
        var days = seconds / 86400
        var rest = seconds % 86400
        if rest < 0 {
            rest += 86400
            days -= 1
        }
        let (year, month, day) = civilFromDays(days)
        func pad(_ value: Int64, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        var out = "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(rest / 3600, 2)):\(pad(rest % 3600 / 60, 2)):\(pad(rest % 60, 2))"
        if fraction != 0 {
            var digits = pad(fraction, 9)
            while digits.hasSuffix("0") { digits.removeLast() }
            out += "." + digits
        }
        return out + "Z"
    }

    /// Days since 1970-01-01 (Howard Hinnant's algorithm).
    static func daysFromCivil(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }

    static func civilFromDays(_ days: Int64) -> (Int64, Int64, Int64) {
        let z = days + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (month <= 2 ? yoe + era * 400 + 1 : yoe + era * 400, month, day)
    }

    /// The wall clock, for stamping events that arrive without a time.
    public static func nowNs() -> Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Int64(spec.tv_sec) * nanosPerSecond + Int64(spec.tv_nsec)
    }
}
