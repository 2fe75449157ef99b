/// A map from a few keys to values, read at every step of a range query.
///
/// The evaluator's keys are parts of the parsed expression (a selector's matchers, a
/// step table's leaf, an aggregation's grouping), made again at each step from the
/// same storage: comparing two of them is mostly a check that both share a buffer,
/// while hashing one reads every matcher's bytes. As dictionaries these lookups were
/// 4 % of a one-series range query (`perf`, BENCHMARKS). Up to `listedMax` keys are
/// kept in a list searched with `==`; past that (a long generated query) in a
/// dictionary, so no lookup costs more than `listedMax` compares.
struct SmallMap<Key: Hashable, Value> {
    private var listed: [(key: Key, value: Value)] = []
    private var hashed: [Key: Value]?

    /// Keys searched in a list at most.
    static var listedMax: Int { 8 }

    init() {}

    var count: Int { hashed?.count ?? listed.count }

    subscript(key: Key) -> Value? {
        get {
            if let hashed { return hashed[key] }
            for entry in listed where entry.key == key { return entry.value }
            return nil
        }
        set {
            if hashed != nil {
                hashed![key] = newValue
                return
            }
            if let position = listed.firstIndex(where: { $0.key == key }) {
                if let newValue { listed[position].value = newValue } else { listed.remove(at: position) }
                return
            }
            guard let newValue else { return }
            guard listed.count >= Self.listedMax else {
                listed.append((key, newValue))
                return
            }
            var all = [Key: Value](minimumCapacity: listed.count * 2)
            for entry in listed { all[entry.key] = entry.value }
            all[key] = newValue
            listed = []
            hashed = all
        }
    }

    /// Takes the value out (so that a value with storage of its own can be changed in
    /// place and put back without a copy).
    mutating func removeValue(forKey key: Key) -> Value? {
        if hashed != nil { return hashed!.removeValue(forKey: key) }
        guard let position = listed.firstIndex(where: { $0.key == key }) else { return nil }
        return listed.remove(at: position).value
    }
}
