/// A token of PromQL text with the position it starts at (characters from the start).
struct Token: Equatable {
    enum Kind: Equatable {
        case identifier(String)
        case number(Double)
        case duration(Int64)
        case string(String)
        case punct(String)
        case end
    }

    let kind: Kind
    let position: Int
}

/// Splits PromQL text into tokens as Prometheus's lexer does: identifiers may hold
/// `:`, numbers are decimal, hexadecimal, `Inf` or `NaN`, a number followed by a
/// unit is a duration (`1h30m`), strings are double-, single- or back-quoted.
struct Lexer {
    private let chars: [Character]
    private var index = 0
    /// Inside `[...]` a colon separates a subquery's range and step.
    private var bracketDepth = 0

    init(_ text: String) { chars = Array(text) }

    static func tokens(_ text: String) throws(PromQLError) -> [Token] {
        var lexer = Lexer(text)
        var out: [Token] = []
        while true {
            let token = try lexer.next()
            out.append(token)
            if token.kind == .end { return out }
        }
    }

    private func peek(_ offset: Int = 0) -> Character? {
        index + offset < chars.count ? chars[index + offset] : nil
    }

    // ASCII tests on the byte: Character's Unicode properties were most of the
    // lexer's time on every query.
    private static func isIdentifierStart(_ c: Character) -> Bool {
        guard let byte = c.asciiValue else { return false }
        return byte == UInt8(ascii: "_") || byte == UInt8(ascii: ":") || (byte | 0x20 >= UInt8(ascii: "a") && byte | 0x20 <= UInt8(ascii: "z"))
    }
    private static func isIdentifierPart(_ c: Character) -> Bool { isIdentifierStart(c) || isDigit(c) }
    private static func isDigit(_ c: Character?) -> Bool {
        guard let byte = c?.asciiValue else { return false }
        return byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }
    private static func isWhitespace(_ c: Character) -> Bool {
        guard let byte = c.asciiValue else { return c.isWhitespace }
        return byte == UInt8(ascii: " ") || (byte >= 0x09 && byte <= 0x0D)
    }
    private static let operators: Set<String> = ["==", "!=", "=~", "!~", ">=", "<="]
    private static let punctuation: Set<Character> = ["(", ")", "{", "}", "[", "]", ",", "=", "<", ">", "+", "-", "*", "/", "%", "^", ":", "@"]

    private mutating func next() throws(PromQLError) -> Token {
        while let c = peek() {
            if c == "#" {
                while let d = peek(), d != "\n" { index += 1 }
            } else if Self.isWhitespace(c) {
                index += 1
            } else {
                break
            }
        }
        let start = index
        guard let c = peek() else { return Token(kind: .end, position: start) }
        if Self.isDigit(c) || (c == "." && Self.isDigit(peek(1))) {
            return Token(kind: try numberOrDuration(), position: start)
        }
        if c == ":", bracketDepth > 0 {
            index += 1
            return Token(kind: .punct(":"), position: start)
        }
        if Self.isIdentifierStart(c) {
            var word = ""
            while let d = peek(), Self.isIdentifierPart(d) {
                word.append(d)
                index += 1
            }
            guard word.utf8.count == 3 else { return Token(kind: .identifier(word), position: start) }
            switch word.lowercased() {
            case "inf": return Token(kind: .number(.infinity), position: start)
            case "nan": return Token(kind: .number(.nan), position: start)
            default: return Token(kind: .identifier(word), position: start)
            }
        }
        if c == "\"" || c == "'" || c == "`" {
            return Token(kind: .string(try string(quote: c)), position: start)
        }
        if let second = peek(1), c == "=" || c == "!" || c == ">" || c == "<", case let two = String([c, second]), Self.operators.contains(two) {
            index += 2
            return Token(kind: .punct(two), position: start)
        }
        if Self.punctuation.contains(c) {
            index += 1
            if c == "[" { bracketDepth += 1 }
            if c == "]" { bracketDepth = max(0, bracketDepth - 1) }
            return Token(kind: .punct(String(c)), position: start)
        }
        throw PromQLError.badData("1:\(start + 1): parse error: unexpected character: \(quoted(String(c)))")
    }

    private mutating func numberOrDuration() throws(PromQLError) -> Token.Kind {
        let start = index
        if peek() == "0", peek(1) == "x" || peek(1) == "X" {
            index += 2
            var hex = ""
            while let d = peek(), d.isHexDigit {
                hex.append(d)
                index += 1
            }
            guard let value = UInt64(hex, radix: 16) else { throw badNumber(start) }
            return .number(Double(value))
        }
        var text = ""
        while let d = peek(), Self.isDigit(d) || d == "." {
            text.append(d)
            index += 1
        }
        if let e = peek(), e == "e" || e == "E", Self.isDigit(peek(1)) || ((peek(1) == "+" || peek(1) == "-") && Self.isDigit(peek(2))) {
            text.append(e)
            index += 1
            if let sign = peek(), sign == "+" || sign == "-" {
                text.append(sign)
                index += 1
            }
            while let d = peek(), Self.isDigit(d) {
                text.append(d)
                index += 1
            }
        }
        if let unit = peek(), "smhdwy".contains(unit), !text.contains("."), !text.lowercased().contains("e") {
            index = start
            return .duration(try duration())
        }
        if let d = peek(), Self.isIdentifierPart(d) { throw badNumber(start) }
        guard let value = Double(text) else { throw badNumber(start) }
        return .number(value)
    }

    private func badNumber(_ start: Int) -> PromQLError {
        var end = start
        while end < chars.count, Self.isIdentifierPart(chars[end]) || chars[end] == "." { end += 1 }
        return .badData("1:\(start + 1): parse error: bad number or duration syntax: \(quoted(String(chars[start..<end])))")
    }

    /// `1h30m`, `5m`, `100ms`: units y w d h m s ms, each at most once, largest first.
    private mutating func duration() throws(PromQLError) -> Int64 {
        let start = index
        let units: [(String, Int64)] = [
            ("y", 365 * 86_400_000), ("w", 7 * 86_400_000), ("d", 86_400_000), ("h", 3_600_000), ("m", 60_000), ("s", 1000), ("ms", 1),
        ]
        var total: Int64 = 0
        var lastRank = -1
        while Self.isDigit(peek()) {
            var digits = ""
            while let d = peek(), Self.isDigit(d) {
                digits.append(d)
                index += 1
            }
            var unit = ""
            while let d = peek(), d.isASCII, d.isLetter {
                unit.append(d)
                index += 1
            }
            guard let rank = units.firstIndex(where: { $0.0 == unit }), rank > lastRank, let count = Int64(digits) else {
                throw badNumber(start)
            }
            lastRank = rank
            let (product, overflow) = count.multipliedReportingOverflow(by: units[rank].1)
            let (sum, sumOverflow) = total.addingReportingOverflow(product)
            guard !overflow, !sumOverflow else { throw badNumber(start) }
            total = sum
        }
        if let d = peek(), d != ":", Self.isIdentifierPart(d) { throw badNumber(start) }
        return total
    }

    /// Go's string literal rules: escapes in "..." and '...', none in `...`.
    private mutating func string(quote: Character) throws(PromQLError) -> String {
        let start = index
        index += 1
        var out = ""
        while true {
            guard let c = peek() else { throw PromQLError.badData("1:\(start + 1): parse error: unterminated quoted string \(String(quote))") }
            index += 1
            if c == quote { return out }
            if quote == "`" {
                out.append(c)
                continue
            }
            if c == "\n" { throw PromQLError.badData("1:\(start + 1): parse error: unterminated quoted string \(String(quote))") }
            guard c == "\\" else {
                out.append(c)
                continue
            }
            guard let e = peek() else { throw PromQLError.badData("1:\(start + 1): parse error: unterminated quoted string") }
            index += 1
            switch e {
            case "a": out.append("\u{07}")
            case "b": out.append("\u{08}")
            case "f": out.append("\u{0C}")
            case "n": out.append("\n")
            case "r": out.append("\r")
            case "t": out.append("\t")
            case "v": out.append("\u{0B}")
            case "\\": out.append("\\")
            case "\"", "'": 
                guard e == quote else { throw PromQLError.badData("1:\(index): parse error: unknown escape sequence \(String(e))") }
                out.append(e)
            case "x", "u", "U":
                let count = e == "x" ? 2 : e == "u" ? 4 : 8
                var hex = ""
                for _ in 0..<count {
                    guard let h = peek(), h.isHexDigit else { throw PromQLError.badData("1:\(index): parse error: invalid escape sequence") }
                    hex.append(h)
                    index += 1
                }
                guard let code = UInt32(hex, radix: 16), let scalar = Unicode.Scalar(code) else {
                    throw PromQLError.badData("1:\(index): parse error: invalid escape sequence")
                }
                out.unicodeScalars.append(scalar)
            default:
                if e.isASCII, let octal = e.wholeNumberValue, octal < 8 {
                    var code = UInt32(octal)
                    for _ in 0..<2 {
                        guard let o = peek()?.wholeNumberValue, o < 8 else { throw PromQLError.badData("1:\(index): parse error: invalid escape sequence") }
                        code = code * 8 + UInt32(o)
                        index += 1
                    }
                    guard let scalar = Unicode.Scalar(code) else { throw PromQLError.badData("1:\(index): parse error: invalid escape sequence") }
                    out.unicodeScalars.append(scalar)
                } else {
                    throw PromQLError.badData("1:\(index): parse error: unknown escape sequence \(quoted(String(e)))")
                }
            }
        }
    }
}
