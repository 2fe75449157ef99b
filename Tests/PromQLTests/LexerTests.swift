@testable import PromQL
import TestSupport
import Testing

/// The lexer splits text into the tokens it was made of: random token sequences,
/// with non-ASCII text in strings and separators, come back token by token with
/// their byte positions (Prometheus counts error columns in bytes).
@Suite struct LexerTests {
    /// A token as written and what the lexer must make of it.
    private struct Written {
        let text: String
        let kind: Token.Kind
    }

    /// Balanced: every `(` gets its `)` at the end (an unclosed or unopened one is an
    /// error token, tested with the parser's messages); braces change what is read, and
    /// `=~`, `!~` are read only inside them.
    private static let punctuation = ["(", ",", "=", "<", ">", "+", "-", "*", "/", "%", "^", "@", "==", "!=", ">=", "<="]
    private static let separators = [" ", "  ", "\t", "\n", "\r\n", "\u{00A0}", "\u{2003}", " # a comment, é 日本 ✓\n"]
    /// String content as written inside double or single quotes, and its value.
    private static let stringPieces: [(written: String, value: String)] = [
        ("a", "a"), ("Z9", "Z9"), ("é", "é"), ("日本", "日本"), ("🙂", "🙂"), ("e\u{301}", "e\u{301}"), (" ", " "),
        (#"\n"#, "\n"), (#"\t"#, "\t"), (#"\\"#, "\\"), (#"\x41"#, "A"), (#"\u00e9"#, "é"), (#"\U0001F642"#, "🙂"), (#"\101"#, "A"),
        (#"\a"#, "\u{07}"), (#"\v"#, "\u{0B}"), ("`", "`"),
    ]

    private static func token(_ random: inout SeededRandom) -> Written {
        func pick<T>(_ items: [T]) -> T { items[Int(random.next() % UInt64(items.count))] }
        switch random.next() % 5 {
        case 0:
            let first = Array("abcXYZ_:")
            let rest = Array("abcXYZ_:019")
            var word = String(pick(first))
            for _ in 0..<Int(random.next() % 12) { word.append(pick(rest)) }
            if word.count == 3, ["inf", "nan"].contains(word.lowercased()) { word += "x" }
            return Written(text: word, kind: .identifier(word))
        case 1:
            let numbers: [(String, Double)] = [
                ("0", 0), ("42", 42), ("1.5", 1.5), (".5", 0.5), ("1e3", 1000), ("2.5E-2", 0.025), ("0x1F", 31), ("Inf", .infinity),
                ("inf", .infinity), ("1e+2", 100),
            ]
            let (text, value) = pick(numbers)
            return Written(text: text, kind: .number(value))
        case 2:
            let durations: [(String, Int64)] = [("5m", 300_000), ("1h30m", 5_400_000), ("100ms", 100), ("2d", 172_800_000), ("1y2w", 32_745_600_000)]
            let (text, ms) = pick(durations)
            return Written(text: text, kind: .duration(ms, text: text))
        case 3:
            var written = ""
            var value = ""
            for _ in 0..<Int(random.next() % 6) {
                let piece = pick(stringPieces)
                written += piece.written
                value += piece.value
            }
            if random.next() % 4 == 0 {
                // Raw: no escapes, any character but the backquote.
                let raw = written.replacingOccurrences(of: "`", with: "'")
                return Written(text: "`" + raw + "`", kind: .string(raw))
            }
            let quote = random.next() % 2 == 0 ? "\"" : "'"
            return Written(text: quote + written + quote, kind: .string(value))
        default:
            let punct = pick(punctuation)
            return Written(text: punct, kind: .punct(punct))
        }
    }

    @Test(arguments: [1, 2, 3, 4])
    func randomTokenSequences_lexBackToTheirTokens_atTheirBytePositions(seed: UInt64) throws {
        var random = SeededRandom(seed: seed)
        for _ in 0..<300 {
            var text = ""
            var expected: [Token] = []
            for _ in 0..<Int(random.next() % 12) {
                text += Self.separators[Int(random.next() % UInt64(Self.separators.count))]
                let written = Self.token(&random)
                expected.append(Token(kind: written.kind, position: text.utf8.count))
                text += written.text
                // A separator after every token: two punctuation marks or a number and a
                // name written together would be other tokens.
                text += " "
            }
            for _ in 0..<expected.filter({ $0.kind == .punct("(") }).count {
                expected.append(Token(kind: .punct(")"), position: text.utf8.count))
                text += ") "
            }
            expected.append(Token(kind: .end, position: text.utf8.count))
            let tokens = try Lexer.tokens(text)
            #expect(tokens == expected, "text: \(text.debugDescription)")
        }
    }

    @Test func errors_nameTheirBytePositionAndTheWholeCharacter() {
        func message(_ text: String) -> String? {
            do {
                // An error token, or a thrown error.
                for token in try Lexer.tokens(text) {
                    if case .error(let message) = token.kind { return "1:\(token.position + 1): parse error: \(message)" }
                }
                return nil
            } catch {
                return error.message
            }
        }
        // `foo{a="é"} ` is 12 bytes (11 characters).
        #expect(message(#"foo{a="é"} $"#) == #"1:13: parse error: unexpected character: '$'"#)
        #expect(message("a + é") == #"1:5: parse error: unexpected character: 'é'"#)
        #expect(message("a + 🙂") == #"1:5: parse error: unexpected character: '🙂'"#)
        #expect(message("a + \u{1}") == #"1:5: parse error: unexpected character: '\x01'"#)
        #expect(message("a + ?") == #"1:5: parse error: unexpected character: '?'"#)
        #expect(message(#""日本"#) == "1:1: parse error: unterminated quoted string")
        #expect(message(#"'a\é'"#) == #"1:4: parse error: unknown escape sequence "é""#)
        #expect(message(#""\q""#) == #"1:3: parse error: unknown escape sequence "q""#)
        #expect(message(#"'\"'"#) == #"1:3: parse error: unknown escape sequence ""#)
        #expect(message(#""\x4""#) == "1:4: parse error: invalid escape sequence")
        #expect(message("1.5m") == nil, "a duration Prometheus's ParseDuration refuses: the parser says so where it expects one")
        #expect(message("5mm") == #"1:1: parse error: bad number or duration syntax: "5mm""#)
        #expect(message("0x") == #"1:1: parse error: error parsing number: strconv.ParseFloat: parsing "0x": invalid syntax"#)
        #expect(message("\"a\nb\"") == "1:1: parse error: unterminated quoted string")
    }

    @Test func nanAndSubqueryColons_areTheirOwnTokens() throws {
        let tokens = try Lexer.tokens("NaN x[5m:1m]")
        guard case .number(let nan) = tokens[0].kind else {
            Issue.record("NaN is not a number: \(tokens[0])")
            return
        }
        #expect(nan.isNaN)
        #expect(Array(tokens.dropFirst()) == [
            Token(kind: .identifier("x"), position: 4), Token(kind: .punct("["), position: 5), Token(kind: .duration(300_000, text: "5m"), position: 6),
            Token(kind: .punct(":"), position: 8), Token(kind: .duration(60_000, text: "1m"), position: 9), Token(kind: .punct("]"), position: 11),
            Token(kind: .end, position: 12),
        ])
        // Outside brackets a colon is part of a name.
        #expect(try Lexer.tokens("a:b")[0] == Token(kind: .identifier("a:b"), position: 0))
    }
}
