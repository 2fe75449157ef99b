import Foundation

extension Evaluator {
    mutating func binary(
        _ op: BinaryOp, _ lhsExpr: Expr, _ rhsExpr: Expr, matching: VectorMatching?, returnBool: Bool, _ t: Int64
    ) throws(PromQLError) -> Value {
        let lhs = try eval(lhsExpr, t)
        let rhs = try eval(rhsExpr, t)
        switch (lhs, rhs) {
        case (.scalar(let left), .scalar(let right)):
            let (value, keep) = Self.apply(op, left, right)
            return .scalar(op.isComparison ? (keep ? 1 : 0) : value)
        case (.vector(let left), .scalar(let right)):
            return .vector(try Self.vectorScalar(op, left, right, swapped: false, returnBool: returnBool))
        case (.scalar(let left), .vector(let right)):
            return .vector(try Self.vectorScalar(op, right, left, swapped: true, returnBool: returnBool))
        case (.vector(let left), .vector(let right)):
            let matching = matching ?? VectorMatching(cardinality: .oneToOne, labels: [], on: false, include: [])
            switch op {
            case .and: return .vector(Self.and(left, right, matching))
            case .or: return .vector(Self.or(left, right, matching))
            case .unless: return .vector(Self.unless(left, right, matching))
            default: return .vector(try Self.vectorVector(op, left, right, matching, returnBool: returnBool))
            }
        default:
            throw PromQLError.badData("binary expression must contain only scalar and instant vector types")
        }
    }

    /// Go's `vectorElemBinop`: the value, and for comparisons whether it holds.
    static func apply(_ op: BinaryOp, _ lhs: Double, _ rhs: Double) -> (Double, Bool) {
        switch op {
        case .add: (lhs + rhs, true)
        case .sub: (lhs - rhs, true)
        case .mul: (lhs * rhs, true)
        case .div: (lhs / rhs, true)
        case .pow: (Foundation.pow(lhs, rhs), true)
        case .mod: (goMod(lhs, rhs), true)
        case .atan2: (Foundation.atan2(lhs, rhs), true)
        case .equal: (lhs, lhs == rhs)
        case .notEqual: (lhs, lhs != rhs)
        case .greater: (lhs, lhs > rhs)
        case .less: (lhs, lhs < rhs)
        case .greaterEqual: (lhs, lhs >= rhs)
        case .lessEqual: (lhs, lhs <= rhs)
        case .and, .or, .unless: preconditionFailure("set operators have no element value")
        }
    }

    /// Go's math.Mod: the result has the sign of `x`.
    static func goMod(_ x: Double, _ y: Double) -> Double {
        fmod(x, y)
    }

    static func vectorScalar(_ op: BinaryOp, _ vector: [VectorElement], _ scalar: Double, swapped: Bool, returnBool: Bool) throws(PromQLError) -> [VectorElement] {
        var out: [VectorElement] = []
        out.reserveCapacity(vector.count)
        for element in vector {
            var (left, right) = (element.value, scalar)
            if swapped { swap(&left, &right) }
            var (value, keep) = apply(op, left, right)
            // A comparison keeps the vector's value even when the scalar is on the left.
            if op.isComparison, swapped { value = right }
            if returnBool {
                value = keep ? 1 : 0
                keep = true
            }
            guard keep else { continue }
            let labels = op.dropsMetricName || returnBool ? element.labels.droppingName : element.labels
            out.append(VectorElement(labels: labels, value: value))
        }
        try checkUnique(out)
        return out
    }

    /// The label set two elements match on: `on(...)` keeps only those labels,
    /// `ignoring(...)` (or none) drops them and the metric name.
    static func signer(_ matching: VectorMatching) -> (Labels) -> Labels {
        if matching.on {
            let keep = Set(matching.labels)
            return { $0.keeping(set: keep) }
        }
        let drop = Set(matching.labels + [Labels.metricName])
        return { $0.removing(set: drop) }
    }

    static func and(_ lhs: [VectorElement], _ rhs: [VectorElement], _ matching: VectorMatching) -> [VectorElement] {
        guard !lhs.isEmpty, !rhs.isEmpty else { return [] }
        let signature = signer(matching)
        let right = Set(rhs.map { signature($0.labels) })
        return lhs.filter { right.contains(signature($0.labels)) }
    }

    static func or(_ lhs: [VectorElement], _ rhs: [VectorElement], _ matching: VectorMatching) -> [VectorElement] {
        let signature = signer(matching)
        let left = Set(lhs.map { signature($0.labels) })
        return lhs + rhs.filter { !left.contains(signature($0.labels)) }
    }

    static func unless(_ lhs: [VectorElement], _ rhs: [VectorElement], _ matching: VectorMatching) -> [VectorElement] {
        let signature = signer(matching)
        let right = Set(rhs.map { signature($0.labels) })
        return lhs.filter { !right.contains(signature($0.labels)) }
    }

    static func vectorVector(
        _ op: BinaryOp, _ lhsIn: [VectorElement], _ rhsIn: [VectorElement], _ matching: VectorMatching, returnBool: Bool
    ) throws(PromQLError) -> [VectorElement] {
        guard !lhsIn.isEmpty, !rhsIn.isEmpty else { return [] }
        let swapped = matching.cardinality == .oneToMany
        // The "many" side is walked; the "one" side is hashed.
        let (many, one) = swapped ? (rhsIn, lhsIn) : (lhsIn, rhsIn)
        let signature = signer(matching)
        var oneSide: [Labels: VectorElement] = [:]
        for element in one {
            let key = signature(element.labels)
            if let duplicate = oneSide[key] {
                let side = swapped ? "left" : "right"
                throw PromQLError.execution(
                    "found duplicate series for the match group \(key) on the \(side) hand-side of the operation: [\(element.labels), \(duplicate.labels)];many-to-many matching not allowed: matching labels must be unique on one side")
            }
            oneSide[key] = element
        }
        var matched: [Labels: Set<Labels>] = [:]
        var out: [VectorElement] = []
        for element in many {
            let key = signature(element.labels)
            guard let partner = oneSide[key] else { continue }
            let (left, right) = swapped ? (partner.value, element.value) : (element.value, partner.value)
            var (value, keep) = apply(op, left, right)
            if returnBool {
                value = keep ? 1 : 0
            } else if !keep {
                continue
            }
            var labels = resultLabels(element.labels, partner.labels, op, matching)
            if returnBool { labels = labels.droppingName }
            if matching.cardinality == .oneToOne {
                guard matched[key] == nil else {
                    throw PromQLError.execution("multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)")
                }
                matched[key] = []
            } else {
                guard matched[key, default: []].insert(labels).inserted else {
                    throw PromQLError.execution("multiple matches for labels: grouping labels must ensure unique matches")
                }
            }
            out.append(VectorElement(labels: labels, value: value))
        }
        try checkUnique(out)
        return out
    }

    static func resultLabels(_ many: Labels, _ one: Labels, _ op: BinaryOp, _ matching: VectorMatching) -> Labels {
        var labels = op.dropsMetricName ? many.droppingName : many
        if matching.cardinality == .oneToOne {
            labels = matching.on ? labels.keeping(matching.labels) : labels.removing(matching.labels)
        }
        for name in matching.include {
            labels.set(name, one[name])
        }
        return labels
    }
}
