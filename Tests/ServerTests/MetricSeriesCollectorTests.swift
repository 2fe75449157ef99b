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

    /// Runs handed over in a repeating series order (time-major batches, where the
    /// next series is guessed), in a changing order, with keys equal but not identical,
    /// and new series among known ones: each series gets its samples in log order, as
    /// grouping the runs by key in a dictionary gives them.
    @Test(arguments: [1, 2, 3, 4])
    func runsInAnyOrder_gatherIntoTheSeriesADictionaryWouldGroupThemInto(seed: UInt64) {
        var random = SeededRandom(seed: seed)
        let names = (0..<12).map { "s\($0)" }
        func key(_ index: Int) -> SeriesKey {
            // A new object each time: equal keys from different batches are not identical.
            SeriesKey(name: "m", labels: EventStore.Labels(["i": names[index]]))
        }
        var collector = MetricSeriesCollector()
        var expected: [String: [(Int64, Double)]] = [:]
        var counters: Set<String> = []
        var order = Array(0..<6)
        var timeMs: Int64 = 0
        for _ in 0..<60 {
            switch random.next() % 4 {
            case 0: order.shuffle(using: &random)
            case 1: order.append(Int(random.next() % 12))
            case 2: if order.count > 1 { order.remove(at: Int(random.next() % UInt64(order.count))) }
            default: break
            }
            for index in order {
                let count = Int(random.next() % 3) + 1
                let times = (0..<count).map { _ in timeMs += 1; return timeMs * 1_000_000 }
                let values = times.map { Double($0 / 1_000_000) + Double(index) / 100 }
                let kind: MetricKind = random.next() % 5 == 0 ? .counter : .gauge
                if kind == .counter { counters.insert(names[index]) }
                times.withUnsafeBufferPointer { t in
                    values.withUnsafeBufferPointer { v in collector.add(key(index), kind: kind, timesNs: t, values: v) }
                }
                expected[names[index], default: []] += zip(times.map { $0 / 1_000_000 }, values).map { ($0, $1) }
            }
        }
        let gathered = collector.series()
        #expect(gathered.count == expected.count)
        for entry in gathered {
            let name = entry.series.labels["i"]
            let samples = expected[name] ?? []
            #expect(entry.series.samples.map(\.timestampMs) == samples.map(\.0), "\(name)")
            #expect(entry.series.samples.map(\.value) == samples.map(\.1), "\(name)")
            #expect(entry.isCounter == counters.contains(name), "\(name)")
        }
    }
}
