/// A PromQL function's signature: argument types, how many trailing ones may be
/// left out, and the type it returns.
public struct Function: Sendable, Equatable {
    public let name: String
    public let argumentTypes: [ValueType]
    /// How many of the last arguments are optional (-1: the last repeats, as label_join).
    public let optionalCount: Int
    public let returnType: ValueType

    static let table: [String: Function] = {
        var table: [String: Function] = [:]
        func add(_ name: String, _ args: [ValueType], optional: Int = 0, returns: ValueType = .vector) {
            table[name] = Function(name: name, argumentTypes: args, optionalCount: optional, returnType: returns)
        }
        for name in ["abs", "ceil", "floor", "exp", "sqrt", "ln", "log2", "log10", "sgn", "sort", "sort_desc",
                     "acos", "acosh", "asin", "asinh", "atan", "atanh", "cos", "cosh", "sin", "sinh", "tan", "tanh", "deg", "rad",
                     "timestamp", "absent"] {
            add(name, [.vector])
        }
        for name in ["days_in_month", "day_of_month", "day_of_week", "day_of_year", "hour", "minute", "month", "year"] {
            add(name, [.vector], optional: 1)
        }
        for name in ["rate", "irate", "increase", "delta", "idelta", "deriv", "resets", "changes",
                     "avg_over_time", "min_over_time", "max_over_time", "sum_over_time", "count_over_time",
                     "last_over_time", "present_over_time", "stddev_over_time", "stdvar_over_time", "absent_over_time"] {
            add(name, [.matrix])
        }
        add("quantile_over_time", [.scalar, .matrix])
        add("predict_linear", [.matrix, .scalar])
        add("holt_winters", [.matrix, .scalar, .scalar])
        add("histogram_quantile", [.scalar, .vector])
        add("clamp", [.vector, .scalar, .scalar])
        add("clamp_min", [.vector, .scalar])
        add("clamp_max", [.vector, .scalar])
        add("round", [.vector, .scalar], optional: 1)
        add("scalar", [.vector], returns: .scalar)
        add("vector", [.scalar])
        add("time", [], returns: .scalar)
        add("pi", [], returns: .scalar)
        add("label_replace", [.vector, .string, .string, .string, .string])
        add("label_join", [.vector, .string, .string, .string], optional: -1)
        for name in ["histogram_count", "histogram_sum", "histogram_fraction"] {
            add(name, name == "histogram_fraction" ? [.scalar, .scalar, .vector] : [.vector])
        }
        return table
    }()

    /// Functions Prometheus 2.42 has that Tacho refuses rather than answer wrongly.
    static let unsupported: Set<String> = ["histogram_count", "histogram_sum", "histogram_fraction"]
}
