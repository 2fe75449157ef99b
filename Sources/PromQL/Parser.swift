import Foundation

/// Parses PromQL text into an `Expr`, with Prometheus's grammar, precedence and
/// type checks. Errors are `bad_data` with the position, as Prometheus words them.
public struct Parser {
    private var tokens: [Token]
    private var position = 0
    /// How many aggregations' arguments the parser is in.
    private var aggregationDepth = 0

    public static func parse(_ text: String) throws(PromQLError) -> Expr {
        do throws(PromQLError) {
            var parser = Parser(tokens: try Lexer.tokens(text), text: text)
            guard parser.current.kind != .end else { throw PromQLError.badData("1:1: parse error: no expression found in input") }
            let (expr, spot) = try parser.expression(minPrecedence: 0)
            guard parser.current.kind == .end else { throw parser.unexpected("") }
            // As Prometheus: the types are checked once the text parsed whole, so a
            // syntax error anywhere is named before any type error.
            try TypeCheck.check(expr, spot)
            return expr
        } catch {
            throw placed(error, in: text)
        }
    }

    /// The lexer and the parser name a parse error's place as `1:<byte offset + 1>`;
    /// Prometheus names it `line:column`, the column counted in bytes from the line's
    /// start, so that a multi-line query (a Grafana panel's) points at the right line.
    static func placed(_ error: PromQLError, in text: String) -> PromQLError {
        guard error.kind == .badData, error.message.hasPrefix("1:") else { return error }
        let rest = error.message.dropFirst(2)
        guard let colon = rest.firstIndex(of: ":"), let column = Int(rest[..<colon]), column >= 1 else { return error }
        let offset = column - 1
        let bytes = text.utf8
        guard offset <= bytes.count else { return error }
        var line = 1
        var lastBreak = -1
        for (position, byte) in bytes.prefix(offset).enumerated() where byte == UInt8(ascii: "\n") {
            line += 1
            lastBreak = position
        }
        guard line > 1 else { return error }
        return .badData("\(line):\(offset - lastBreak)\(rest[colon...])")
    }

    /// A duration alone, as the HTTP API's `step` and `timeout` accept.
    public static func duration(_ text: String) -> Int64? {
        guard let tokens = try? Lexer.tokens(text), tokens.count == 2, case .duration(let ms?, _) = tokens[0].kind else { return nil }
        return ms
    }

    private init(tokens: [Token], text: String) {
        self.tokens = tokens
        self.text = text
    }

    /// The query, for naming a number or string token as it was written.
    private let text: String

    private var current: Token { tokens[position] }
    private mutating func advance() { if position < tokens.count - 1 { position += 1 } }

    private func isPunct(_ p: String) -> Bool { current.kind == .punct(p) }
    private func isWord(_ w: String) -> Bool {
        if case .identifier(let word) = current.kind { return word.lowercased() == w }
        return false
    }

    /// Prometheus's keyword items (not operators, not aggregators).
    private static let keywords: Set<String> = ["bool", "by", "without", "on", "ignoring", "group_left", "group_right", "offset"]

    /// Keywords Prometheus's grammar does not take as a metric's name.
    private static let keywordsNeverMetricNames: Set<String> = ["on", "ignoring", "group_left", "group_right", "bool", "atan2"]

    /// Keywords Prometheus's grammar takes as a metric's name where an expression starts.
    private static let keywordsNamingMetrics: Set<String> = ["by", "without", "offset", "and", "or", "unless"]

    /// A token as Prometheus's parser names it: keywords, operators and aggregators by
    /// their item names (`<bool>`, `<op:*>`, `<aggr:sum>`), as it spells them.
    private func describe(_ token: Token, insideBraces: Bool) -> String {
        switch token.kind {
        case .identifier(let w) where insideBraces:
            // Prometheus's lexer reads every word inside braces as a label name.
            return "identifier \(quoted(w))"
        case .identifier(let w):
            let word = w.lowercased()
            if Self.keywords.contains(word) { return "<\(w)>" }
            if BinaryOp(rawValue: word) != nil { return "<op:\(w)>" }
            if Aggregation(rawValue: word) != nil { return "<aggr:\(w)>" }
            if word == "start" || word == "end" { return quoted(w) }
            return "identifier \(quoted(w))"
        case .number: return "number \(quoted(Lexer.written(token, in: text)))"
        case .duration(_, let text): return "duration \(quoted(text))"
        case .string: return "string \(quoted(Lexer.written(token, in: text)))"
        case .punct(let p): return BinaryOp(rawValue: p) != nil ? "<op:\(p)>" : quoted(p)
        case .error(let message): return message
        case .end: return "end of input"
        }
    }

    /// Whether an operand can begin with `token`.
    private func startsAnExpression(_ token: Token) -> Bool {
        switch token.kind {
        case .identifier(let word): !Self.keywordsNeverMetricNames.contains(word.lowercased())
        case .number, .string: true
        case .punct(let p): p == "(" || p == "{" || p == "-" || p == "+"
        case .duration, .error, .end: false
        }
    }

    /// A number as Go's `%f` prints it (`+Inf`, `NaN`, six decimals), which one message shows.
    static func goFixed(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        return String(format: "%.6f", value)
    }

    /// An unexpected token. Without a context of its own, one met anywhere inside an
    /// aggregation's arguments is `in aggregation`: Prometheus's grammar has an error
    /// rule there and none for calls or parentheses.
    private func unexpected(_ context: String, insideBraces: Bool = false) -> PromQLError {
        if case .error(let message) = current.kind { return .badData("1:\(current.position + 1): parse error: \(message)") }
        let what = describe(current, insideBraces: insideBraces)
        let context = context.isEmpty && aggregationDepth > 0 ? "in aggregation" : context
        return .badData("1:\(current.position + 1): parse error: unexpected \(what)\(context.isEmpty ? "" : " \(context)")")
    }

    private mutating func expect(_ p: String, _ context: String) throws(PromQLError) {
        guard isPunct(p) else { throw unexpected(context) }
        advance()
    }

    // MARK: binary expressions

    private func binaryOp() -> BinaryOp? {
        switch current.kind {
        case .punct(let p): BinaryOp(rawValue: p)
        case .identifier(let w):
            switch w.lowercased() {
            case "and": .and
            case "or": .or
            case "unless": .unless
            case "atan2": .atan2
            default: nil
            }
        default: nil
        }
    }

    private mutating func expression(minPrecedence: Int) throws(PromQLError) -> (Expr, Spot) {
        var (lhs, lhsSpot) = try unary()
        while let op = binaryOp(), op.precedence >= minPrecedence {
            let operatorStart = current.position
            advance()
            var returnBool = false
            if isWord("bool") {
                returnBool = true
                advance()
            }
            var matching: VectorMatching?
            if isWord("on") || isWord("ignoring") {
                let on = isWord("on")
                advance()
                let labels = try labelList()
                matching = VectorMatching(cardinality: op.isSetOperator ? .manyToMany : .oneToOne, labels: labels, on: on, include: [])
                if isWord("group_left") || isWord("group_right") {
                    let left = isWord("group_left")
                    advance()
                    matching?.cardinality = left ? .manyToOne : .oneToMany
                    if isPunct("(") {
                        matching?.include = try labelList()
                    } else if !startsAnExpression(current) {
                        // Prometheus's grammar reads the labels there when no operand can follow.
                        throw unexpected("in grouping opts, expected \"(\"")
                    }
                }
            }
            let (rhs, rhsSpot) = try expression(minPrecedence: op.isRightAssociative ? op.precedence : op.precedence + 1)
            if matching == nil, op.isSetOperator {
                matching = VectorMatching(cardinality: .manyToMany, labels: [], on: false, include: [])
            }
            // Beside a scalar, `on()`/`ignoring()` without labels means nothing and is
            // dropped, as Prometheus's type check drops it (its rules API prints `x + 1`).
            if lhs.type != .vector || rhs.type != .vector, !op.isSetOperator, matching?.labels.isEmpty == true {
                matching = nil
            }
            lhs = .binary(op, lhs, rhs, matching: matching, returnBool: returnBool)
            lhsSpot = Spot(start: lhsSpot.start, operatorStart: operatorStart, children: [lhsSpot, rhsSpot])
        }
        return (lhs, lhsSpot)
    }

    private mutating func unary() throws(PromQLError) -> (Expr, Spot) {
        if isPunct("-") || isPunct("+") {
            let start = current.position
            let negate = isPunct("-")
            advance()
            let (operand, spot) = try expression(minPrecedence: BinaryOp.pow.precedence)
            // A signed number is one number, starting at its sign (Prometheus folds it too).
            if case .number(let value) = operand { return (.number(negate ? -value : value), Spot(start: start)) }
            return (.unary(negate: negate, operand), Spot(start: start, children: [spot]))
        }
        let (base, spot) = try primary()
        return try postfix(base, spot)
    }

    // MARK: primaries

    private mutating func primary() throws(PromQLError) -> (Expr, Spot) {
        let token = current
        let leaf = Spot(start: token.position)
        switch token.kind {
        case .number(let value):
            advance()
            return (.number(value), leaf)
        case .string(let text):
            advance()
            return (.string(text), leaf)
        case .punct("("):
            advance()
            let (inner, spot) = try expression(minPrecedence: 0)
            try expect(")", "")
            return (.paren(inner), Spot(start: token.position, children: [spot]))
        case .punct("{"):
            return (.vectorSelector(try selector(name: nil)), leaf)
        case .identifier(let word):
            let lowered = word.lowercased()
            advance()
            // An aggregator's name not followed by its arguments or modifier is a metric
            // name, as Prometheus's grammar takes it (`sum`, `sum{a="b"}`, `rate(sum[5m])`).
            if let aggregation = Aggregation(rawValue: lowered), isPunct("(") || isWord("by") || isWord("without") {
                return try aggregate(aggregation, at: token)
            }
            // A keyword before `(` is no function's name: a metric's, and the `(` unexpected.
            if isPunct("("), Aggregation(rawValue: lowered) == nil, !Self.keywordsNamingMetrics.contains(lowered) {
                return try call(word, at: token)
            }
            // These keywords never name a metric; `by`, `without`, `offset`, `and`, `or`
            // and `unless` do where an expression starts.
            if Self.keywordsNeverMetricNames.contains(lowered) {
                position -= 1
                throw unexpected("")
            }
            return (.vectorSelector(try selector(name: word)), leaf)
        case .duration:
            throw unexpected("")
        default:
            throw unexpected("")
        }
    }

    private mutating func selector(name: String?) throws(PromQLError) -> VectorSelector {
        var matchers: [LabelMatcher] = []
        if let name { matchers.append(try LabelMatcher(name: Labels.metricName, op: .equal, value: name)) }
        if isPunct("{") {
            advance()
            while !isPunct("}") {
                guard case .identifier(let label) = current.kind else { throw unexpected("in label matching, expected identifier or \"}\"", insideBraces: true) }
                let labelStart = current.position
                advance()
                let op: LabelMatcher.Op
                switch current.kind {
                case .punct("="): op = .equal
                case .punct("!="): op = .notEqual
                case .punct("=~"): op = .regexMatch
                case .punct("!~"): op = .regexNoMatch
                default: throw unexpected("in label matching, expected label matching operator", insideBraces: true)
                }
                advance()
                guard case .string(let value) = current.kind else { throw unexpected("in label matching, expected string", insideBraces: true) }
                advance()
                do {
                    matchers.append(try LabelMatcher(name: label, op: op, value: value))
                } catch {
                    // Prometheus compiles `^(?:pattern)$`; Go's parser quotes that where it quotes the whole.
                    if op == .regexMatch || op == .regexNoMatch, let refusal = AnchoredRegex.anchoredRefusal(value) {
                        throw PromQLError.badData("1:\(labelStart + 1): parse error: \(refusal)")
                    }
                    throw error
                }
                if isPunct(",") { advance() } else if !isPunct("}") { throw unexpected("in label matching, expected \",\" or \"}\"", insideBraces: true) }
            }
            advance()
        }
        return VectorSelector(matchers: matchers, offsetMs: 0, at: nil, writtenName: name)
    }

    private mutating func labelList() throws(PromQLError) -> [String] {
        try expect("(", "in grouping opts, expected \"(\"")
        var labels: [String] = []
        while !isPunct(")") {
            guard case .identifier(let label) = current.kind else { throw unexpected("in grouping opts, expected label") }
            labels.append(label)
            advance()
            if isPunct(",") { advance() } else if !isPunct(")") { throw unexpected("in grouping opts, expected \",\" or \")\"") }
        }
        advance()
        return labels
    }

    private mutating func arguments() throws(PromQLError) -> [(Expr, Spot)] {
        try expect("(", "")
        var args: [(Expr, Spot)] = []
        while !isPunct(")") {
            args.append(try expression(minPrecedence: 0))
            if isPunct(",") {
                let comma = current.position
                advance()
                if isPunct(")") || isPunct(",") {
                    throw PromQLError.badData("1:\(comma + 1): parse error: trailing commas not allowed in function call args")
                }
            } else if !isPunct(")") {
                throw unexpected("")
            }
        }
        advance()
        return args
    }

    private mutating func call(_ name: String, at token: Token) throws(PromQLError) -> (Expr, Spot) {
        // The arguments first: Prometheus names the function unknown once its call has parsed.
        let args = try arguments()
        guard let function = Function.table[name] else {
            throw PromQLError.badData("1:\(token.position + 1): parse error: unknown function with name \(quoted(name))")
        }
        if Function.unsupported.contains(name) { throw PromQLError.unsupported("function \(quoted(name))") }
        // The number of arguments is a type check (TypeCheck), as in Prometheus.
        return (.call(function, args.map(\.0)), Spot(start: token.position, children: args.map(\.1)))
    }

    private mutating func aggregate(_ op: Aggregation, at token: Token) throws(PromQLError) -> (Expr, Spot) {
        aggregationDepth += 1
        defer { aggregationDepth -= 1 }
        var grouping: [String] = []
        var without = false
        var sawGrouping = false
        if isWord("by") || isWord("without") {
            without = isWord("without")
            advance()
            grouping = try labelList()
            sawGrouping = true
        }
        let args = try arguments()
        if !sawGrouping, isWord("by") || isWord("without") {
            without = isWord("without")
            advance()
            grouping = try labelList()
        }
        let expected = op.parameterType == nil ? 1 : 2
        // Prometheus checks the count when its grammar reduces the aggregation, once it
        // has read the token after it: a lexer error there is named first.
        if case .error = current.kind { throw unexpected("") }
        guard !args.isEmpty else {
            throw PromQLError.badData("1:\(token.position + 1): parse error: no arguments for aggregate expression provided")
        }
        guard args.count == expected else {
            throw PromQLError.badData("1:\(token.position + 1): parse error: wrong number of arguments for aggregate expression provided, expected \(expected), got \(args.count)")
        }
        // The spot's children in the text's order: the parameter, then the expression.
        let expr = Expr.aggregate(op, args[expected - 1].0, parameter: expected == 2 ? args[0].0 : nil, grouping: grouping, without: without)
        return (expr, Spot(start: token.position, children: args.map(\.1)))
    }

    // MARK: ranges, offsets, @

    /// The milliseconds of the duration token here, nil when there is none; a
    /// duration Prometheus's `ParseDuration` refuses is refused in its words.
    private func durationHere() throws(PromQLError) -> Int64? {
        guard case .duration(let ms, let text) = current.kind else { return nil }
        guard let ms else { throw PromQLError.badData("1:\(current.position + 1): parse error: not a valid duration string: \(quoted(text))") }
        guard ms > 0 else { throw PromQLError.badData("1:\(current.position + 1): parse error: duration must be greater than 0") }
        return ms
    }

    /// Ranges, subqueries, `offset` and `@` after `base`. A range or a modifier keeps
    /// the expression's spot; a subquery wraps it.
    private mutating func postfix(_ base: Expr, _ baseSpot: Spot) throws(PromQLError) -> (Expr, Spot) {
        var expr = base
        var spot = baseSpot
        while true {
            if isPunct("[") {
                let bracket = current.position
                advance()
                guard let rangeMs = try durationHere() else { throw unexpected("in brackets, expected duration") }
                advance()
                if isPunct(":") {
                    advance()
                    var stepMs: Int64?
                    if let step = try durationHere() {
                        stepMs = step
                        advance()
                    }
                    try expect("]", "in subquery selector, expected duration or \"]\"")
                    expr = .subquery(expr, rangeMs: rangeMs, stepMs: stepMs, offsetMs: 0, at: nil)
                    spot = Spot(start: spot.start, children: [spot])
                    continue
                }
                try expect("]", "in brackets, expected \"]\"")
                guard case .vectorSelector(let selector) = expr else {
                    throw PromQLError.badData("1:\(bracket + 1): parse error: ranges only allowed for vector selectors")
                }
                // `@ start()`/`@ end()` before a range Prometheus lets through (it checks the timestamp alone).
                let atTimestamp = if case .timestampMs = selector.at { true } else { false }
                if selector.offsetMs != 0 || atTimestamp {
                    let modifier = selector.offsetMs != 0 ? "offset" : "@"
                    throw PromQLError.badData("1:\(bracket + 1): parse error: no \(modifier) modifiers allowed before range")
                }
                expr = .matrixSelector(selector, rangeMs: rangeMs)
            } else if isWord("offset") {
                advance()
                var sign: Int64 = 1
                // `offset -5m` looks ahead; Prometheus's grammar has no `offset +5m`.
                if isPunct("-") {
                    sign = -1
                    advance()
                }
                guard let ms = try durationHere() else { throw unexpected("in offset, expected duration") }
                advance()
                expr = try modify(expr, offsetMs: sign * ms, at: nil, start: spot.start)
            } else if isPunct("@") {
                advance()
                let at: AtModifier
                var sign = 1.0
                if isPunct("-") || isPunct("+") {
                    sign = isPunct("-") ? -1 : 1
                    advance()
                }
                switch current.kind {
                case .number(let seconds):
                    // Past the int64 milliseconds Prometheus refuses it too (converting would trap).
                    guard seconds.isFinite, let atMs = Int64(exactly: (sign * seconds * 1000).rounded()) else {
                        throw PromQLError.badData("1:\(spot.start + 1): parse error: timestamp out of bounds for @ modifier: \(Self.goFixed(sign * seconds))")
                    }
                    at = .timestampMs(atMs)
                    advance()
                case .identifier(let w) where w == "start" || w == "end":
                    advance()
                    try expect("(", "expected \"(\"")
                    try expect(")", "expected \")\"")
                    at = w == "start" ? .start : .end
                default:
                    throw unexpected("in @, expected timestamp")
                }
                expr = try modify(expr, offsetMs: nil, at: at, start: spot.start)
            } else {
                return (expr, spot)
            }
        }
    }

    /// `expr` (starting at byte `start`, where Prometheus names its errors) with an
    /// `offset` or `@` modifier.
    private func modify(_ expr: Expr, offsetMs: Int64?, at: AtModifier?, start: Int) throws(PromQLError) -> Expr {
        let place = "1:\(start + 1): parse error:"
        func apply(_ selector: inout VectorSelector) throws(PromQLError) {
            if let offsetMs {
                guard selector.offsetMs == 0 else { throw PromQLError.badData("\(place) offset may not be set multiple times") }
                selector.offsetMs = offsetMs
            }
            if let at {
                guard selector.at == nil else { throw PromQLError.badData("\(place) @ <timestamp> may not be set multiple times") }
                selector.at = at
            }
        }
        switch expr {
        case .vectorSelector(var selector):
            try apply(&selector)
            return .vectorSelector(selector)
        case .matrixSelector(var selector, let rangeMs):
            try apply(&selector)
            return .matrixSelector(selector, rangeMs: rangeMs)
        case .subquery(let inner, let rangeMs, let stepMs, let oldOffset, let oldAt):
            if offsetMs != nil, oldOffset != 0 { throw PromQLError.badData("\(place) offset may not be set multiple times") }
            if at != nil, oldAt != nil { throw PromQLError.badData("\(place) @ <timestamp> may not be set multiple times") }
            return .subquery(inner, rangeMs: rangeMs, stepMs: stepMs, offsetMs: offsetMs ?? oldOffset, at: at ?? oldAt)
        default:
            let what = offsetMs != nil ? "offset" : "@"
            throw PromQLError.badData("\(place) \(what) modifier must be preceded by an instant vector selector or range vector selector or a subquery")
        }
    }
}
