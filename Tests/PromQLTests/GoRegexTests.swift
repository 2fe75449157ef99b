import TachoRegex
import TestSupport
import Testing
@testable import PromQL

/// Go's regexp syntax as Prometheus compiles matchers: refused where Go refuses, with
/// Go's message, before ICU sees the pattern; matched with Go's meaning where ICU's
/// differs. (`PromQLRegexConformanceTests` compares 261 queries with Prometheus itself.)
@Suite struct GoRegexTests {
    func refusal(_ pattern: String) -> String? {
        do {
            _ = try GoRegex(pattern)
            return nil
        } catch {
            return error.code
        }
    }

    @Test func patternsGoRefuses_areRefusedWithGoMessages() {
        #expect(refusal("(?=a)b") == "invalid or unsupported Perl syntax")
        #expect(refusal("(?<n>a)") == "invalid or unsupported Perl syntax")
        #expect(refusal("(a") == "missing closing )")
        #expect(refusal("a)") == "unexpected )")
        #expect(refusal("[a") == "missing closing ]")
        #expect(refusal("a**") == "invalid nested repetition operator")
        #expect(refusal("*a") == "missing argument to repetition operator")
        #expect(refusal("a{1001}") == "invalid repeat count")
        #expect(refusal("(a{40}){30}") == "invalid repeat count")
        #expect(refusal("(a)\\1") == "invalid escape sequence")
        #expect(refusal("[z-a]") == "invalid character class range")
        #expect(refusal("\\p{Klingon}") == "invalid character class range")
        #expect(refusal("\\") == "trailing backslash at end of expression")
        #expect(refusal("(?P<a-b>c)") == "invalid named capture")
    }

    @Test func patternsGoAccepts_compile_evenWhereICUWouldRefuseThem() throws {
        for pattern in ["[[]", "a{,5}", "(?U)a+", "(?)x", "[a&&b]", "x{01}", "^*", "\\Q(\\E", "(?P<_1>a)"] {
            #expect(refusal(pattern) == nil, "\(pattern)")
            _ = try AnchoredRegex(pattern)
        }
    }

    @Test func matching_followsGo_whereICUReadsTheSameTextOtherwise() throws {
        // `$` does not match before a final newline; \d and \w are ASCII; `[` and `&&` in a class are literal.
        #expect(try !AnchoredRegex("abc$").matches("abc\n"))
        #expect(try !AnchoredRegex("\\d+").matches("١٢٣"))
        #expect(try AnchoredRegex("\\d+").matches("123"))
        #expect(try !AnchoredRegex("\\w").matches("é"))
        #expect(try AnchoredRegex("[[]x[]]").matches("[x]"))
        #expect(try AnchoredRegex("[a&&b]+").matches("a&&b"))
        #expect(try AnchoredRegex("a{,5}").matches("a{,5}"))
        #expect(try AnchoredRegex("(?U)(a+)a*").replace("aaa", template: "$1") == "a")
        #expect(try AnchoredRegex("(?P<w>[a-z]+)-(\\d+)").replace("foo-42", template: "$w/${2}") == "foo/42")
    }

    @Test func deepNesting_isRefused_notAStackOverflow() {
        let deep = String(repeating: "(", count: 100_000) + "a" + String(repeating: ")", count: 100_000)
        #expect(refusal(deep) == "expression nests too deeply")
        let fine = String(repeating: "(", count: 200) + "a" + String(repeating: ")", count: 200)
        #expect(refusal(fine) == nil)
    }

    /// A pattern is compiled once per process and shared by later queries (a
    /// dashboard's refreshes send the same long `a|b|c|…` matchers).
    @Test func aLongPattern_isCompiledOnce_andSharedByLaterQueries() throws {
        let pattern = (0..<60).map { "host-\($0)" }.joined(separator: "|")
        #expect(pattern.utf16.count > 256)
        let first = try AnchoredRegex.compiled(pattern)
        let again = try AnchoredRegex.compiled(pattern)
        #expect(first === again)
        #expect(try first.matches("host-42"))
        #expect(try !first.matches("host-60"))
    }

    /// ICU backtracks where Go's RE2 does not: a pattern that would take exponential
    /// time on a value gives up at ICU's step limit and the query fails with an
    /// execution error, instead of holding a thread for ever.
    @Test func catastrophicBacktracking_givesUpWithAnError_notAHungThread() throws {
        let regex = try AnchoredRegex("(a+)+b")
        #expect(try regex.matches("aaab"))
        let clock = ContinuousClock()
        let started = clock.now
        #expect(throws: PromQLError.self) { try regex.matches(String(repeating: "a", count: 64) + "c") }
        #expect(clock.now - started < .seconds(10))
    }
}

/// A pattern's literal prefix refuses values without running the expression; it must
/// never change an answer. The oracle is the same anchored ICU expression run on
/// every value.
@Suite struct RegexLiteralPrefixTests {
    @Test func prefixes_areTheLiteralRunBeforeAnyMetacharacter_lessAQuantifiedLastCharacter() {
        #expect(AnchoredRegex.literalPrefix(of: "i-4.") == "i-4")
        #expect(AnchoredRegex.literalPrefix(of: "api-.*") == "api-")
        #expect(AnchoredRegex.literalPrefix(of: "ab*") == "a")
        #expect(AnchoredRegex.literalPrefix(of: "ab+c") == "a")
        #expect(AnchoredRegex.literalPrefix(of: "ab?") == "a")
        #expect(AnchoredRegex.literalPrefix(of: "a{2}") == nil)
        #expect(AnchoredRegex.literalPrefix(of: "é\u{301}x[0-9]") == "é\u{301}x")
        #expect(AnchoredRegex.literalPrefix(of: "a|b") == nil)
        #expect(AnchoredRegex.literalPrefix(of: "ab(c|d)") == nil, "any | leaves the prefix out")
        #expect(AnchoredRegex.literalPrefix(of: "(?i)abc") == nil)
        #expect(AnchoredRegex.literalPrefix(of: ".*x") == nil)
        #expect(AnchoredRegex.literalPrefix(of: "\\d+") == nil)
        #expect(AnchoredRegex.literalPrefix(of: "x\\.y") == "x")
    }

    @Test(arguments: [1, 2, 3])
    func randomPatternsAndValues_matchAsTheExpressionAlone(seed: UInt64) throws {
        var random = SeededRandom(seed: seed)
        func pick<T>(_ items: [T]) -> T { items[Int(random.next() % UInt64(items.count))] }
        let atoms = ["a", "b", "é", "e", "\u{301}", "-", "4", ".", "[ab]", "\\d", "(a|b)", "(?i)a"]
        let quantifiers = ["", "", "", "*", "+", "?", "{1,2}"]
        let pieces = ["a", "b", "é", "e", "\u{301}", "e\u{301}", "-", "4", "A", "x", "\n"]
        var compared = 0
        for _ in 0..<400 {
            var pattern = ""
            for _ in 0..<Int(random.next() % 5) + 1 { pattern += pick(atoms) + pick(quantifiers) }
            if random.next() % 8 == 0 { pattern += "|" + pick(atoms) }
            guard let regex = try? AnchoredRegex(pattern), let go = try? GoRegex(pattern) else { continue }
            let oracle = try ICURegex(pattern: #"\A(?:"# + go.icuPattern + #")\z"#)
            let matchers = try [LabelMatcher(name: "l", op: .regexMatch, value: pattern), LabelMatcher(name: "l", op: .regexNoMatch, value: pattern)]
            for _ in 0..<40 {
                var value = ""
                // Half the values start with the prefix, so both sides of the check are met.
                if let prefix = regex.prefix, random.next() % 2 == 0 { value = prefix }
                for _ in 0..<Int(random.next() % 5) { value += pick(pieces) }
                #expect(try regex.matches(value) == oracle.matches(value), "pattern \(pattern.debugDescription), value \(value.debugDescription)")
                // A matcher's answer without the expression, where it has one, is its answer.
                for matcher in matchers {
                    if let quick = matcher.quickMatch(value) { #expect(try quick == matcher.matches(value)) }
                }
                compared += 1
            }
        }
        #expect(compared > 4_000)
    }

    @Test func aLiteralPattern_matchesTheSameCodePointsOnly_notACanonicallyEqualText() throws {
        // Go compares code points: `é` (one) is not `e` and a combining accent (two).
        let regex = try AnchoredRegex("\u{E9}")
        #expect(try regex.matches("\u{E9}"))
        #expect(try !regex.matches("e\u{301}"))
    }
}
