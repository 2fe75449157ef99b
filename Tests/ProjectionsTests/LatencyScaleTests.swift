import Foundation
import Testing
@testable import Projections

@Suite struct LatencyScaleTests {
    @Test func index_isMonotonic_andRangesTileTheAxis() {
        var previousHigh: UInt64 = 0
        for index in 0..<LatencyScale.bucketCount {
            let r = LatencyScale.range(ofIndex: index)
            #expect(r.low == previousHigh, "bucket \(index) starts at \(r.low), previous ended at \(previousHigh)")
            #expect(LatencyScale.index(ofMicros: r.low) == index)
            #expect(LatencyScale.index(ofMicros: r.high - 1) == index)
            previousHigh = r.high
        }
    }

    @Test func representative_isWithinRelativeErrorBound_forEveryValueSampled() {
        var rng = WindowFixtures.Seeded(state: 42)
        for _ in 0..<20_000 {
            let micros = UInt64(exp(rng.unit() * log(Double(LatencyScale.maxMicros))))
            let reported = LatencyScale.representativeMs(ofIndex: LatencyScale.index(ofMicros: micros)) * 1000
            let error = abs(reported - Double(micros)) / max(Double(micros), 1)
            #expect(error <= LatencyScale.relativeErrorMax + 1e-12, "\(micros) µs reported as \(reported)")
        }
    }

    @Test func micros_whenOverMaximum_clamps_andWhenZeroOrNegative_isZero() {
        #expect(LatencyScale.micros(fromMs: 1e15) == LatencyScale.maxMicros)
        #expect(LatencyScale.micros(fromMs: 0) == 0)
        #expect(LatencyScale.micros(fromMs: 1.2345) == 1235)
    }

    @Test func sparseCounts_whenRecordedOutOfOrder_staySortedAndMerge() throws {
        var a = SparseLatencyCounts()
        for us: UInt64 in [5000, 3, 5000, 100, 3] { a.record(micros: us) }
        #expect(a.totalCount == 5)
        var indices: [Int] = []
        a.forEach { i, _ in indices.append(i) }
        #expect(indices == indices.sorted())
        var b = SparseLatencyCounts()
        b.record(micros: 100)
        b.merge(a)
        #expect(b.totalCount == 6)
        #expect(try WindowFixtures.roundTrip(b) == b)
    }

    @Test func sparseCounts_equalADenseCountOfTheSameLatencies_overRandomOrders() {
        var random = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            var sparse = SparseLatencyCounts()
            var dense: [Int: UInt64] = [:]
            for _ in 0..<Int.random(in: 0..<300, using: &random) {
                let micros = UInt64.random(in: 0..<2_000_000, using: &random) >> UInt64.random(in: 0..<20, using: &random)
                sparse.record(micros: micros)
                dense[LatencyScale.index(ofMicros: micros), default: 0] += 1
            }
            var got: [(Int, UInt64)] = []
            sparse.forEach { got.append(($0, $1)) }
            #expect(got.map(\.0) == dense.keys.sorted())
            #expect(got.map(\.1) == dense.keys.sorted().map { dense[$0]! })
        }
    }

    @Test func sparseCounts_pastSparseBucketsMax_holdTheSameCountsDense_asTheirStoredFormHoldsThemSparse() throws {
        var counts = SparseLatencyCounts()
        var expected: [(Int, UInt64)] = []
        // Buckets arriving from the top down, so every one is inserted before the others.
        for index in stride(from: 400, to: 0, by: -2) {
            counts.add(index: index, count: UInt64(index))
            expected.insert((index, UInt64(index)), at: 0)
        }
        counts.add(index: 500, count: 1)  // above the dense range
        counts.add(index: 1, count: 1)  // below it
        counts.add(index: 200, count: 5)  // inside it
        expected = [(1, 1)] + expected.map { $0.0 == 200 ? (200, 205) : $0 } + [(500, 1)]
        var got: [(Int, UInt64)] = []
        counts.forEach { got.append(($0, $1)) }
        #expect(got.map(\.0) == expected.map(\.0) && got.map(\.1) == expected.map(\.1))
        #expect(counts.totalCount == expected.reduce(0) { $0 + $1.1 })
        let stored = try WindowFixtures.roundTrip(counts)
        #expect(stored == counts && counts == stored)
        #expect(stored.packedEntries == counts.packedEntries)
        var sparse = SparseLatencyCounts()
        sparse.merge(counts)
        #expect(sparse == counts)
    }

    @Test func buckets_percentiles_ofUniformDistribution_areWithinBound() {
        var h = LatencyBuckets()
        // 1..10000 µs, once each: p50 = 5000 µs, p99 = 9900 µs, p99.9 = 9990 µs.
        for us in 1...10_000 { h.record(micros: UInt64(us)) }
        for (p, exact) in [(50.0, 5.0), (95, 9.5), (99, 9.9), (99.9, 9.99)] {
            let got = h.valueAtPercentileMs(p)
            #expect(abs(got - exact) / exact <= LatencyScale.relativeErrorMax, "p\(p): \(got) vs \(exact)")
        }
    }

    @Test func buckets_percentiles_ofExponentialDistribution_areWithinBound() {
        var rng = WindowFixtures.Seeded(state: 9)
        var values: [Double] = []
        var h = LatencyBuckets()
        for _ in 0..<50_000 {
            let ms = -log(1 - rng.unit()) * 20 // mean 20 ms
            let us = LatencyScale.micros(fromMs: ms)
            values.append(Double(us) / 1000)
            h.record(micros: us)
        }
        values.sort()
        for p in [50.0, 95, 99, 99.9] {
            let exact = values[Int((p / 100 * Double(values.count)).rounded(.up)) - 1]
            let got = h.valueAtPercentileMs(p)
            #expect(abs(got - exact) / exact <= LatencyScale.relativeErrorMax, "p\(p): \(got) vs \(exact)")
        }
    }
}
