import Foundation

extension Evaluator {
    private struct Group {
        var labels: Labels
        var value: Double
        var mean: Double
        var count: Double
        var elements: [VectorElement]
    }

    mutating func aggregate(
        _ op: Aggregation, _ inner: Expr, parameter: Expr?, grouping: [String], without: Bool, _ t: Int64
    ) throws(PromQLError) -> Value {
        var k = 0
        var q = 0.0
        var valueLabel = ""
        var grouping = grouping
        if let parameter {
            switch op {
            case .topk, .bottomk:
                let number = try scalar(parameter, t)
                guard number.isFinite || number.isNaN, abs(number) < 9.2e18 else {
                    throw PromQLError.execution("Scalar value \(PromNumber.format(number)) overflows int64")
                }
                guard !number.isNaN else { throw PromQLError.execution("Scalar value NaN overflows int64") }
                k = Int(number)
                if k < 1 { return .vector([]) }
            case .quantile:
                q = try scalar(parameter, t)
            case .countValues:
                valueLabel = try string(parameter, t)
                guard Self.isValidLabelName(valueLabel) else { throw PromQLError.execution("invalid label name \(quoted(valueLabel))") }
                if !without { grouping.append(valueLabel) }
            default:
                break
            }
        }
        let groupingSet = Set(without ? grouping + [Labels.metricName] : grouping)
        let groupKey = { (labels: Labels) in without ? labels.removing(set: groupingSet) : labels.keeping(set: groupingSet) }
        // `count_values` groups by the values too: its keys are made per element.
        let spec = GroupingMemo.Spec(grouping: grouping, without: without)
        var memo = op == .countValues ? nil : groupingMemos.removeValue(forKey: spec) ?? GroupingMemo()
        defer { if let memo { groupingMemos[spec] = memo } }
        // A step table's row is aggregated where it lies, its series' groups known
        // once per query: no element is made for it (`StepTable`).
        let tabled = memo == nil ? nil : try tableRow(of: inner, t, spec: spec, memo: &memo!, key: groupKey)
        let input = tabled == nil ? try vector(inner, t) : []
        var index: [Labels: Int] = [:]
        var positionOfOrdinal = [Int](repeating: -1, count: memo?.keys.count ?? 0)
        var groups: [Group] = []
        // Only these keep their input elements; the others need the values alone.
        let keepsElements = op == .topk || op == .bottomk || op == .quantile
        for number in 0..<(tabled?.row.count ?? input.count) {
            let key: Labels
            let existing: Int?
            let value: Double
            let element: VectorElement?
            if memo != nil {
                // The group's position in `memo.keys`, from the table or by the labels.
                let ordinal: Int
                if let tabled {
                    let entry = tabled.row[number]
                    ordinal = tabled.ordinals[Int(entry.series)]
                    value = entry.value
                    element = keepsElements ? VectorElement(labels: tabled.labels[Int(entry.series)], value: entry.value) : nil
                } else {
                    element = input[number]
                    value = input[number].value
                    ordinal = memo!.ordinal(of: input[number].labels, key: groupKey)
                }
                if ordinal >= positionOfOrdinal.count { positionOfOrdinal.append(contentsOf: repeatElement(-1, count: ordinal + 1 - positionOfOrdinal.count)) }
                key = memo!.keys[ordinal]
                existing = positionOfOrdinal[ordinal] < 0 ? nil : positionOfOrdinal[ordinal]
                if existing == nil { positionOfOrdinal[ordinal] = groups.count }
            } else {
                let made = input[number]
                value = made.value
                element = made
                var labels = made.labels
                labels.set(valueLabel, PromNumber.format(made.value))
                key = groupKey(labels)
                existing = index[key]
                if existing == nil { index[key] = groups.count }
            }
            guard let position = existing else {
                var first = Group(labels: key, value: value, mean: value, count: 1, elements: [])
                switch op {
                case .count, .countValues, .group: first.value = 1
                case .stddev, .stdvar: first.value = 0
                case .topk, .bottomk, .quantile: first.elements = [element!]
                default: break
                }
                groups.append(first)
                continue
            }
            Self.accumulate(op, value, element, into: &groups[position])
        }
        var out: [VectorElement] = []
        for group in groups {
            let key = group.labels
            switch op {
            case .avg: out.append(VectorElement(labels: key, value: group.mean))
            case .count, .countValues: out.append(VectorElement(labels: key, value: group.count))
            case .stdvar: out.append(VectorElement(labels: key, value: group.value / group.count))
            case .stddev: out.append(VectorElement(labels: key, value: (group.value / group.count).squareRoot()))
            case .quantile: out.append(VectorElement(labels: key, value: Self.quantile(q, group.elements.map(\.value))))
            case .topk:
                out += Self.largest(group.elements, k, descending: true)
            case .bottomk:
                out += Self.largest(group.elements, k, descending: false)
            default: out.append(VectorElement(labels: key, value: group.value))
            }
        }
        return .vector(out)
    }

    /// `element` is given for the operations that keep their inputs (`topk`, `bottomk`, `quantile`).
    private static func accumulate(_ op: Aggregation, _ value: Double, _ element: VectorElement?, into group: inout Group) {
        switch op {
        case .sum:
            group.value += value
        case .avg:
            group.count += 1
            if group.mean.isInfinite {
                if value.isInfinite, (group.mean > 0) == (value > 0) { break }
                if !value.isInfinite, !value.isNaN { break }
            }
            group.mean += value / group.count - group.mean / group.count
        case .group:
            break
        case .count, .countValues:
            group.count += 1
        case .max:
            if group.value < value || group.value.isNaN { group.value = value }
        case .min:
            if group.value > value || group.value.isNaN { group.value = value }
        case .stddev, .stdvar:
            group.count += 1
            let delta = value - group.mean
            group.mean += delta / group.count
            group.value += delta * (value - group.mean)
        case .topk, .bottomk, .quantile:
            group.elements.append(element!)
        }
    }

    /// The `k` greatest (or least) elements, best first, chosen exactly as
    /// Prometheus's heap chooses them (so ties resolve the same way); NaN ranks last.
    static func largest(_ elements: [VectorElement], _ k: Int, descending: Bool) -> [VectorElement] {
        // Go's vectorByValueHeap (topk) and vectorByReverseValueHeap (bottomk).
        func less(_ a: VectorElement, _ b: VectorElement) -> Bool {
            if a.value.isNaN { return true }
            return descending ? a.value < b.value : a.value > b.value
        }
        var heap = GoHeap(less: less)
        for element in elements {
            if heap.items.count < k {
                heap.push(element)
            } else {
                let top = heap.items[0].value
                let replaces = descending ? top < element.value : top > element.value
                if replaces || (top.isNaN && !element.value.isNaN) {
                    heap.items[0] = element
                    if k > 1 { heap.fix(0) }
                }
            }
        }
        // sort.Sort(sort.Reverse(heap)): Go sorts up to 12 elements by insertion, stably.
        return heap.items.enumerated().sorted { a, b in
            if less(b.element, a.element) != less(a.element, b.element) { return less(b.element, a.element) }
            return a.offset < b.offset
        }.map(\.element)
    }

    /// Prometheus's `quantile`: linear interpolation between the closest ranks.
    static func quantile(_ q: Double, _ values: [Double]) -> Double {
        if values.isEmpty || q.isNaN { return .nan }
        if q < 0 { return -.infinity }
        if q > 1 { return .infinity }
        let sorted = values.sorted { a, b in a.isNaN && !b.isNaN ? true : (b.isNaN ? false : a < b) }
        let n = Double(sorted.count)
        let rank = q * (n - 1)
        let lower = Swift.max(0, rank.rounded(.down))
        let upper = Swift.min(n - 1, lower + 1)
        let weight = rank - rank.rounded(.down)
        return sorted[Int(lower)] * (1 - weight) + sorted[Int(upper)] * weight
    }

    static func isValidLabelName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first == "_" || (first.isASCII && first.properties.isAlphabetic) else { return false }
        return name.unicodeScalars.allSatisfy { $0 == "_" || ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) }
    }
}

/// The group key of every label set an aggregation met in one query, kept across the
/// steps of a range query: a step's input holds mostly the same label sets as the
/// last (the same arrays: `LoadedSeries`' labels), found here by the address of
/// their storage instead of hashing their strings. Every label set memoized is kept,
/// so its storage cannot be freed and reused for another while the query runs.
struct GroupingMemo {
    struct Spec: Hashable {
        let grouping: [String]
        let without: Bool
    }

    /// Label sets past which new ones are not memoized by address (a query whose
    /// label sets are made anew each step would otherwise keep them all).
    static let labelSetsMax = 200_000
    private(set) var keys: [Labels] = []
    private var ordinalOfKey: [Labels: Int] = [:]
    private var ordinalOfStorage: [UnsafeRawPointer: Int] = [:]
    private var kept: [Labels] = []

    /// The position in `keys` of the group key of `labels`.
    mutating func ordinal(of labels: Labels, key makeKey: (Labels) -> Labels) -> Int {
        let storage = labels.storageAddress
        if let storage, let ordinal = ordinalOfStorage[storage] { return ordinal }
        let key = makeKey(labels)
        let ordinal: Int
        if let known = ordinalOfKey[key] {
            ordinal = known
        } else {
            ordinal = keys.count
            keys.append(key)
            ordinalOfKey[key] = ordinal
        }
        if let storage, kept.count < Self.labelSetsMax {
            ordinalOfStorage[storage] = ordinal
            kept.append(labels)
        }
        return ordinal
    }
}

/// Go's container/heap over a slice, so that selections match Prometheus's.
struct GoHeap<Element> {
    var items: [Element] = []
    let less: (Element, Element) -> Bool

    init(less: @escaping (Element, Element) -> Bool) { self.less = less }

    mutating func push(_ element: Element) {
        items.append(element)
        up(items.count - 1)
    }

    mutating func fix(_ index: Int) {
        if !down(index, items.count) { up(index) }
    }

    private mutating func up(_ start: Int) {
        var j = start
        while true {
            let i = (j - 1) / 2
            if i == j || !less(items[j], items[i]) { break }
            items.swapAt(i, j)
            j = i
        }
    }

    private mutating func down(_ start: Int, _ n: Int) -> Bool {
        var i = start
        while true {
            let j1 = 2 * i + 1
            if j1 >= n { break }
            var j = j1
            if j1 + 1 < n, less(items[j1 + 1], items[j1]) { j = j1 + 1 }
            if !less(items[j], items[i]) { break }
            items.swapAt(i, j)
            i = j
        }
        return i > start
    }
}
