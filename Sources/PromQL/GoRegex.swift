/// A regular expression in Go's syntax (RE2 with Perl flags, as Prometheus compiles
/// label matchers and `label_replace`), checked as Go's `regexp/syntax` parser checks
/// it and rewritten into ICU's syntax with the same meaning, for NSRegularExpression.
///
/// Why not hand the pattern to ICU as it is: ICU accepts what Go refuses (look-arounds,
/// back-references, possessive and atomic groups), refuses what Go accepts (`[[]`, a
/// literal `{`, `(?U)`), reads some of the same text differently (`$` before a final
/// newline, Unicode `\d`, `[a&&b]`), and leaks memory on every pattern it refuses
/// (swift-corelibs-foundation's `_CFRegularExpressionCreate`, found by fuzzing). So a
/// pattern is refused here, with Go's message, before ICU sees it; what ICU gets is
/// spelled so that it has no choice: literals escaped, Go's ASCII classes as ranges,
/// anchors as `\A` and `\z`, named groups as plain ones (their numbers kept here).
struct GoRegex {
    /// The same expression in ICU's syntax.
    let icuPattern: String
    /// Capture group numbers by name, `(?P<name>…)`, for `$name` in a replacement; in
    /// pattern order (Go 1.19, as Prometheus 2.42 is built, allows a name twice).
    let groupNumbers: [String: [Int]]

    init(_ pattern: String) throws(GoRegexError) {
        var parser = GoRegexParser(Array(pattern.unicodeScalars), pattern: pattern)
        try parser.parse()
        icuPattern = parser.out
        groupNumbers = parser.names
    }
}

/// A pattern Go's parser refuses, with its message (`error parsing regexp: …`).
struct GoRegexError: Error, Equatable, CustomStringConvertible {
    let code: String
    let expression: String
    var description: String { "error parsing regexp: \(code): `\(expression)`" }
}

private struct GoRegexParser {
    let s: [Unicode.Scalar]
    let pattern: String
    var i = 0
    var out = ""
    var names: [String: [Int]] = [:]
    var captures = 0
    /// The flags ICU is not given: `m` (anchors are spelled per flag) and `U` (the
    /// greediness of each quantifier is spelled). `i` and `s` mean the same in ICU.
    var multiLine = false
    var ungreedy = false

    /// Groups nested deeper are refused ("expression nests too deeply"). Go allows a
    /// parse tree 1,000 high; this parser recurses per group on whatever thread runs
    /// the query (the cooperative pool's have small stacks), so it stops at 250.
    static let depthMax = 250
    /// Go's limit on a counted repetition, and on their product when nested.
    static let repeatMax = 1000

    init(_ scalars: [Unicode.Scalar], pattern: String) {
        s = scalars
        self.pattern = pattern
    }

    func fail(_ code: String, _ expression: String) -> GoRegexError { GoRegexError(code: code, expression: expression) }

    func text(_ from: Int, _ to: Int) -> String {
        var result = ""
        result.unicodeScalars.append(contentsOf: s[max(0, from)..<min(s.count, to)])
        return result
    }

    func peek(_ offset: Int = 0) -> Unicode.Scalar? { i + offset < s.count ? s[i + offset] : nil }

    mutating func parse() throws(GoRegexError) {
        _ = try alternation(depth: 0)
        if i < s.count { throw fail("unexpected )", pattern) }
    }

    /// Alternatives up to a `)` or the end; returns the largest counted-repetition
    /// product inside (Go's `repeatIsValid` bound).
    mutating func alternation(depth: Int) throws(GoRegexError) -> Int {
        guard depth <= Self.depthMax else { throw fail("expression nests too deeply", pattern) }
        var product = try concatenation(depth: depth)
        while peek() == "|" {
            i += 1
            out += "|"
            product = max(product, try concatenation(depth: depth))
        }
        return product
    }

    mutating func concatenation(depth: Int) throws(GoRegexError) -> Int {
        var product = 1
        /// Where the last atom starts in `out` and its product; nil before any.
        var last: (start: String.Index, product: Int)?
        var lastWasRepeat = false
        while let c = peek(), c != "|", c != ")" {
            let start = i
            if c == "*" || c == "+" || c == "?" || (c == "{" && countedRepeat() != nil) {
                guard let atom = last else { throw fail("missing argument to repetition operator", quantifierText(from: start)) }
                if c == "{" {
                    let (min, max, end) = countedRepeat()!
                    i = end
                    if min < 0 || min > Self.repeatMax || max > Self.repeatMax || (max >= 0 && min > max) {
                        throw fail("invalid repeat count", text(start, i))
                    }
                    var bounded = atom.product
                    if min >= 2 || max >= 2 {
                        let count = max == 0 ? 1 : (max < 0 ? min : max)
                        bounded = atom.product * Swift.max(count, 1)
                        if bounded > Self.repeatMax { throw fail("invalid repeat count", text(start, i)) }
                    }
                    last = (atom.start, bounded)
                    product = Swift.max(product, bounded)
                    out += "{\(min)" + (max == min ? "" : ",") + (max > min ? "\(max)" : "") + "}"
                } else {
                    i += 1
                    out.unicodeScalars.append(c)
                }
                var lazy = false
                if peek() == "?" {
                    lazy = true
                    i += 1
                }
                if lastWasRepeat { throw fail("invalid nested repetition operator", text(start - 1, i)) }
                if lazy != ungreedy { out += "?" }
                lastWasRepeat = true
                continue
            }
            lastWasRepeat = false
            let atomStart = out.endIndex
            guard let atomProduct = try atom(depth: depth) else {
                // A flag group `(?i)` is no atom: what follows cannot repeat it.
                last = nil
                continue
            }
            last = (atomStart, atomProduct)
            product = Swift.max(product, atomProduct)
        }
        return product
    }

    /// The text Go names for a repetition without an argument.
    func quantifierText(from start: Int) -> String {
        if s[start] == "{", let counted = countedRepeat(at: start) { return text(start, counted.end) }
        return text(start, start + (start + 1 < s.count && s[start + 1] == "?" ? 2 : 1))
    }

    /// `{n}`, `{n,}` or `{n,m}` at `at` (default: here): min, max (-1 for `{n,}`) and
    /// the index after `}`; nil when the text is no counted repetition (Go then reads
    /// `{` as a literal). A number of more than 8 digits reads as `Int.max` (refused).
    func countedRepeat(at: Int? = nil) -> (min: Int, max: Int, end: Int)? {
        var j = at ?? i
        guard j < s.count, s[j] == "{" else { return nil }
        j += 1
        func number(_ j: inout Int) -> Int? {
            let start = j
            while j < s.count, ("0"..."9").contains(s[j]) { j += 1 }
            guard j > start else { return nil }
            // Go refuses leading zeros: "{01}" is a literal.
            if j - start >= 2, s[start] == "0" { return nil }
            if j - start > 8 { return Int.max }
            var value = 0
            for k in start..<j { value = value * 10 + Int(s[k].value - 48) }
            return value
        }
        guard let min = number(&j) else { return nil }
        var max = min
        if j < s.count, s[j] == "," {
            j += 1
            if j < s.count, s[j] == "}" {
                max = -1
            } else {
                guard let m = number(&j) else { return nil }
                max = m
            }
        }
        guard j < s.count, s[j] == "}" else { return nil }
        return (min, max, j + 1)
    }

    /// One atom; its counted-repetition product, or nil for a flag group.
    mutating func atom(depth: Int) throws(GoRegexError) -> Int? {
        let c = s[i]
        switch c {
        case "(":
            return try group(depth: depth)
        case "[":
            try characterClass()
            return 1
        case ".":
            i += 1
            out += "."
            return 1
        case "^":
            i += 1
            out += multiLine ? "(?m:^)" : "(?:\\A)"
            return 1
        case "$":
            i += 1
            out += multiLine ? "(?m:$)" : "(?:\\z)"
            return 1
        case "\\":
            try escape()
            return 1
        default:
            i += 1
            literal(c)
            return 1
        }
    }

    mutating func group(depth: Int) throws(GoRegexError) -> Int? {
        let start = i
        i += 1
        let savedMultiLine = multiLine, savedUngreedy = ungreedy
        if peek() == "?" {
            if peek(1) == "P", peek(2) == "<" {
                guard let close = s[(i + 3)...].firstIndex(of: ">") else { throw fail("invalid named capture", text(start, s.count)) }
                let name = text(i + 3, close)
                guard !name.isEmpty, name.unicodeScalars.allSatisfy({ $0.isASCII && ($0 == "_" || $0.properties.isAlphabetic || ("0"..."9").contains($0)) })
                else { throw fail("invalid named capture", text(start, close + 1)) }
                captures += 1
                names[name, default: []].append(captures)
                i = close + 1
                out += "("
            } else {
                // Flags: (?flags) or (?flags:re); i m s U, one '-' negating the rest.
                i += 1
                var negate = false
                var sawFlag = false
                var icuOn = "", icuOff = ""
                var multi = multiLine, lazy = ungreedy
                while true {
                    guard let f = peek() else { throw fail("missing closing )", pattern) }
                    i += 1
                    switch f {
                    case "i", "s":
                        if negate { icuOff.unicodeScalars.append(f) } else { icuOn.unicodeScalars.append(f) }
                        sawFlag = true
                    case "m":
                        multi = !negate
                        sawFlag = true
                    case "U":
                        lazy = !negate
                        sawFlag = true
                    case "-" where !negate:
                        negate = true
                        sawFlag = false
                    case ":", ")":
                        if negate, !sawFlag { throw fail("invalid or unsupported Perl syntax", text(start, i)) }
                        let icuFlags = icuOn + (icuOff.isEmpty ? "" : "-" + icuOff)
                        if f == ")" {
                            // Applies to the rest of the enclosing group.
                            multiLine = multi
                            ungreedy = lazy
                            if !icuFlags.isEmpty { out += "(?\(icuFlags))" }
                            return nil
                        }
                        multiLine = multi
                        ungreedy = lazy
                        out += "(?\(icuFlags):"
                    default:
                        throw fail("invalid or unsupported Perl syntax", text(start, i))
                    }
                    if f == ":" { break }
                }
            }
        } else {
            captures += 1
            out += "("
        }
        let product = try alternation(depth: depth + 1)
        guard peek() == ")" else { throw fail("missing closing )", pattern) }
        i += 1
        out += ")"
        multiLine = savedMultiLine
        ungreedy = savedUngreedy
        return product
    }

    // MARK: Escapes

    mutating func escape() throws(GoRegexError) {
        guard let next = peek(1) else { throw fail("trailing backslash at end of expression", "") }
        switch next {
        case "A":
            i += 2
            out += "(?:\\A)"
        case "z":
            i += 2
            out += "(?:\\z)"
        case "b", "B":
            // Go's word boundary is ASCII's: spelled with look-arounds over [0-9A-Za-z_].
            i += 2
            let word = "[0-9A-Za-z_]"
            out += next == "b"
                ? "(?:(?<=\(word))(?!\(word))|(?<!\(word))(?=\(word)))"
                : "(?:(?<=\(word))(?=\(word))|(?<!\(word))(?!\(word)))"
        case "C":
            throw fail("invalid escape sequence", "\\C")
        case "Q":
            i += 2
            while i < s.count {
                if s[i] == "\\", peek(1) == "E" {
                    i += 2
                    return
                }
                literal(s[i])
                i += 1
            }
        case "p", "P":
            out += "[" + (try unicodeClass()) + "]"
        case "d", "D", "s", "S", "w", "W":
            i += 2
            out += "[" + (next.properties.isUppercase ? "^" : "") + Self.perlClass(next) + "]"
        default:
            literal(try escapedScalar())
        }
    }

    /// Go's `parseEscape`: a single escaped character (octal, hex, C escapes, escaped punctuation).
    mutating func escapedScalar() throws(GoRegexError) -> Unicode.Scalar {
        let start = i
        i += 1
        guard let c = peek() else { throw fail("trailing backslash at end of expression", "") }
        i += 1
        func invalid() -> GoRegexError { fail("invalid escape sequence", text(start, i)) }
        switch c {
        case "1"..."7" where !(peek().map { ("0"..."7").contains($0) } ?? false):
            // A single non-zero digit is a back-reference: not supported.
            throw invalid()
        case "0"..."7":
            var value = c.value - 48
            for _ in 1..<3 {
                guard let d = peek(), ("0"..."7").contains(d) else { break }
                value = value * 8 + d.value - 48
                i += 1
            }
            return Unicode.Scalar(value)!
        case "x":
            guard let first = peek() else { throw invalid() }
            i += 1
            if first == "{" {
                var value: UInt32 = 0
                var digits = 0
                while true {
                    guard let d = peek() else { throw invalid() }
                    i += 1
                    if d == "}" { break }
                    guard let v = Self.hex(d) else { throw invalid() }
                    value = value * 16 + v
                    guard value <= 0x10FFFF else { throw invalid() }
                    digits += 1
                }
                guard digits > 0, let scalar = Unicode.Scalar(value) else { throw invalid() }
                return scalar
            }
            guard let x = Self.hex(first), let second = peek() else { throw invalid() }
            i += 1
            guard let y = Self.hex(second) else { throw invalid() }
            return Unicode.Scalar(x * 16 + y)!
        case "a": return "\u{07}"
        case "f": return "\u{0C}"
        case "n": return "\n"
        case "r": return "\r"
        case "t": return "\t"
        case "v": return "\u{0B}"
        default:
            // Escaped ASCII punctuation is itself; any other escape is refused.
            guard c.isASCII, !Self.isAlphanumeric(c) else { throw invalid() }
            return c
        }
    }

    /// `\pL`, `\p{Greek}`, `\P{^Greek}`: the ICU set item, or Go's refusal.
    mutating func unicodeClass() throws(GoRegexError) -> String {
        let start = i
        var negated = s[i + 1] == "P"
        i += 2
        var name: String
        if peek() == "{" {
            guard let close = s[i...].firstIndex(of: "}") else { throw fail("invalid character class range", text(start, s.count)) }
            name = text(i + 1, close)
            i = close + 1
        } else {
            name = peek().map { String($0) } ?? ""
            if peek() != nil { i += 1 }
        }
        if name.hasPrefix("^") {
            negated.toggle()
            name.removeFirst()
        }
        guard name == "Any" || GoUnicodeTables.categories.contains(name) || GoUnicodeTables.scripts.contains(name) else {
            throw fail("invalid character class range", text(start, i))
        }
        return (negated ? "\\P{" : "\\p{") + name + "}"
    }

    // MARK: Character classes

    mutating func characterClass() throws(GoRegexError) {
        let start = i
        i += 1
        var items = ""
        var negated = false
        if peek() == "^" {
            negated = true
            i += 1
        }
        var first = true
        while first || peek() != "]" {
            guard peek() != nil else { throw fail("missing closing ]", text(start, s.count)) }
            first = false
            // POSIX [:alpha:], ASCII as in Go.
            if peek() == "[", peek(1) == ":", let close = posixClassEnd() {
                let name = text(i, close)
                guard let ranges = Self.posixRanges(name) else { throw fail("invalid character class range", name) }
                items += ranges
                i = close
                continue
            }
            if peek() == "\\", let next = peek(1) {
                if next == "p" || next == "P" {
                    items += try unicodeClass()
                    continue
                }
                if "dDsSwW".unicodeScalars.contains(next) {
                    i += 2
                    items += next.properties.isUppercase ? "[^\(Self.perlClass(next))]" : Self.perlClass(next)
                    continue
                }
            }
            let rangeStart = i
            let low = try classCharacter(classStart: start)
            var high = low
            if peek() == "-", let after = peek(1), after != "]" {
                i += 1
                high = try classCharacter(classStart: start)
                if high.value < low.value { throw fail("invalid character class range", text(rangeStart, i)) }
            }
            items += Self.setCharacter(low) + (high == low ? "" : "-" + Self.setCharacter(high))
        }
        i += 1
        out += "[" + (negated ? "^" : "") + items + "]"
    }

    /// The index after `:]` of a POSIX class starting here; nil when none closes it.
    func posixClassEnd() -> Int? {
        var j = i + 2
        while j + 1 < s.count {
            if s[j] == ":", s[j + 1] == "]" { return j + 2 }
            j += 1
        }
        return nil
    }

    mutating func classCharacter(classStart: Int) throws(GoRegexError) -> Unicode.Scalar {
        guard let c = peek() else { throw fail("missing closing ]", text(classStart, s.count)) }
        if c == "\\" { return try escapedScalar() }
        i += 1
        return c
    }

    // MARK: Spelling for ICU

    /// A literal outside a class: letters and digits as they are, ASCII punctuation
    /// escaped, everything else by its code point.
    mutating func literal(_ c: Unicode.Scalar) {
        if c.isASCII, Self.isAlphanumeric(c) {
            out.unicodeScalars.append(c)
        } else if c.isASCII, c.value > 0x20, c.value < 0x7F {
            out += "\\"
            out.unicodeScalars.append(c)
        } else {
            out += Self.codePoint(c)
        }
    }

    static func setCharacter(_ c: Unicode.Scalar) -> String {
        c.isASCII && isAlphanumeric(c) ? String(c) : codePoint(c)
    }

    static func codePoint(_ c: Unicode.Scalar) -> String { "\\x{" + String(c.value, radix: 16) + "}" }

    static func isAlphanumeric(_ c: Unicode.Scalar) -> Bool {
        ("0"..."9").contains(c) || ("a"..."z").contains(c) || ("A"..."Z").contains(c)
    }

    static func hex(_ c: Unicode.Scalar) -> UInt32? {
        switch c {
        case "0"..."9": c.value - 48
        case "a"..."f": c.value - 87
        case "A"..."F": c.value - 55
        default: nil
        }
    }

    /// Go's Perl classes are ASCII: `\d` `[0-9]`, `\s` `[\t\n\f\r ]`, `\w` `[0-9A-Za-z_]`.
    static func perlClass(_ c: Unicode.Scalar) -> String {
        switch c {
        case "d", "D": "0-9"
        case "s", "S": "\\x{9}\\x{a}\\x{c}\\x{d}\\x{20}"
        default: "0-9A-Za-z_"
        }
    }

    /// Go's POSIX classes (ASCII), `[:name:]` and `[:^name:]`, as ICU set items.
    static func posixRanges(_ bracketed: String) -> String? {
        var name = String(bracketed.dropFirst(2).dropLast(2))
        let negated = name.hasPrefix("^")
        if negated { name.removeFirst() }
        let ranges: String
        switch name {
        case "alnum": ranges = "0-9A-Za-z"
        case "alpha": ranges = "A-Za-z"
        case "ascii": ranges = "\\x{0}-\\x{7f}"
        case "blank": ranges = "\\x{9}\\x{20}"
        case "cntrl": ranges = "\\x{0}-\\x{1f}\\x{7f}"
        case "digit": ranges = "0-9"
        case "graph": ranges = "\\x{21}-\\x{7e}"
        case "lower": ranges = "a-z"
        case "print": ranges = "\\x{20}-\\x{7e}"
        case "punct": ranges = "\\x{21}-\\x{2f}\\x{3a}-\\x{40}\\x{5b}-\\x{60}\\x{7b}-\\x{7e}"
        case "space": ranges = "\\x{9}-\\x{d}\\x{20}"
        case "upper": ranges = "A-Z"
        case "word": ranges = "0-9A-Za-z_"
        case "xdigit": ranges = "0-9A-Fa-f"
        default: return nil
        }
        return negated ? "[^" + ranges + "]" : ranges
    }
}

/// The Unicode class names Go's `regexp` knows (`unicode.Categories` and
/// `unicode.Scripts` of Go 1.19, Unicode 13, as Prometheus 2.42 is built).
enum GoUnicodeTables {
    static let categories: Set<String> = [
        "C", "Cc", "Cf", "Co", "Cs", "L", "Ll", "Lm", "Lo", "Lt", "Lu", "M", "Mc", "Me", "Mn", "N", "Nd", "Nl", "No",
        "P", "Pc", "Pd", "Pe", "Pf", "Pi", "Po", "Ps", "S", "Sc", "Sk", "Sm", "So", "Z", "Zl", "Zp", "Zs",
    ]
    static let scripts: Set<String> = [
        "Adlam", "Ahom", "Anatolian_Hieroglyphs", "Arabic", "Armenian", "Avestan", "Balinese", "Bamum", "Bassa_Vah",
        "Batak", "Bengali", "Bhaiksuki", "Bopomofo", "Brahmi", "Braille", "Buginese", "Buhid", "Canadian_Aboriginal",
        "Carian", "Caucasian_Albanian", "Chakma", "Cham", "Cherokee", "Chorasmian", "Common", "Coptic", "Cuneiform",
        "Cypriot", "Cyrillic", "Deseret", "Devanagari", "Dives_Akuru", "Dogra", "Duployan", "Egyptian_Hieroglyphs",
        "Elbasan", "Elymaic", "Ethiopic", "Georgian", "Glagolitic", "Gothic", "Grantha", "Greek", "Gujarati",
        "Gunjala_Gondi", "Gurmukhi", "Han", "Hangul", "Hanifi_Rohingya", "Hanunoo", "Hatran", "Hebrew", "Hiragana",
        "Imperial_Aramaic", "Inherited", "Inscriptional_Pahlavi", "Inscriptional_Parthian", "Javanese", "Kaithi",
        "Kannada", "Katakana", "Kayah_Li", "Kharoshthi", "Khitan_Small_Script", "Khmer", "Khojki", "Khudawadi", "Lao",
        "Latin", "Lepcha", "Limbu", "Linear_A", "Linear_B", "Lisu", "Lycian", "Lydian", "Mahajani", "Makasar",
        "Malayalam", "Mandaic", "Manichaean", "Marchen", "Masaram_Gondi", "Medefaidrin", "Meetei_Mayek",
        "Mende_Kikakui", "Meroitic_Cursive", "Meroitic_Hieroglyphs", "Miao", "Modi", "Mongolian", "Mro", "Multani",
        "Myanmar", "Nabataean", "Nandinagari", "New_Tai_Lue", "Newa", "Nko", "Nushu", "Nyiakeng_Puachue_Hmong", "Ogham",
        "Ol_Chiki", "Old_Hungarian", "Old_Italic", "Old_North_Arabian", "Old_Permic", "Old_Persian", "Old_Sogdian",
        "Old_South_Arabian", "Old_Turkic", "Oriya", "Osage", "Osmanya", "Pahawh_Hmong", "Palmyrene", "Pau_Cin_Hau",
        "Phags_Pa", "Phoenician", "Psalter_Pahlavi", "Rejang", "Runic", "Samaritan", "Saurashtra", "Sharada", "Shavian",
        "Siddham", "SignWriting", "Sinhala", "Sogdian", "Sora_Sompeng", "Soyombo", "Sundanese", "Syloti_Nagri", "Syriac",
        "Tagalog", "Tagbanwa", "Tai_Le", "Tai_Tham", "Tai_Viet", "Takri", "Tamil", "Tangut", "Telugu", "Thaana", "Thai",
        "Tibetan", "Tifinagh", "Tirhuta", "Ugaritic", "Vai", "Wancho", "Warang_Citi", "Yezidi", "Yi", "Zanabazar_Square",
    ]
}
