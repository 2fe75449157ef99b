import PromQL
import Testing

@Suite struct ParserTests {
    @Test func parse_binaryOperators_followPrometheusPrecedence() throws {
        // ^ is right-associative and binds tighter than unary minus.
        #expect(try value("2 ^ 3 ^ 2") == 512)
        #expect(try value("-2 ^ 2") == -4)
        #expect(try value("1 + 2 * 3 - 4 / 2") == 5)
        #expect(try value("2 * 3 % 4") == 2)
        #expect(try value("(1 + 2) * 3") == 9)
        #expect(try value("1 < bool 2 + 1") == 1)
        #expect(try value("0x10 + 1e1 + .5") == 26.5)
    }

    /// Prometheus values a number with Go's `strconv.ParseInt(text, 0, 64)` first: a
    /// leading zero makes it octal (2.42 on this machine answers `010` with 8).
    @Test func numbers_areValuedAsGoParsesThem_aLeadingZeroOctal() throws {
        #expect(try value("010") == 8)
        #expect(try value("0755") == 493)
        #expect(try value("09") == 9)
        #expect(try value("007.5") == 7.5)
        #expect(try value("0x1F") == 31)
        #expect(try value("00") == 0)
        #expect(try value("1e3") == 1000)
    }

    /// Prometheus's grammar takes an aggregator's name, and `by`, `without`, `offset`,
    /// `and`, `or`, `unless`, as a metric's name where an expression starts (each of
    /// these queries 2.42 answers); `on`, `ignoring`, `group_*`, `bool`, `atan2` never.
    @Test func keywordsAndAggregatorNames_nameMetrics_wherePrometheusTakesThem() throws {
        for query in [
            "sum", #"sum{a="b"}"#, "sum + 1", "SUM", "by", "x + by", "offset", "x + offset", "and", "x + and", "without", "topk",
            "count_values", "group", "x offset 5m + sum", "sum by (a) (sum)", "rate(sum[5m])", "sum[5m]", "x + by offset 5m", "and and and",
            #"label_join(x, "a", ",")"#, "x offset -5m", "x @ start() [5m]",
        ] {
            #expect(message(query) == nil, "\(query)")
        }
        guard case .vectorSelector(let selector) = try Parser.parse("sum") else {
            Issue.record("sum is not a selector")
            return
        }
        #expect(selector.writtenName == "sum")
        guard case .aggregate(.sum, _, _, let grouping, _) = try Parser.parse("sum by (a) (sum)") else {
            Issue.record("sum by (a) (sum) is not an aggregation")
            return
        }
        #expect(grouping == ["a"])
        #expect(message("on") == "1:1: parse error: unexpected <on>")
        #expect(message("bool") == "1:1: parse error: unexpected <bool>")
        #expect(message("atan2") == "1:1: parse error: unexpected <op:atan2>")
    }

    /// Each query's error as Debian's Prometheus 2.42 answered it on this machine
    /// (`/api/v1/query`, the text after `invalid parameter "query": `): type errors at
    /// the node Prometheus names, number, duration and regex errors in Go's words.
    /// (Not matched on purpose: `@ 1`, where 2.42 names the token `"<Item 57385>"`.)
    @Test(arguments: [
        ("rate(foo)", #"1:6: parse error: expected type range vector in call to function "rate", got instant vector"#),
        ("abs(1)", #"1:5: parse error: expected type instant vector in call to function "abs", got scalar"#),
        ("vector(foo)", #"1:8: parse error: expected type scalar in call to function "vector", got instant vector"#),
        ("scalar(1)", #"1:8: parse error: expected type instant vector in call to function "scalar", got scalar"#),
        ("1 and 2", #"1:1: parse error: set operator "and" not allowed in binary scalar expression"#),
        ("foo and 1", #"1:1: parse error: set operator "and" not allowed in binary scalar expression"#),
        ("1 or foo", #"1:1: parse error: set operator "or" not allowed in binary scalar expression"#),
        ("foo[1m] + 1", "1:1: parse error: binary expression must contain only scalar and instant vector types"),
        ("1 + foo[1m]", "1:5: parse error: binary expression must contain only scalar and instant vector types"),
        ("-foo[1m]", #"1:1: parse error: unary expression only allowed on expressions of type scalar or instant vector, got "range vector""#),
        ("- foo[1m]", #"1:1: parse error: unary expression only allowed on expressions of type scalar or instant vector, got "range vector""#),
        ("(foo[1m]) + 1", "1:1: parse error: binary expression must contain only scalar and instant vector types"),
        ("1 == 2", "1:3: parse error: comparisons between scalars must use BOOL modifier"),
        ("1 ==  \n 2", "1:3: parse error: comparisons between scalars must use BOOL modifier"),
        ("(1) > (2)", "1:5: parse error: comparisons between scalars must use BOOL modifier"),
        ("foo + on(a) group_left(a) bar", #"1:5: parse error: label "a" must not occur in ON and GROUP clause at once"#),
        ("foo + on(a) 1", "1:1: parse error: vector matching only allowed between instant vectors"),
        ("1 + on(a) foo", "1:1: parse error: vector matching only allowed between instant vectors"),
        ("foo and on(a) group_left bar", #"1:1: parse error: no grouping allowed for "and" operation"#),
        ("sum(1)", "1:5: parse error: expected type instant vector in aggregation expression, got scalar"),
        ("sum(foo[1m])", "1:5: parse error: expected type instant vector in aggregation expression, got range vector"),
        ("topk(foo, bar)", "1:6: parse error: expected type scalar in aggregation parameter, got instant vector"),
        ("count_values(1, foo)", "1:14: parse error: expected type string in aggregation parameter, got scalar"),
        ("quantile(foo, bar)", "1:10: parse error: expected type scalar in aggregation parameter, got instant vector"),
        ("sum(rate(foo))", #"1:10: parse error: expected type range vector in call to function "rate", got instant vector"#),
        ("rate(foo) + abs(1)", #"1:6: parse error: expected type range vector in call to function "rate", got instant vector"#),
        ("abs(rate(foo))", #"1:10: parse error: expected type range vector in call to function "rate", got instant vector"#),
        (#"label_replace(foo, 1, "a", "b", "c")"#, #"1:20: parse error: expected type string in call to function "label_replace", got scalar"#),
        ("foo[5m][1m:]", "1:1: parse error: subquery is only allowed on instant vector, got matrix instead"),
        ("(foo[5m])[1m:]", "1:1: parse error: subquery is only allowed on instant vector, got matrix instead"),
        ("abs(foo[1m:])", #"1:5: parse error: expected type instant vector in call to function "abs", got range vector"#),
        ("rate(abs(1)[1m:])", #"1:10: parse error: expected type instant vector in call to function "abs", got scalar"#),
        (#"round(foo, "a")"#, #"1:12: parse error: expected type scalar in call to function "round", got string"#),
        ("clamp(foo, 1)", #"1:1: parse error: expected 3 argument(s) in call to "clamp", got 2"#),
        ("time(foo)", #"1:1: parse error: expected 0 argument(s) in call to "time", got 1"#),
        ("days_in_month(1)", #"1:15: parse error: expected type instant vector in call to function "days_in_month", got scalar"#),
        ("sort(1)", #"1:6: parse error: expected type instant vector in call to function "sort", got scalar"#),
        ("  rate(foo)", #"1:8: parse error: expected type range vector in call to function "rate", got instant vector"#),
        ("x + \n rate(foo)", #"2:7: parse error: expected type range vector in call to function "rate", got instant vector"#),
        ("histogram_quantile(foo, bar)", #"1:20: parse error: expected type scalar in call to function "histogram_quantile", got instant vector"#),
        (#""a" + 1"#, "1:1: parse error: binary expression must contain only scalar and instant vector types"),
        (#"-"a""#, #"1:1: parse error: unary expression only allowed on expressions of type scalar or instant vector, got "string""#),
        (#"sum("a")"#, "1:5: parse error: expected type instant vector in aggregation expression, got string"),
        ("foo offset 1m offset 2m", "1:1: parse error: offset may not be set multiple times"),
        ("foo[1m] offset 1m offset 2m", "1:1: parse error: offset may not be set multiple times"),
        ("(foo) offset 1m", "1:1: parse error: offset modifier must be preceded by an instant vector selector or range vector selector or a subquery"),
        ("foo @ 1 @ 2", "1:1: parse error: @ <timestamp> may not be set multiple times"),
        ("rate(foo[1m]) offset 1m", "1:1: parse error: offset modifier must be preceded by an instant vector selector or range vector selector or a subquery"),
        (#"foo{__name__="a"}"#, #"1:1: parse error: metric name must not be set twice: "foo" or "a""#),
        (#"  {a=""}"#, "1:3: parse error: vector selector must contain at least one non-empty matcher"),
        (#"x + {a=~".*"}"#, "1:5: parse error: vector selector must contain at least one non-empty matcher"),
        ("topk(1, foo) by (a) + rate(x)", #"1:28: parse error: expected type range vector in call to function "rate", got instant vector"#),
        ("1 + 2 bool", "1:7: parse error: unexpected <bool>"),
        ("1_000", #"1:1: parse error: bad number or duration syntax: "1""#),
        ("0b11", #"1:1: parse error: bad number or duration syntax: "0""#),
        ("1e5x", #"1:1: parse error: bad number or duration syntax: "1e5""#),
        ("5x", #"1:1: parse error: bad number or duration syntax: "5""#),
        ("foo[5x]", #"1:5: parse error: bad duration syntax: "5""#),
        ("foo[5]", "1:5: parse error: missing unit character in duration"),
        ("1.5e", #"1:1: parse error: error parsing number: strconv.ParseFloat: parsing "1.5e": invalid syntax"#),
        ("0x1p-2", #"1:1: parse error: bad number or duration syntax: "0x1""#),
        ("foo[1.5m]", #"1:5: parse error: not a valid duration string: "1.5m""#),
        (#"foo{a=~"a**"}"#, "1:5: parse error: error parsing regexp: invalid nested repetition operator: `**`"),
        (#"foo{a=~"[a"}"#, "1:5: parse error: error parsing regexp: missing closing ]: `[a)$`"),
        (#"foo{a=~"a)"}"#, "1:5: parse error: error parsing regexp: unexpected ): `^(?:a))$`"),
        ("foo[5m:1]", #"1:8: parse error: unexpected number "1" in subquery selector, expected duration or "]""#),
        ("foo[5m:1x]", #"1:8: parse error: bad number or duration syntax: "1""#),
        ("foo[5hs]", #"1:5: parse error: not a valid duration string: "5hs""#),
        ("foo[5m5m]", #"1:5: parse error: not a valid duration string: "5m5m""#),
        ("foo[1y2y]", #"1:5: parse error: bad duration syntax: "1y2""#),
        ("1 + 5x", #"1:5: parse error: bad number or duration syntax: "5""#),
        ("foo[]", "1:5: parse error: missing unit character in duration"),
        ("foo[x]", #"1:5: parse error: bad duration syntax: """#),
        ("foo[5mx]", #"1:5: parse error: bad duration syntax: "5mx""#),
        ("1e400", #"1:1: parse error: error parsing number: strconv.ParseFloat: parsing "1e400": value out of range"#),
        ("rate(foo[", "1:10: parse error: missing unit character in duration"),
        ("1.5m", #"1:1: parse error: unexpected duration "1.5m""#),
        ("5m", #"1:1: parse error: unexpected duration "5m""#),
        ("x offset 5hs", #"1:10: parse error: not a valid duration string: "5hs""#),
        ("0x", #"1:1: parse error: error parsing number: strconv.ParseFloat: parsing "0x": invalid syntax"#),
        ("foo[", "1:5: parse error: missing unit character in duration"),
        ("*", "1:1: parse error: unexpected <op:*>"),
        ("1 == bool 2 bool", "1:13: parse error: unexpected <bool>"),
        ("sum by (a) (x) by (b)", "1:16: parse error: unexpected <by>"),
        ("BOOL", "1:1: parse error: unexpected <BOOL>"),
        ("x and on(a) group_left 1", "1:1: parse error: vector matching only allowed between instant vectors"),
        ("topk(foo)", "1:1: parse error: wrong number of arguments for aggregate expression provided, expected 2, got 1"),
        ("count_values(x)", "1:1: parse error: wrong number of arguments for aggregate expression provided, expected 2, got 1"),
        (#"{a=""}"#, "1:1: parse error: vector selector must contain at least one non-empty matcher"),
        ("sum(x,", "1:7: parse error: unclosed left parenthesis"),
        ("sum(", "1:5: parse error: unclosed left parenthesis"),
        ("sum by (", "1:9: parse error: unclosed left parenthesis"),
        ("sum(x) by (a,", "1:14: parse error: unclosed left parenthesis"),
        ("rate(", "1:6: parse error: unclosed left parenthesis"),
        ("rate(x", "1:7: parse error: unclosed left parenthesis"),
        ("label_replace(x,", "1:17: parse error: unclosed left parenthesis"),
        (#"foo{a="b" c}"#, #"1:11: parse error: unexpected identifier "c" in label matching, expected "," or "}""#),
        ("x[5m:", "1:6: parse error: unclosed left bracket"),
        ("x[5m:1m", "1:8: parse error: unclosed left bracket"),
        ("x @", "1:4: parse error: unexpected end of input in @, expected timestamp"),
        ("x @ start(", "1:11: parse error: unclosed left parenthesis"),
        ("topk(1,)", "1:7: parse error: trailing commas not allowed in function call args"),
        ("sum(x y)", #"1:7: parse error: unexpected identifier "y" in aggregation"#),
        ("x y", #"1:3: parse error: unexpected identifier "y""#),
        ("1 2", #"1:3: parse error: unexpected number "2""#),
        ("sum by (a) x", #"1:12: parse error: unexpected identifier "x" in aggregation"#),
        ("sum by a (x)", #"1:8: parse error: unexpected identifier "a" in grouping opts, expected "(""#),
        ("sum()", "1:1: parse error: no arguments for aggregate expression provided"),
        ("rate()", #"1:1: parse error: expected 1 argument(s) in call to "rate", got 0"#),
        ("rate(x[5m],)", "1:11: parse error: trailing commas not allowed in function call args"),
        ("x{a=}", #"1:5: parse error: unexpected "}" in label matching, expected string"#),
        ("x{=1}", #"1:3: parse error: unexpected "=" in label matching, expected identifier or "}""#),
        (#"x{a="b",,}"#, #"1:9: parse error: unexpected "," in label matching, expected identifier or "}""#),
        ("x[5m", "1:5: parse error: unclosed left bracket"),
        ("sum(x) without", #"1:15: parse error: unexpected end of input in grouping opts, expected "(""#),
        ("abs(x", "1:6: parse error: unclosed left parenthesis"),
        ("vector()", #"1:1: parse error: expected 1 argument(s) in call to "vector", got 0"#),
        ("x offset -", "1:11: parse error: unexpected end of input in offset, expected duration"),
        ("x[5m] @", "1:8: parse error: unexpected end of input in @, expected timestamp"),
        ("x ==", "1:5: parse error: unexpected end of input"),
        ("(", "1:2: parse error: unclosed left parenthesis"),
        (")", "1:2: parse error: unexpected right parenthesis ')'"),
        ("x[5m:]]", "1:7: parse error: unexpected right bracket ']'"),
        (#"count_values("a", x) by"#, #"1:24: parse error: unexpected end of input in grouping opts, expected "(""#),
        ("rate(x y)", #"1:8: parse error: unexpected identifier "y""#),
        ("abs(x,)", "1:6: parse error: trailing commas not allowed in function call args"),
        ("abs()", #"1:1: parse error: expected 1 argument(s) in call to "abs", got 0"#),
        ("abs(,)", #"1:5: parse error: unexpected ",""#),
        ("sum(x,)", "1:6: parse error: trailing commas not allowed in function call args"),
        ("topk(1 x)", #"1:8: parse error: unexpected identifier "x" in aggregation"#),
        ("sum(,)", #"1:5: parse error: unexpected "," in aggregation"#),
        ("sum by (a) ()", "1:1: parse error: no arguments for aggregate expression provided"),
        ("sum without (a)", "1:16: parse error: unexpected end of input in aggregation"),
        ("sum(x) by (a) y", #"1:15: parse error: unexpected identifier "y""#),
        ("sum(1 +)", #"1:8: parse error: unexpected ")" in aggregation"#),
        ("abs(1 +)", #"1:8: parse error: unexpected ")""#),
        ("sum(rate(x y))", #"1:12: parse error: unexpected identifier "y" in aggregation"#),
        (#"sum(x{a="b"} y)"#, #"1:14: parse error: unexpected identifier "y" in aggregation"#),
        ("sum(x[5m] y)", #"1:11: parse error: unexpected identifier "y" in aggregation"#),
        ("topk(1, x y)", #"1:11: parse error: unexpected identifier "y" in aggregation"#),
        ("sum by (a) (x y)", #"1:15: parse error: unexpected identifier "y" in aggregation"#),
        ("sum(,x)", #"1:5: parse error: unexpected "," in aggregation"#),
        ("sum(x,,y)", "1:6: parse error: trailing commas not allowed in function call args"),
        ("abs(x,,y)", "1:6: parse error: trailing commas not allowed in function call args"),
        ("(x y)", #"1:4: parse error: unexpected identifier "y""#),
        ("sum((x y))", #"1:8: parse error: unexpected identifier "y" in aggregation"#),
        ("(1 +)", #"1:5: parse error: unexpected ")""#),
        ("sum(x offset y)", #"1:14: parse error: unexpected identifier "y" in offset, expected duration"#),
        (#"sum(x{a="b" c})"#, #"1:13: parse error: unexpected identifier "c" in label matching, expected "," or "}""#),
        ("sum by (a b) (x)", #"1:11: parse error: unexpected identifier "b" in grouping opts, expected "," or ")""#),
        ("abs((x y))", #"1:8: parse error: unexpected identifier "y""#),
        ("abs(sum(x y))", #"1:11: parse error: unexpected identifier "y" in aggregation"#),
        ("sum(abs(x y))", #"1:11: parse error: unexpected identifier "y" in aggregation"#),
        ("x offset 5m [5m]", "1:13: parse error: no offset modifiers allowed before range"),
        ("(x)[5m]", "1:4: parse error: ranges only allowed for vector selectors"),
        ("1 [5m]", "1:3: parse error: ranges only allowed for vector selectors"),
        ("x @ 1 [5m]", "1:7: parse error: no @ modifiers allowed before range"),
        ("abs() bool", "1:7: parse error: unexpected <bool>"),
        ("abs(x, y) +", "1:12: parse error: unexpected end of input"),
        ("round(x, 1, 2)", #"1:1: parse error: expected at most 2 argument(s) in call to "round", got 3"#),
        ("label_join(x)", #"1:1: parse error: expected at least 3 argument(s) in call to "label_join", got 1"#),
        ("x (", "1:4: parse error: unclosed left parenthesis"),
        ("by (", #"1:4: parse error: unexpected "(""#),
        ("topk(by ()", #"1:9: parse error: unexpected "(" in aggregation"#),
        ("(by) + topk(x offset 5m) }", "1:26: parse error: unexpected character: '}'"),
        ("x offset +5m", "1:10: parse error: unexpected <op:+> in offset, expected duration"),
        (#""a" "b""#, #"1:5: parse error: unexpected string "\"b\"""#),
        ("1 0x1F", #"1:3: parse error: unexpected number "0x1F""#),
        ("1 1e3", #"1:3: parse error: unexpected number "1e3""#),
        ("1 `a`", #"1:3: parse error: unexpected string "`a`""#),
        ("x{a by}", #"1:5: parse error: unexpected identifier "by" in label matching, expected label matching operator"#),
        (#"x{by="1" sum}"#, #"1:10: parse error: unexpected identifier "sum" in label matching, expected "," or "}""#),
        ("clamp_min(2.5) bool", "1:16: parse error: unexpected <bool>"),
        ("010 [5m]", "1:5: parse error: ranges only allowed for vector selectors"),
        ("nosuch(1 +)", #"1:11: parse error: unexpected ")""#),
        ("x[0s]", "1:3: parse error: duration must be greater than 0"),
        ("x[5m:0s]", "1:6: parse error: duration must be greater than 0"),
        ("x[0s:1m]", "1:3: parse error: duration must be greater than 0"),
        ("x offset 0s", "1:10: parse error: duration must be greater than 0"),
        ("x @ 1e20", "1:1: parse error: timestamp out of bounds for @ modifier: 100000000000000000000.000000"),
        ("x @ NaN", "1:1: parse error: timestamp out of bounds for @ modifier: NaN"),
        ("x @ Inf", "1:1: parse error: timestamp out of bounds for @ modifier: +Inf"),
        ("x @ -1e20", "1:1: parse error: timestamp out of bounds for @ modifier: -100000000000000000000.000000"),
        ("x + on(a) group_left 5m", #"1:22: parse error: unexpected duration "5m" in grouping opts, expected "(""#),
        ("x + on(a) group_left", #"1:21: parse error: unexpected end of input in grouping opts, expected "(""#),
        ("x + on(a) group_left bool", #"1:22: parse error: unexpected <bool> in grouping opts, expected "(""#),
    ])
    func parseErrors_areWordedAndPlacedAsPrometheus242Does(query: String, expected: String) {
        #expect(message(query) == expected, "\(query.debugDescription)")
    }

    private func message(_ text: String) -> String? {
        do {
            _ = try Parser.parse(text)
            return nil
        } catch {
            return error.message
        }
    }

    @Test func parseErrors_nameLineAndByteColumn_asPrometheus242Does() {
        // Each message as Prometheus 2.42 answered the same query (checked by hand
        // against Debian's prometheus; the conformance suite compares error types only).
        #expect(message("up\n  + $") == "2:5: parse error: unexpected character: '$'")
        #expect(message("1 +\n  nosuch(x)") == #"2:3: parse error: unknown function with name "nosuch""#)
        #expect(message(#"foo{a="é"} $"#) == "1:13: parse error: unexpected character: '$'")
        #expect(message("nosuch(x)") == #"1:1: parse error: unknown function with name "nosuch""#)
    }

    @Test func whatIsLeftOpenOrClosedTwice_isNamedAsPrometheus242NamesIt_unlessASyntaxErrorComesFirst() {
        // Prometheus 2.42's answers to the same queries (checked by hand against Debian's
        // prometheus, 2026-12-04): its lexer's errors, reached where its parser reaches them.
        let cases: [(String, String)] = [
            ("sum(rate(x[5m])", "1:16: parse error: unclosed left parenthesis"),
            ("sum(\n  rate(x[5m]\n", "3:1: parse error: unclosed left parenthesis"),
            ("((1)", "1:5: parse error: unclosed left parenthesis"),
            ("sum by (a", "1:10: parse error: unclosed left parenthesis"),
            ("1+2)", "1:5: parse error: unexpected right parenthesis ')'"),
            ("foo[5m", "1:7: parse error: unclosed left bracket"),
            ("a[1m:5m", "1:8: parse error: unclosed left bracket"),
            ("foo[5m]]", "1:8: parse error: unexpected right bracket ']'"),
            ("foo{", "1:5: parse error: unexpected end of input inside braces"),
            ("a + \n\nfoo{", "3:5: parse error: unexpected end of input inside braces"),
            (#"foo{a="b","#, "1:11: parse error: unexpected end of input inside braces"),
            (#"sum({__name__=~"a.*""#, "1:21: parse error: unexpected end of input inside braces"),
            ("foo{a=1}", "1:7: parse error: unexpected character inside braces: '1'"),
            (#"foo{a:b="c"}"#, "1:6: parse error: unexpected character inside braces: ':'"),
            (#"foo{a!"x"}"#, #"1:6: parse error: unexpected character after '!' inside braces: '"'"#),
            ("foo{{", "1:5: parse error: unexpected left brace '{'"),
            ("x}", "1:2: parse error: unexpected character: '}'"),
            (#"foo{a="b"}}"#, "1:11: parse error: unexpected character: '}'"),
            (#"foo =~ "x""#, "1:5: parse error: unexpected character after '=': '~'"),
            (#"foo !~ "x""#, "1:5: parse error: unexpected character after '!': '~'"),
            ("foo ! 1", "1:5: parse error: unexpected character after '!': ' '"),
            ("`abc", "1:1: parse error: unterminated raw string"),
            ("'abc", "1:1: parse error: unterminated quoted string"),
            ("", "1:1: parse error: no expression found in input"),
            (" # nothing", "1:1: parse error: no expression found in input"),
            // A syntax error before the end is the one named, as Prometheus's parser
            // stops there before its lexer reaches the unclosed parenthesis.
            (#"foo{a="b"} 3 ("#, #"1:12: parse error: unexpected number "3""#),
        ]
        for (text, expected) in cases { #expect(message(text) == expected, "\(text)") }
        // Keywords and `Inf`/`NaN` are label names inside braces.
        #expect(message(#"foo{nan="x", inf="1", by=~"y"}"#) == nil)
        #expect(message("foo # a comment (") == nil)
    }

    @Test func parse_selectors_keepMatchersOffsetAndAt() throws {
        let expr = try Parser.parse(#"rate(http_requests_total{job="api", code!~"5.."}[5m] offset 1m @ 1700000000)"#)
        guard case .call(let function, let args) = expr, case .matrixSelector(let selector, let rangeMs) = args[0] else {
            Issue.record("not a call over a range selector: \(expr)")
            return
        }
        #expect(function.name == "rate")
        #expect(rangeMs == 300_000)
        #expect(selector.offsetMs == 60_000)
        #expect(selector.at == .timestampMs(1_700_000_000_000))
        #expect(selector.matchers.map(\.description) == [#"__name__="http_requests_total""#, #"job="api""#, #"code!~"5..""#])
    }

    @Test func parse_aggregation_acceptsGroupingBeforeOrAfterArguments() throws {
        let before = try Parser.parse("sum by (job) (up)")
        let after = try Parser.parse("sum(up) by (job)")
        #expect(before == after)
        guard case .aggregate(.topk, _, let parameter, let grouping, let without) = try Parser.parse("topk without (a, b,) (3, up)") else {
            Issue.record("topk did not parse as an aggregation")
            return
        }
        #expect(parameter == .number(3))
        #expect(grouping == ["a", "b"])
        #expect(without)
    }

    @Test func parse_durationsAndStrings_followGoRules() throws {
        #expect(Parser.duration("1h30m") == 5_400_000)
        #expect(Parser.duration("100ms") == 100)
        #expect(Parser.duration("1w") == 604_800_000)
        #expect(Parser.duration("30m1h") == nil)
        guard case .string(let text) = try Parser.parse(#""a\tb\u00e9\"""#) else {
            Issue.record("not a string")
            return
        }
        #expect(text == "a\tbé\"")
        #expect(try Parser.parse("`raw\\n`") == .string("raw\\n"))
        #expect(try Parser.parse("'single'") == .string("single"))
    }

    /// Found by `tools/fuzz promql`: `x @ 1966…6` converted the milliseconds to Int64 and
    /// trapped the process (any query from the network could); a duration whose units sum
    /// past int64 (`292000000y15000000000w`) trapped the same way. Both are refused now.
    @Test func parse_outOfRangeAtTimestampsAndDurations_areRefusedNotTrapped() throws {
        #expect(throws: PromQLError.self) { try Parser.parse("x @ 19666666666666666666666666666666666") }
        #expect(throws: PromQLError.self) { try Parser.parse("x @ -1e300") }
        #expect(Parser.duration("292000000y15000000000w") == nil)
        #expect(throws: PromQLError.self) { try Parser.parse("x[292000000y15000000000w]") }
        _ = try Parser.parse("x @ 9000000000000000")
        #expect(Parser.duration("292000000y") == Int64(9_208_512_000_000_000_000))
    }

    @Test func parse_subqueryAndBinaryModifiers() throws {
        guard case .call(_, let args) = try Parser.parse("max_over_time(rate(x[1m])[10m:30s] offset 1m)"),
              case .subquery(_, let rangeMs, let stepMs, let offsetMs, nil) = args[0] else {
            Issue.record("no subquery")
            return
        }
        #expect(rangeMs == 600_000 && stepMs == 30_000 && offsetMs == 60_000)
        guard case .binary(.div, _, _, let matching, false) = try Parser.parse("a / on(x) group_left(y) b") else {
            Issue.record("no binary")
            return
        }
        #expect(matching == VectorMatching(cardinality: .manyToOne, labels: ["x"], on: true, include: ["y"]))
    }

    @Test(arguments: [
        ("rate(x[5m]", "unclosed left parenthesis"),
        ("foo{", "unexpected end of input"),
        ("1 +", "unexpected end of input"),
        ("nosuchfunc(x)", #"unknown function with name "nosuchfunc""#),
        ("rate(x)", "expected type range vector in call to function \"rate\", got instant vector"),
        ("sum(x[5m])", "1:5: parse error: expected type instant vector in aggregation expression, got range vector"),
        ("1 > 2", "comparisons between scalars must use BOOL modifier"),
        ("x + bool y", "bool modifier can only be used on comparison operators"),
        ("x and on(a) group_left y", "1:1: parse error: no grouping allowed for \"and\" operation"),
        ("{}", "vector selector must contain at least one non-empty matcher"),
        (#"{a=~".*"}"#, "vector selector must contain at least one non-empty matcher"),
        ("(x)[5m]", "ranges only allowed for vector selectors"),
        ("rate(x[5m]) offset 1m", "offset modifier must be preceded by"),
        ("x offset 1m offset 2m", "offset may not be set multiple times"),
        ("x[5m] + 1", "binary expression must contain only scalar and instant vector types"),
        (#"x{a=~"("}"#, "1:3: parse error: error parsing regexp: missing closing ): `^(?:()$`"),
        ("histogram_count(x)", "not supported by Tacho"),
        ("5m", "unexpected duration"),
        ("x @ foo()", "unexpected identifier"),
        ("topk(x)", "wrong number of arguments for aggregate expression provided, expected 2, got 1"),
    ])
    func parse_invalidQuery_isBadDataNamingTheProblem(query: String, message: String) {
        do {
            let expr = try Parser.parse(query)
            Issue.record("\(query) parsed as \(expr)")
        } catch {
            #expect(error.kind == .badData)
            #expect(error.message.contains(message), "\(query): \(error.message)")
        }
    }

    private func value(_ text: String) throws -> Double? {
        guard case .scalar(_, let v) = try Evaluator.instant(try Parser.parse(text), atMs: 0, source: InMemorySampleSource([])) else { return nil }
        return v
    }
}
