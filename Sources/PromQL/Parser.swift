/// Parses PromQL text into an `Expr`, with Prometheus's grammar, precedence and
/// type checks. Errors are `bad_data` with the position, as Prometheus words them.
public struct Parser {
    private var tokens: [Token]
    private var position = 0

    public static func parse(_ text: String) throws(PromQLError) -> Expr {
        do throws(PromQLError) {
            var parser = Parser(tokens: try Lexer.tokens(text))
            guard parser.current.kind != .end else { throw PromQLError.badData("1:1: parse error: no expression found in input") }
            let expr = try parser.expression(minPrecedence: 0)
            guard parser.current.kind == .end else { throw parser.unexpected("") }
            try TypeCheck.check(expr)
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
        guard let tokens = try? Lexer.tokens(text), tokens.count == 2, case .duration(let ms) = tokens[0].kind else { return nil }
        return ms
    }

    private init(tokens: [Token]) { self.tokens = tokens }

    private var current: Token { tokens[position] }
    private mutating func advance() { if position < tokens.count - 1 { position += 1 } }

    private func isPunct(_ p: String) -> Bool { current.kind == .punct(p) }
    private func isWord(_ w: String) -> Bool {
        if case .identifier(let word) = current.kind { return word.lowercased() == w }
        return false
    }

    private func describe(_ token: Token) -> String {
        switch token.kind {
        case .identifier(let w): "identifier \(quoted(w))"
        case .number(let n): "number \(quoted(PromNumber.format(n)))"
        case .duration: "duration"
        case .string(let s): "string \(quoted(s))"
        case .punct(let p): quoted(p)
        case .error(let message): message
        case .end: "end of input"
        }
    }

    private func unexpected(_ context: String) -> PromQLError {
        if case .error(let message) = current.kind { return .badData("1:\(current.position + 1): parse error: \(message)") }
        let what = describe(current)
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

    private mutating func expression(minPrecedence: Int) throws(PromQLError) -> Expr {
        var lhs = try unary()
        while let op = binaryOp(), op.precedence >= minPrecedence {
            advance()
            var returnBool = false
            if isWord("bool") {
                guard op.isComparison else { throw PromQLError.badData("1:\(current.position + 1): parse error: bool modifier can only be used on comparison operators") }
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
                    if op.isSetOperator { throw PromQLError.badData("1:\(current.position + 1): parse error: no grouping allowed for \"\(op.rawValue)\" operation") }
                    advance()
                    matching?.cardinality = left ? .manyToOne : .oneToMany
                    if isPunct("(") { matching?.include = try labelList() }
                }
            }
            let rhs = try expression(minPrecedence: op.isRightAssociative ? op.precedence : op.precedence + 1)
            if matching == nil, op.isSetOperator {
                matching = VectorMatching(cardinality: .manyToMany, labels: [], on: false, include: [])
            }
            lhs = .binary(op, lhs, rhs, matching: matching, returnBool: returnBool)
        }
        return lhs
    }

    private mutating func unary() throws(PromQLError) -> Expr {
        if isPunct("-") || isPunct("+") {
            let negate = isPunct("-")
            advance()
            let operand = try expression(minPrecedence: BinaryOp.pow.precedence)
            if case .number(let value) = operand { return .number(negate ? -value : value) }
            return .unary(negate: negate, operand)
        }
        return try postfix(try primary())
    }

    // MARK: primaries

    private mutating func primary() throws(PromQLError) -> Expr {
        let token = current
        switch token.kind {
        case .number(let value):
            advance()
            return .number(value)
        case .string(let text):
            advance()
            return .string(text)
        case .punct("("):
            advance()
            let inner = try expression(minPrecedence: 0)
            try expect(")", "in parenthesized expression, expected \")\"")
            return .paren(inner)
        case .punct("{"):
            return .vectorSelector(try selector(name: nil))
        case .identifier(let word):
            if let aggregation = Aggregation(rawValue: word.lowercased()) {
                advance()
                return try aggregate(aggregation)
            }
            advance()
            if isPunct("(") {
                return try call(word, at: token)
            }
            if ["by", "without", "on", "ignoring", "group_left", "group_right", "bool", "offset", "and", "or", "unless", "atan2"].contains(word.lowercased()) {
                position -= 1
                throw unexpected("")
            }
            return .vectorSelector(try selector(name: word))
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
                guard case .identifier(let label) = current.kind else { throw unexpected("in label matching, expected label") }
                advance()
                let op: LabelMatcher.Op
                switch current.kind {
                case .punct("="): op = .equal
                case .punct("!="): op = .notEqual
                case .punct("=~"): op = .regexMatch
                case .punct("!~"): op = .regexNoMatch
                default: throw unexpected("in label matching, expected label matching operator")
                }
                advance()
                guard case .string(let value) = current.kind else { throw unexpected("in label matching, expected string") }
                advance()
                if label == Labels.metricName, name != nil {
                    throw PromQLError.badData("1:\(current.position): parse error: metric name must not be set twice: \(quoted(name!)) or \(quoted(value))")
                }
                matchers.append(try LabelMatcher(name: label, op: op, value: value))
                if isPunct(",") { advance() } else if !isPunct("}") { throw unexpected("in label matching, expected \",\" or \"}\"") }
            }
            advance()
        }
        guard matchers.contains(where: { !$0.matchesEmpty }) else {
            throw PromQLError.badData("1:\(current.position): parse error: vector selector must contain at least one non-empty matcher")
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

    private mutating func arguments() throws(PromQLError) -> [Expr] {
        try expect("(", "expected \"(\"")
        var args: [Expr] = []
        while !isPunct(")") {
            args.append(try expression(minPrecedence: 0))
            if isPunct(",") { advance() } else if !isPunct(")") { throw unexpected("in call, expected \",\" or \")\"") }
        }
        advance()
        return args
    }

    private mutating func call(_ name: String, at token: Token) throws(PromQLError) -> Expr {
        guard let function = Function.table[name] else {
            throw PromQLError.badData("1:\(token.position + 1): parse error: unknown function with name \(quoted(name))")
        }
        let args = try arguments()
        if Function.unsupported.contains(name) { throw PromQLError.unsupported("function \(quoted(name))") }
        let required = function.argumentTypes.count - max(function.optionalCount, 0)
        let tooMany = function.optionalCount >= 0 && args.count > function.argumentTypes.count
        if args.count < required || tooMany {
            throw PromQLError.badData("1:\(token.position + 1): parse error: expected \(function.optionalCount == 0 ? "" : "at least ")\(required) argument(s) in call to \(quoted(name)), got \(args.count)")
        }
        return .call(function, args)
    }

    private mutating func aggregate(_ op: Aggregation) throws(PromQLError) -> Expr {
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
        guard args.count == expected else {
            throw PromQLError.badData("1:\(current.position): parse error: wrong number of arguments for aggregate expression provided, expected \(expected), got \(args.count)")
        }
        return .aggregate(op, args[expected - 1], parameter: expected == 2 ? args[0] : nil, grouping: grouping, without: without)
    }

    // MARK: ranges, offsets, @

    private mutating func postfix(_ base: Expr) throws(PromQLError) -> Expr {
        var expr = base
        while true {
            if isPunct("[") {
                advance()
                guard case .duration(let rangeMs) = current.kind else { throw unexpected("in brackets, expected duration") }
                advance()
                if isPunct(":") {
                    advance()
                    var stepMs: Int64?
                    if case .duration(let step) = current.kind {
                        stepMs = step
                        advance()
                    }
                    try expect("]", "in subquery selector, expected \"]\"")
                    if case .matrixSelector = expr { throw PromQLError.badData("subquery is only allowed on instant vector, got range vector") }
                    guard rangeMs > 0 else { throw PromQLError.badData("1:\(current.position): parse error: range must be positive") }
                    if stepMs == 0 { throw PromQLError.badData("1:\(current.position): parse error: step must be positive") }
                    expr = .subquery(expr, rangeMs: rangeMs, stepMs: stepMs, offsetMs: 0, at: nil)
                    continue
                }
                try expect("]", "in brackets, expected \"]\"")
                guard case .vectorSelector(let selector) = expr else {
                    throw PromQLError.badData("1:\(current.position): parse error: ranges only allowed for vector selectors")
                }
                guard selector.offsetMs == 0, selector.at == nil else {
                    throw PromQLError.badData("1:\(current.position): parse error: no offset or @ modifiers allowed before range")
                }
                expr = .matrixSelector(selector, rangeMs: rangeMs)
            } else if isWord("offset") {
                advance()
                var sign: Int64 = 1
                if isPunct("-") {
                    sign = -1
                    advance()
                } else if isPunct("+") {
                    advance()
                }
                guard case .duration(let ms) = current.kind else { throw unexpected("in offset, expected duration") }
                advance()
                expr = try modify(expr, offsetMs: sign * ms, at: nil)
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
                        throw PromQLError.badData("1:\(current.position + 1): parse error: timestamp out of bounds for @ modifier: \(seconds)")
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
                expr = try modify(expr, offsetMs: nil, at: at)
            } else {
                return expr
            }
        }
    }

    private func modify(_ expr: Expr, offsetMs: Int64?, at: AtModifier?) throws(PromQLError) -> Expr {
        func apply(_ selector: inout VectorSelector) throws(PromQLError) {
            if let offsetMs {
                guard selector.offsetMs == 0 else { throw PromQLError.badData("1:\(current.position): parse error: offset may not be set multiple times") }
                selector.offsetMs = offsetMs
            }
            if let at {
                guard selector.at == nil else { throw PromQLError.badData("1:\(current.position): parse error: @ <timestamp> may not be set multiple times") }
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
            if offsetMs != nil, oldOffset != 0 { throw PromQLError.badData("1:\(current.position): parse error: offset may not be set multiple times") }
            if at != nil, oldAt != nil { throw PromQLError.badData("1:\(current.position): parse error: @ <timestamp> may not be set multiple times") }
            return .subquery(inner, rangeMs: rangeMs, stepMs: stepMs, offsetMs: offsetMs ?? oldOffset, at: at ?? oldAt)
        default:
            let what = offsetMs != nil ? "offset" : "@ modifier"
            throw PromQLError.badData("1:\(current.position): parse error: \(what) must be preceded by an instant vector selector or range vector selector or a subquery")
        }
    }
}

/// Prometheus's static type checks on a parsed expression.
enum TypeCheck {
    static func check(_ expr: Expr) throws(PromQLError) {
        switch expr {
        case .number, .string, .vectorSelector, .matrixSelector:
            return
        case .paren(let inner):
            try check(inner)
        case .subquery(let inner, _, _, _, _):
            try check(inner)
            try expect(inner, .vector, "subquery")
        case .unary(_, let inner):
            try check(inner)
            guard inner.type == .scalar || inner.type == .vector else {
                throw PromQLError.badData("unary expression only allowed on expressions of type scalar or instant vector, got \(quoted(inner.type.rawValue))")
            }
        case .binary(let op, let lhs, let rhs, let matching, let returnBool):
            try check(lhs)
            try check(rhs)
            for side in [lhs, rhs] where side.type != .scalar && side.type != .vector {
                throw PromQLError.badData("binary expression must contain only scalar and instant vector types")
            }
            if op.isComparison, lhs.type == .scalar, rhs.type == .scalar, !returnBool {
                throw PromQLError.badData("comparisons between scalars must use BOOL modifier")
            }
            if op.isSetOperator, lhs.type == .scalar || rhs.type == .scalar {
                throw PromQLError.badData("set operator \(quoted(op.rawValue)) not allowed in binary scalar expression")
            }
            if let matching, !matching.labels.isEmpty || matching.on, lhs.type == .scalar || rhs.type == .scalar {
                throw PromQLError.badData("vector matching only allowed between instant vectors")
            }
            if let matching, matching.cardinality == .manyToOne || matching.cardinality == .oneToMany, matching.on {
                let overlap = Set(matching.labels).intersection(matching.include)
                if let label = overlap.sorted().first {
                    throw PromQLError.badData("label \(quoted(label)) must not occur in ON and GROUP clause at once")
                }
            }
        case .call(let function, let args):
            for (index, arg) in args.enumerated() {
                try check(arg)
                let expected = index < function.argumentTypes.count ? function.argumentTypes[index] : function.argumentTypes.last!
                try expect(arg, expected, "call to function \(quoted(function.name))")
            }
        case .aggregate(let op, let inner, let parameter, _, _):
            try check(inner)
            try expect(inner, .vector, "aggregation")
            if let parameter, let type = op.parameterType {
                try check(parameter)
                try expect(parameter, type, "aggregation parameter")
            }
        }
    }

    private static func expect(_ expr: Expr, _ type: ValueType, _ context: String) throws(PromQLError) {
        guard expr.type == type else {
            throw PromQLError.badData("expected type \(type.rawValue) in \(context), got \(expr.type.rawValue)")
        }
    }
}
