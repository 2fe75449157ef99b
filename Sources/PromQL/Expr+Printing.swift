/// An expression printed as Prometheus 2.42 prints a parsed one (`parser.Expr.String()`):
/// what its rules API shows as a rule's `query`. Spacing and the order of a selector's
/// matchers are Prometheus's, not the author's: `sum by(job)(x{b="1",a="2"})` prints
/// `sum by (job) (x{a="2",b="1"})`; parentheses and `offset`/`@` are kept.
extension Expr: CustomStringConvertible {
    public var description: String {
        switch self {
        case .number(let value):
            return PromNumber.goFormat(value)
        case .string(let text):
            return quoted(text)
        case .vectorSelector(let selector):
            return selector.description + Self.modifiers(at: selector.at, offsetMs: selector.offsetMs)
        case .matrixSelector(let selector, let rangeMs):
            return "\(selector)[\(Self.duration(rangeMs))]" + Self.modifiers(at: selector.at, offsetMs: selector.offsetMs)
        case .subquery(let inner, let rangeMs, let stepMs, let offsetMs, let at):
            let step = stepMs.map(Self.duration) ?? ""
            return "\(inner)[\(Self.duration(rangeMs)):\(step)]" + Self.modifiers(at: at, offsetMs: offsetMs)
        case .paren(let inner):
            return "(\(inner))"
        case .unary(let negate, let inner):
            return (negate ? "-" : "+") + inner.description
        case .binary(let op, let lhs, let rhs, let matching, let returnBool):
            return "\(lhs) \(op.rawValue)\(returnBool ? " bool" : "")\(Self.matching(matching)) \(rhs)"
        case .call(let function, let arguments):
            return "\(function.name)(\(arguments.map(\.description).joined(separator: ", ")))"
        case .aggregate(let aggregation, let inner, let parameter, let grouping, let without):
            var text = aggregation.rawValue
            if without {
                text += " without (\(grouping.joined(separator: ", "))) "
            } else if !grouping.isEmpty {
                text += " by (\(grouping.joined(separator: ", "))) "
            }
            return text + "(" + (parameter.map { "\($0), " } ?? "") + inner.description + ")"
        }
    }

    /// ` on (a) group_left (b)`, ` ignoring (a)`; nothing without a clause.
    private static func matching(_ matching: VectorMatching?) -> String {
        guard let matching, !matching.labels.isEmpty || matching.on else { return "" }
        var text = " \(matching.on ? "on" : "ignoring") (\(matching.labels.joined(separator: ", ")))"
        switch matching.cardinality {
        case .manyToOne: text += " group_left (\(matching.include.joined(separator: ", ")))"
        case .oneToMany: text += " group_right (\(matching.include.joined(separator: ", ")))"
        case .oneToOne, .manyToMany: break
        }
        return text
    }

    /// ` @ 1700000000.000`, ` @ start()`, then ` offset 5m` or ` offset -5m`.
    private static func modifiers(at: AtModifier?, offsetMs: Int64) -> String {
        var text = ""
        switch at {
        case .timestampMs(let ms):
            let magnitude = ms.magnitude
            let fraction = String(magnitude % 1000)
            text = " @ " + (ms < 0 ? "-" : "") + "\(magnitude / 1000)." + String(repeating: "0", count: 3 - fraction.count) + fraction
        case .start: text = " @ start()"
        case .end: text = " @ end()"
        case nil: break
        }
        if offsetMs > 0 { text += " offset \(duration(offsetMs))" }
        if offsetMs < 0 { text += " offset -\(duration(-offsetMs))" }
        return text
    }

    /// Prometheus's `model.Duration` string: `1h30m`, `90d` (years and weeks only when
    /// exact), `1s500ms`, `0s`.
    public static func duration(_ ms: Int64) -> String {
        guard ms != 0 else { return "0s" }
        var rest = ms
        var text = ""
        let day: Int64 = 86_400_000
        for (unit, size, exactOnly) in [("y", 365 * day, true), ("w", 7 * day, true), ("d", day, false), ("h", 3_600_000, false),
                                        ("m", 60_000, false), ("s", 1000, false), ("ms", 1, false)] as [(String, Int64, Bool)] {
            if exactOnly, rest % size != 0 { continue }
            let count = rest / size
            if count > 0 {
                text += "\(count)\(unit)"
                rest -= count * size
            }
        }
        return text
    }
}

extension VectorSelector: CustomStringConvertible {
    /// `name{a="1",b=~"x"}`: the metric name as written before the braces, the other
    /// matchers sorted by their text, without spaces; `{__name__="x"}` when the name was
    /// written as a matcher. Without `offset` and `@` (see `Expr.description`).
    public var description: String {
        var rest = matchers.map(\.description)
        if let name = writtenName, let index = matchers.firstIndex(where: { $0.name == Labels.metricName && $0.op == .equal && $0.value == name }) {
            rest.remove(at: index)
        }
        let name = writtenName ?? ""
        return rest.isEmpty ? name : name + "{" + rest.sorted().joined(separator: ",") + "}"
    }
}
