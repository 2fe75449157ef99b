/// A token of PromQL text with the position it starts at (UTF-8 bytes from the start,
/// as Prometheus counts the columns of its parse errors).
struct Token: Equatable {
    enum Kind: Equatable {
        case identifier(String)
        case number(Double)
        /// Its milliseconds (nil where Prometheus's `ParseDuration` refuses it: the
        /// parser says so only where it expects a duration) and its text.
        case duration(Int64?, text: String)
        case string(String)
        case punct(String)
        /// Where Prometheus's lexer stops with an error (an unclosed parenthesis, an
        /// unexpected bracket): the parser answers it when it reaches this token, as
        /// Prometheus's parser does when it pulls the lexer's error item, so a syntax
        /// error earlier in the text is still the one named.
        case error(String)
        case end
    }

    let kind: Kind
    let position: Int
}

/// Splits PromQL text into tokens as Prometheus's lexer does: identifiers may hold
/// `:`, numbers are decimal, hexadecimal, `Inf` or `NaN`, a number followed by a
/// unit is a duration (`1h30m`), strings are double-, single- or back-quoted.
///
/// Works on the text's UTF-8 bytes, as Go's lexer does: every character PromQL gives
/// a meaning to is ASCII, and splitting the text into `Character`s (grapheme
/// breaking) was most of the parser's time on every query (BENCHMARKS).
struct Lexer {
    private let bytes: [UInt8]
    private var index = 0
    /// Inside `[...]` a colon separates a subquery's range and step.
    private var bracketOpen = false
    /// Right after `[`, where Prometheus's lexer reads a duration whatever comes.
    private var durationNext = false
    private var braceOpen = false
    private var parenDepth = 0

    init(_ text: String) { bytes = Array(text.utf8) }

    static func tokens(_ text: String) throws(PromQLError) -> [Token] {
        var lexer = Lexer(text)
        var out: [Token] = []
        while true {
            let token = try lexer.next()
            out.append(token)
            if case .error = token.kind { out.append(Token(kind: .end, position: token.position)) }
            if out.last?.kind == .end { return out }
        }
    }

    /// A token's text as written (quotes and all), as Prometheus's errors quote it: the
    /// token lexed again from where it starts.
    static func written(_ token: Token, in text: String) -> String {
        var lexer = Lexer(text)
        lexer.index = token.position
        _ = try? lexer.next()
        return lexer.text(token.position..<max(token.position, lexer.index))
    }

    private func peek(_ offset: Int = 0) -> UInt8? {
        index + offset < bytes.count ? bytes[index + offset] : nil
    }

    /// The text of `range` (ASCII-delimited, so whole characters).
    private func text(_ range: Range<Int>) -> String { String(decoding: bytes[range], as: UTF8.self) }

    /// The character (Unicode scalar) starting at byte `at`, and its length in bytes.
    private func scalar(at position: Int) -> (scalar: Unicode.Scalar, sizeBytes: Int) {
        var iterator = bytes[position...].makeIterator()
        var decoder = UTF8()
        guard case .scalarValue(let scalar) = decoder.decode(&iterator) else {
            preconditionFailure("a String's bytes are valid UTF-8")
        }
        return (scalar, UTF8.width(scalar))
    }

    private static func byte(_ character: Unicode.Scalar) -> UInt8 { UInt8(ascii: character) }
    private static func isLetter(_ byte: UInt8) -> Bool { byte | 0x20 >= UInt8(ascii: "a") && byte | 0x20 <= UInt8(ascii: "z") }
    private static func isIdentifierStart(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: "_") || byte == UInt8(ascii: ":") || isLetter(byte)
    }
    private static func isIdentifierPart(_ byte: UInt8) -> Bool { isIdentifierStart(byte) || isDigit(byte) }
    /// Go's lexer's `isAlphaNumeric`: `_`, ASCII letters and digits.
    private static func isAlphaNumeric(_ byte: UInt8?) -> Bool {
        guard let byte else { return false }
        return byte == UInt8(ascii: "_") || isLetter(byte) || isDigit(byte)
    }
    private static func isDigit(_ byte: UInt8?) -> Bool {
        guard let byte else { return false }
        return byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }
    private static func isHexDigit(_ byte: UInt8) -> Bool {
        isDigit(byte) || (byte | 0x20 >= UInt8(ascii: "a") && byte | 0x20 <= UInt8(ascii: "f"))
    }
    private static func isASCIIWhitespace(_ byte: UInt8) -> Bool { byte == UInt8(ascii: " ") || (byte >= 0x09 && byte <= 0x0D) }
    private static func isPunctuation(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "{"), UInt8(ascii: "}"), UInt8(ascii: "["), UInt8(ascii: "]"),
            UInt8(ascii: ","), UInt8(ascii: "="), UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "+"), UInt8(ascii: "-"),
            UInt8(ascii: "*"), UInt8(ascii: "/"), UInt8(ascii: "%"), UInt8(ascii: "^"), UInt8(ascii: ":"), UInt8(ascii: "@"):
            true
        default: false
        }
    }
    /// The two-character operators: `==`, `!=`, `=~`, `!~`, `>=`, `<=`.
    private static func isOperator(_ first: UInt8, _ second: UInt8) -> Bool {
        switch (first, second) {
        case (UInt8(ascii: "="), UInt8(ascii: "=")), (UInt8(ascii: "!"), UInt8(ascii: "=")), (UInt8(ascii: "="), UInt8(ascii: "~")),
            (UInt8(ascii: "!"), UInt8(ascii: "~")), (UInt8(ascii: ">"), UInt8(ascii: "=")), (UInt8(ascii: "<"), UInt8(ascii: "=")):
            true
        default: false
        }
    }

    private mutating func next() throws(PromQLError) -> Token {
        while let c = peek() {
            if c == UInt8(ascii: "#") {
                while let d = peek(), d != UInt8(ascii: "\n") { index += 1 }
            } else if Self.isASCIIWhitespace(c) {
                index += 1
            } else if c >= 0x80, case let (scalar, size) = scalar(at: index), scalar.properties.isWhitespace {
                index += size
            } else {
                break
            }
        }
        let start = index
        if durationNext {
            durationNext = false
            return Token(kind: numberOrDuration(afterBracket: true), position: start)
        }
        guard let c = peek() else {
            // Prometheus's lexer checks what is still open at the end, in this order.
            if braceOpen { return Token(kind: .error("unexpected end of input inside braces"), position: start) }
            if parenDepth != 0 { return Token(kind: .error("unclosed left parenthesis"), position: start) }
            if bracketOpen { return Token(kind: .error("unclosed left bracket"), position: start) }
            return Token(kind: .end, position: start)
        }
        if braceOpen, let refusal = refusalInsideBraces(c) { return Token(kind: .error(refusal), position: start) }
        if Self.isDigit(c) || (c == UInt8(ascii: ".") && Self.isDigit(peek(1))) {
            return Token(kind: numberOrDuration(afterBracket: false), position: start)
        }
        if c == UInt8(ascii: ":"), bracketOpen {
            index += 1
            return Token(kind: .punct(":"), position: start)
        }
        if Self.isIdentifierStart(c) {
            // A label name inside braces holds no `:` (Prometheus's lexer reads it as a name there).
            while let d = peek(), Self.isIdentifierPart(d), !(braceOpen && d == UInt8(ascii: ":")) { index += 1 }
            let word = text(start..<index)
            guard index - start == 3, !braceOpen else { return Token(kind: .identifier(word), position: start) }
            switch word.lowercased() {
            case "inf": return Token(kind: .number(.infinity), position: start)
            case "nan": return Token(kind: .number(.nan), position: start)
            default: return Token(kind: .identifier(word), position: start)
            }
        }
        if c == UInt8(ascii: "\"") || c == UInt8(ascii: "'") || c == UInt8(ascii: "`") {
            return Token(kind: .string(try string(quote: c)), position: start)
        }
        if let second = peek(1), Self.isOperator(c, second) {
            // Regex matchers belong inside braces; Prometheus's lexer refuses them elsewhere.
            if !braceOpen, second == UInt8(ascii: "~") {
                return Token(kind: .error("unexpected character after \(quotedRune(Unicode.Scalar(c))): '~'"), position: start)
            }
            index += 2
            return Token(kind: .punct(text(start..<index)), position: start)
        }
        if c == UInt8(ascii: "!"), !braceOpen {
            let after = peek(1).map { _ in scalar(at: index + 1).scalar } ?? "\u{FFFD}"
            return Token(kind: .error("unexpected character after '!': \(quotedRune(after))"), position: start)
        }
        if Self.isPunctuation(c) {
            index += 1
            let quotedCharacter = quotedRune(Unicode.Scalar(c))
            switch c {
            case UInt8(ascii: "("):
                parenDepth += 1
            case UInt8(ascii: ")"):
                parenDepth -= 1
                // Prometheus names the place after the parenthesis (its lexer emitted it first).
                if parenDepth < 0 { return Token(kind: .error("unexpected right parenthesis \(quotedCharacter)"), position: index) }
            case UInt8(ascii: "{"):
                if braceOpen { return Token(kind: .error("unexpected left brace \(quotedCharacter)"), position: start) }
                braceOpen = true
            case UInt8(ascii: "}"):
                guard braceOpen else { return Token(kind: .error("unexpected character: \(quotedCharacter)"), position: start) }
                braceOpen = false
            case UInt8(ascii: "["):
                if bracketOpen { return Token(kind: .error("unexpected left bracket \(quotedCharacter)"), position: start) }
                bracketOpen = true
                durationNext = true
            case UInt8(ascii: "]"):
                guard bracketOpen else { return Token(kind: .error("unexpected right bracket \(quotedCharacter)"), position: start) }
                bracketOpen = false
            default:
                break
            }
            return Token(kind: .punct(text(start..<index)), position: start)
        }
        throw PromQLError.badData("1:\(start + 1): parse error: unexpected character: \(quotedRune(scalar(at: start).scalar))")
    }

    /// Inside `{...}` Prometheus's lexer reads label names (letters, digits, `_`; no
    /// `:`), strings, `,`, `=`, `=~`, `!=`, `!~` and `}` (a `{` is refused as a
    /// punctuation); what it refuses, and why.
    private func refusalInsideBraces(_ c: UInt8) -> String? {
        if Self.isLetter(c) || c == UInt8(ascii: "_") || c == UInt8(ascii: ",") || c == UInt8(ascii: "=") || c == UInt8(ascii: "}") || c == UInt8(ascii: "{")
            || c == UInt8(ascii: "\"") || c == UInt8(ascii: "'") || c == UInt8(ascii: "`") {
            return nil
        }
        if c == UInt8(ascii: "!") {
            guard let second = peek(1) else { return "unexpected character after '!' inside braces: \(quotedRune("\u{FFFD}"))" }
            if second == UInt8(ascii: "=") || second == UInt8(ascii: "~") { return nil }
            return "unexpected character after '!' inside braces: \(quotedRune(scalar(at: index + 1).scalar))"
        }
        return "unexpected character inside braces: \(quotedRune(scalar(at: index).scalar))"
    }

    /// A number or a duration, scanned as Prometheus's lexer scans them (`scanNumber`,
    /// then `acceptRemainingDuration`; right after `[`, `lexDuration`), valued as its
    /// parser values them. Errors are error tokens, with its words, quoting the text
    /// its lexer had consumed.
    private mutating func numberOrDuration(afterBracket: Bool) -> Token.Kind {
        let start = index
        if scanNumber() {
            return afterBracket ? .error("missing unit character in duration") : Self.number(text(start..<index))
        }
        guard acceptRemainingDuration() else {
            let what = afterBracket ? "bad duration syntax" : "bad number or duration syntax"
            return .error("\(what): \(quoted(text(start..<index)))")
        }
        let written = text(start..<index)
        return .duration(Self.durationMs(written), text: written)
    }

    /// Go's `scanNumber`: digits (hexadecimal after `0x`), a fraction, an exponent;
    /// true when no letter, digit or `_` follows.
    private mutating func scanNumber() -> Bool {
        var hex = false
        if peek() == UInt8(ascii: "0") {
            index += 1
            if let x = peek(), x | 0x20 == UInt8(ascii: "x") {
                index += 1
                hex = true
            }
        }
        func digits() { while let d = peek(), hex ? Self.isHexDigit(d) : Self.isDigit(d) { index += 1 } }
        digits()
        if peek() == UInt8(ascii: ".") {
            index += 1
            digits()
        }
        if let e = peek(), e | 0x20 == UInt8(ascii: "e") {
            index += 1
            if let sign = peek(), sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") { index += 1 }
            while Self.isDigit(peek()) { index += 1 }
        }
        return !Self.isAlphaNumeric(peek())
    }

    /// Go's `acceptRemainingDuration`, after `scanNumber` stopped at a letter: units
    /// and digits in turn, then nothing alphanumeric (which it consumes when it fails).
    private mutating func acceptRemainingDuration() -> Bool {
        func accept(_ set: String) -> Bool {
            guard let c = peek(), set.utf8.contains(c) else { return false }
            index += 1
            return true
        }
        guard accept("smhdwy") else { return false }
        _ = accept("s")
        while accept("0123456789") {
            while accept("0123456789") {}
            guard accept("smhdw") else { return false }
            _ = accept("s")
        }
        if Self.isAlphaNumeric(peek()) {
            index += 1
            return false
        }
        return true
    }

    /// A number's value as Prometheus's parser takes it: Go's `strconv.ParseInt(text,
    /// 0, 64)` first, so a leading `0` is octal (`010` is 8) and `0x` hexadecimal,
    /// else `ParseFloat`, whose refusal it reports.
    static func number(_ text: String) -> Token.Kind {
        let bytes = Array(text.utf8)
        let isHex = bytes.count > 1 && bytes[0] == UInt8(ascii: "0") && bytes[1] | 0x20 == UInt8(ascii: "x")
        if isHex {
            if let value = Int64(text.dropFirst(2), radix: 16) { return .number(Double(value)) }
        } else if bytes.allSatisfy({ isDigit($0) }) {
            let octal = bytes.count > 1 && bytes[0] == UInt8(ascii: "0")
            if let value = octal ? Int64(text.dropFirst(), radix: 8) : Int64(text) { return .number(Double(value)) }
        }
        // Go's ParseFloat takes a hexadecimal mantissa only with a `p` exponent, which the lexer never lets through.
        guard !isHex, let value = Double(text) else {
            return .error("error parsing number: strconv.ParseFloat: parsing \(quoted(text)): invalid syntax")
        }
        guard value.isFinite else { return .error("error parsing number: strconv.ParseFloat: parsing \(quoted(text)): value out of range") }
        return .number(value)
    }

    /// A duration's milliseconds as Prometheus's `model.ParseDuration` reads them: units
    /// y w d h m s ms, each at most once, largest first. Nil when it refuses it.
    static func durationMs(_ text: String) -> Int64? {
        let units: [(String, Int64)] = [
            ("y", 365 * 86_400_000), ("w", 7 * 86_400_000), ("d", 86_400_000), ("h", 3_600_000), ("m", 60_000), ("s", 1000), ("ms", 1),
        ]
        let bytes = Array(text.utf8)
        var index = 0
        var total: Int64 = 0
        var lastRank = -1
        guard !bytes.isEmpty else { return nil }
        while index < bytes.count {
            let digitsStart = index
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
            let unitStart = index
            while index < bytes.count, isLetter(bytes[index]) { index += 1 }
            let digits = String(decoding: bytes[digitsStart..<unitStart], as: UTF8.self)
            let unit = String(decoding: bytes[unitStart..<index], as: UTF8.self)
            guard let rank = units.firstIndex(where: { $0.0 == unit }), rank > lastRank, let count = Int64(digits) else { return nil }
            lastRank = rank
            let (product, overflow) = count.multipliedReportingOverflow(by: units[rank].1)
            let (sum, sumOverflow) = total.addingReportingOverflow(product)
            guard !overflow, !sumOverflow else { return nil }
            total = sum
        }
        return total
    }

    /// Go's string literal rules: escapes in "..." and '...', none in `...`.
    private mutating func string(quote: UInt8) throws(PromQLError) -> String {
        let start = index
        let unterminated = quote == UInt8(ascii: "`") ? "unterminated raw string" : "unterminated quoted string"
        index += 1
        var out: [UInt8] = []
        func append(_ scalar: Unicode.Scalar) { out.append(contentsOf: String(scalar).utf8) }
        while true {
            guard let c = peek() else { throw PromQLError.badData("1:\(start + 1): parse error: \(unterminated)") }
            index += 1
            if c == quote { return String(decoding: out, as: UTF8.self) }
            if quote == UInt8(ascii: "`") {
                out.append(c)
                continue
            }
            if c == UInt8(ascii: "\n") { throw PromQLError.badData("1:\(start + 1): parse error: \(unterminated)") }
            guard c == UInt8(ascii: "\\") else {
                out.append(c)
                continue
            }
            guard let e = peek() else { throw PromQLError.badData("1:\(start + 1): parse error: unterminated quoted string") }
            index += 1
            switch e {
            case UInt8(ascii: "a"): out.append(0x07)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "v"): out.append(0x0B)
            case UInt8(ascii: "\\"): out.append(e)
            case UInt8(ascii: "\""), UInt8(ascii: "'"):
                guard e == quote else { throw PromQLError.badData("1:\(index): parse error: unknown escape sequence \(text(index - 1..<index))") }
                out.append(e)
            case UInt8(ascii: "x"), UInt8(ascii: "u"), UInt8(ascii: "U"):
                let count = e == UInt8(ascii: "x") ? 2 : e == UInt8(ascii: "u") ? 4 : 8
                let hexStart = index
                for _ in 0..<count {
                    guard let h = peek(), Self.isHexDigit(h) else { throw PromQLError.badData("1:\(index): parse error: invalid escape sequence") }
                    index += 1
                }
                guard let code = UInt32(text(hexStart..<index), radix: 16), let scalar = Unicode.Scalar(code) else {
                    throw PromQLError.badData("1:\(index): parse error: invalid escape sequence")
                }
                append(scalar)
            case UInt8(ascii: "0")...UInt8(ascii: "7"):
                var code = UInt32(e - UInt8(ascii: "0"))
                for _ in 0..<2 {
                    guard let o = peek(), o >= UInt8(ascii: "0"), o <= UInt8(ascii: "7") else {
                        throw PromQLError.badData("1:\(index): parse error: invalid escape sequence")
                    }
                    code = code * 8 + UInt32(o - UInt8(ascii: "0"))
                    index += 1
                }
                guard let scalar = Unicode.Scalar(code) else { throw PromQLError.badData("1:\(index): parse error: invalid escape sequence") }
                append(scalar)
            default:
                // The whole character escaped, for the message (one byte of it would not be text).
                let escaped = scalar(at: index - 1)
                throw PromQLError.badData("1:\(index): parse error: unknown escape sequence \(quoted(String(escaped.scalar)))")
            }
        }
    }
}

/// Go's `%q` of a rune (`strconv.QuoteRune`), as Prometheus names an unexpected
/// character: single quotes around the character, escaped as `quoted` escapes it.
func quotedRune(_ scalar: Unicode.Scalar) -> String {
    switch scalar {
    case "'": return #"'\''"#
    case "\"": return #"'"'"#
    default: return "'" + quoted(String(scalar)).dropFirst().dropLast() + "'"
    }
}
