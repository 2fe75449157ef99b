/// Where a parsed expression's nodes start in the query text (byte offsets), in the
/// shape of the `Expr` tree: the parser builds it beside the tree so the type checks
/// can name the place Prometheus names, without positions in `Expr` itself (whose
/// equality keys the evaluator's per-query tables).
struct Spot {
    var start: Int
    /// A binary expression's operator, where Prometheus places the errors about it.
    var operatorStart = 0
    /// The children's spots in the text's order (an aggregation's parameter first).
    var children: [Spot] = []
}

/// Prometheus's static type checks on a parsed expression, in the order of its
/// `checkAST`: a node's children first, left to right, each call argument's own
/// checks before its type is compared, and the first error found is the one named,
/// at the place Prometheus names (`1:<byte offset + 1>`; the parser maps it to
/// `line:column`).
enum TypeCheck {
    static func check(_ expr: Expr, _ spot: Spot) throws(PromQLError) {
        switch expr {
        case .number, .string:
            return
        case .vectorSelector(let selector), .matrixSelector(let selector, _):
            try check(selector, at: spot.start)
        case .paren(let inner):
            try check(inner, spot.children[0])
        case .subquery(let inner, _, _, _, _):
            try check(inner, spot.children[0])
            guard inner.type == .vector else {
                throw error(at: spot.start, "subquery is only allowed on instant vector, got \(goName(inner.type)) instead")
            }
        case .unary(_, let inner):
            try check(inner, spot.children[0])
            guard inner.type == .scalar || inner.type == .vector else {
                throw error(at: spot.start, "unary expression only allowed on expressions of type scalar or instant vector, got \(quoted(inner.type.rawValue))")
            }
        case .binary(let op, let lhs, let rhs, let matching, let returnBool):
            try check(lhs, spot.children[0])
            try check(rhs, spot.children[1])
            try checkBinary(op, lhs, rhs, matching: matching, returnBool: returnBool, spot)
        case .call(let function, let args):
            try checkCount(function, args.count, at: spot.start)
            for (index, arg) in args.enumerated() {
                try check(arg, spot.children[index])
                let expected = index < function.argumentTypes.count ? function.argumentTypes[index] : function.argumentTypes.last!
                try expect(arg, expected, "call to function \(quoted(function.name))", at: spot.children[index].start)
            }
        case .aggregate(let op, let inner, let parameter, _, _):
            // The expression before the parameter, as Prometheus checks them.
            let innerSpot = spot.children[spot.children.count - 1]
            try check(inner, innerSpot)
            try expect(inner, .vector, "aggregation expression", at: innerSpot.start)
            if let parameter, let type = op.parameterType {
                try check(parameter, spot.children[0])
                try expect(parameter, type, "aggregation parameter", at: spot.children[0].start)
            }
        }
    }

    /// Prometheus's count of a call's arguments: all of them, or with `optionalCount`
    /// (its `Variadic`) at least all but the last and at most that many more (no
    /// bound when -1: `label_join`'s source labels).
    private static func checkCount(_ function: Function, _ count: Int, at start: Int) throws(PromQLError) {
        let declared = function.argumentTypes.count
        if function.optionalCount == 0 {
            guard count == declared else {
                throw error(at: start, "expected \(declared) argument(s) in call to \(quoted(function.name)), got \(count)")
            }
            return
        }
        let least = declared - 1
        if count < least {
            throw error(at: start, "expected at least \(least) argument(s) in call to \(quoted(function.name)), got \(count)")
        }
        if function.optionalCount > 0, count > least + function.optionalCount {
            throw error(at: start, "expected at most \(least + function.optionalCount) argument(s) in call to \(quoted(function.name)), got \(count)")
        }
    }

    /// A selector names its metric once, and selects something: a matcher that
    /// matches the empty value alone would select every series.
    private static func check(_ selector: VectorSelector, at start: Int) throws(PromQLError) {
        if let name = selector.writtenName {
            let names = selector.matchers.filter { $0.name == Labels.metricName }
            if names.count > 1, let other = names.first(where: { !($0.op == .equal && $0.value == name) }) ?? names.dropFirst().first {
                throw error(at: start, "metric name must not be set twice: \(quoted(name)) or \(quoted(other.value))")
            }
            return
        }
        guard selector.matchers.contains(where: { !$0.matchesEmpty }) else {
            throw error(at: start, "vector selector must contain at least one non-empty matcher")
        }
    }

    /// A binary expression's own checks, in Prometheus's order: those about the
    /// operator named at the operator, then the operands' types at each operand, then
    /// those about the whole at its start.
    private static func checkBinary(
        _ op: BinaryOp, _ lhs: Expr, _ rhs: Expr, matching: VectorMatching?, returnBool: Bool, _ spot: Spot
    ) throws(PromQLError) {
        if returnBool, !op.isComparison {
            throw error(at: spot.operatorStart, "bool modifier can only be used on comparison operators")
        }
        if op.isComparison, lhs.type == .scalar, rhs.type == .scalar, !returnBool {
            throw error(at: spot.operatorStart, "comparisons between scalars must use BOOL modifier")
        }
        if let matching, matching.on, let label = matching.labels.first(where: matching.include.contains) {
            throw error(at: spot.operatorStart, "label \(quoted(label)) must not occur in ON and GROUP clause at once")
        }
        for (side, sideSpot) in zip([lhs, rhs], spot.children) where side.type != .scalar && side.type != .vector {
            throw error(at: sideSpot.start, "binary expression must contain only scalar and instant vector types")
        }
        if lhs.type != .vector || rhs.type != .vector {
            // `on()` without labels is allowed beside a scalar (and means nothing there).
            if let matching, !matching.labels.isEmpty {
                throw error(at: spot.start, "vector matching only allowed between instant vectors")
            }
        } else if op.isSetOperator, let matching, matching.cardinality == .manyToOne || matching.cardinality == .oneToMany {
            throw error(at: spot.start, "no grouping allowed for \(quoted(op.rawValue)) operation")
        }
        if op.isSetOperator, lhs.type == .scalar || rhs.type == .scalar {
            throw error(at: spot.start, "set operator \(quoted(op.rawValue)) not allowed in binary scalar expression")
        }
    }

    private static func expect(_ expr: Expr, _ type: ValueType, _ context: String, at start: Int) throws(PromQLError) {
        guard expr.type == type else {
            throw error(at: start, "expected type \(type.rawValue) in \(context), got \(expr.type.rawValue)")
        }
    }

    private static func error(at start: Int, _ message: String) -> PromQLError {
        .badData("1:\(start + 1): parse error: \(message)")
    }

    /// Go's name of a value type (`ValueType`'s string), which one message shows.
    private static func goName(_ type: ValueType) -> String {
        switch type {
        case .scalar: "scalar"
        case .vector: "vector"
        case .matrix: "matrix"
        case .string: "string"
        }
    }
}
