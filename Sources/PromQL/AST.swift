/// The four types of PromQL expressions.
public enum ValueType: String, Sendable {
    case scalar
    case vector = "instant vector"
    case matrix = "range vector"
    case string
}

/// `@ <time>`, `@ start()`, `@ end()`.
public enum AtModifier: Sendable, Equatable {
    case timestampMs(Int64)
    case start
    case end
}

/// The binary operators, by Prometheus's precedence (higher binds tighter).
public enum BinaryOp: String, Sendable, CaseIterable {
    case or, and, unless
    case equal = "==", notEqual = "!=", greater = ">", less = "<", greaterEqual = ">=", lessEqual = "<="
    case add = "+", sub = "-", mul = "*", div = "/", mod = "%", atan2
    case pow = "^"

    var precedence: Int {
        switch self {
        case .or: 1
        case .and, .unless: 2
        case .equal, .notEqual, .greater, .less, .greaterEqual, .lessEqual: 3
        case .add, .sub: 4
        case .mul, .div, .mod, .atan2: 5
        case .pow: 6
        }
    }

    var isRightAssociative: Bool { self == .pow }
    var isComparison: Bool { precedence == 3 }
    var isSetOperator: Bool { precedence <= 2 }
    /// Arithmetic drops the metric name from its result; comparisons keep it.
    var dropsMetricName: Bool { !isComparison && !isSetOperator }
}

/// `on(...)`/`ignoring(...)` and `group_left(...)`/`group_right(...)` of a binary operation.
public struct VectorMatching: Sendable, Equatable {
    public enum Cardinality: Sendable, Equatable { case oneToOne, manyToOne, oneToMany, manyToMany }
    public var cardinality: Cardinality
    public var labels: [String]
    /// True for `on(labels)`, false for `ignoring(labels)` (or no clause).
    public var on: Bool
    /// The labels `group_x(...)` copies from the "one" side.
    public var include: [String]

    public init(cardinality: Cardinality, labels: [String], on: Bool, include: [String]) {
        self.cardinality = cardinality
        self.labels = labels
        self.on = on
        self.include = include
    }
}

/// A parsed PromQL expression.
public indirect enum Expr: Sendable, Equatable {
    case number(Double)
    case string(String)
    case vectorSelector(VectorSelector)
    case matrixSelector(VectorSelector, rangeMs: Int64)
    case subquery(Expr, rangeMs: Int64, stepMs: Int64?, offsetMs: Int64, at: AtModifier?)
    case paren(Expr)
    case unary(negate: Bool, Expr)
    case binary(BinaryOp, Expr, Expr, matching: VectorMatching?, returnBool: Bool)
    case call(Function, [Expr])
    case aggregate(Aggregation, Expr, parameter: Expr?, grouping: [String], without: Bool)

    public var type: ValueType {
        switch self {
        case .number: .scalar
        case .string: .string
        case .vectorSelector: .vector
        case .matrixSelector, .subquery: .matrix
        case .paren(let inner): inner.type
        case .unary(_, let inner): inner.type
        case .binary(_, let lhs, let rhs, _, _): lhs.type == .scalar && rhs.type == .scalar ? .scalar : .vector
        case .call(let function, _): function.returnType
        case .aggregate: .vector
        }
    }
}

public struct VectorSelector: Sendable, Equatable, Hashable {
    public var matchers: [LabelMatcher]
    public var offsetMs: Int64
    public var at: AtModifier?
    /// The metric name as written before the braces (`up{job="a"}`), which Prometheus
    /// prints there; nil when written as a matcher (`{__name__="up"}`) or absent. Its
    /// matcher is in `matchers` either way.
    public var writtenName: String? = nil

    public func hash(into hasher: inout Hasher) { hasher.combine(matchers) }
}

extension AtModifier: Hashable {}

public enum Aggregation: String, Sendable, CaseIterable {
    case sum, avg, min, max, count, stddev, stdvar, topk, bottomk, quantile
    case countValues = "count_values"
    case group

    var parameterType: ValueType? {
        switch self {
        case .topk, .bottomk, .quantile: .scalar
        case .countValues: .string
        default: nil
        }
    }
}
