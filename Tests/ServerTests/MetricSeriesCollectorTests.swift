import EventStore
import PromQL
import Testing
import TestSupport
@testable import Server

/// A log series' PromQL label set, built from the key's sorted pairs, is the one the
/// dictionary-and-sort initializer makes: the name as `__name__` (replacing a label of
/// that name), empty values out, names in order.
@Suite struct MetricSeriesCollectorTests {
    @Test(arguments: [1, 2, 3])
    func labelSetsFromAKeysPairs_equalTheDictionaryBuiltOnes(seed: UInt64) {
        var random = SeededRandom(seed: seed)
        func pick<T>(_ items: [T]) -> T { items[Int(random.next() % UInt64(items.count))] }
        let names = ["", "a", "Z", "_x", "__name__", "__a", "job", "zz", "é", "instance", "__name__x"]
        let values = ["", "", "v", "1", "é", "api"]
        for _ in 0..<3_000 {
            var dictionary: [String: String] = [:]
            for _ in 0..<Int(random.next() % 6) { dictionary[pick(names)] = pick(values) }
            let key = SeriesKey(name: pick(["", "up", "a", "zz", "http_requests_total"]), labels: EventStore.Labels(dictionary))
            let expected = PromQL.Labels(name: key.name, dictionary)
            let made = MetricSeriesCollector.labels(key)
            #expect(made == expected, "\(key.name) \(dictionary)")
        }
    }
}
