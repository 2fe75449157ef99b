import EventStore
import Testing
@testable import Projections

@Suite struct CachesProjectionTests {
    typealias F = PanelFixtures

    @Test func increase_whenCounterGoesDown_countsNewValueAsTheIncrease() {
        #expect(CacheRecord.increase(from: 10, to: 15) == (5, false))
        #expect(CacheRecord.increase(from: 10, to: 3) == (3, true))
    }

    @Test func apply_cumulativeReports_addIncreases_andHandleAReset() throws {
        let state = F.fold(CacheStatsProjection.self, [
            F.cache(1, "q", hits: 80, misses: 20, evictions: 5),
            F.cache(2, "q", hits: 90, misses: 30, evictions: 6),
            // Producer restarted: counters start again from zero.
            F.cache(3, "q", hits: 4, misses: 6, evictions: 1),
        ])
        let cache = try #require(state.view().caches.first)
        #expect(cache.hits == 94 && cache.misses == 36 && cache.evictions == 7)
        #expect(cache.resets == 1)
        #expect(cache.hitRate == 94.0 / 130.0)
        #expect(cache.missRate == 1 - 94.0 / 130.0)
    }

    @Test func view_lastMinute_excludesTrafficOlderThanSixtySeconds() throws {
        let view = F.fold(CacheStatsProjection.self, [
            F.cache(0, "q", hits: 100, misses: 0),
            F.cache(100, "q", hits: 110, misses: 10),
        ]).view()
        #expect(view.hitRate == 110.0 / 120.0)
        #expect(view.hitRateLast60s == 0.5)
        #expect(view.missRateLast60s == 0.5)
    }

    @Test func view_totals_weighCompressionBySize_andTTLByEntries() throws {
        let view = F.fold(CacheStatsProjection.self, [
            F.cache(1, "a", hits: 30, misses: 10, evictions: 2, sizeBytes: 1000, entries: 10, ratio: 2, ttlMs: 100),
            F.cache(1, "b", hits: 10, misses: 50, evictions: 3, sizeBytes: 3000, entries: 30, ratio: 4, ttlMs: 500),
        ]).view()
        #expect(view.hitRate == 0.4)
        #expect(view.evictions == 5)
        #expect(view.totalSize == 4000)
        #expect(view.entries == 40)
        #expect(view.compressionRatio == (2.0 * 1000 + 4.0 * 3000) / 4000)
        #expect(view.averageTTL == (100.0 * 10 + 500.0 * 30) / 40)
        #expect(view.caches.map(\.name) == ["a", "b"])
    }

    /// The hit-rate chart's history comes from the server: per second of the last ten
    /// minutes, the hits and misses every cache added (a late report adds nothing).
    @Test func view_history_isTheHitRateOfEachSecondsIncreases_allCaches() throws {
        let view = F.fold(CacheStatsProjection.self, [
            F.cache(0, "a", hits: 9, misses: 1),
            F.cache(700, "a", hits: 19, misses: 1), F.cache(700.5, "b", hits: 0, misses: 10),
            F.cache(705, "a", hits: 29, misses: 1), F.cache(700.2, "b", hits: 0, misses: 99),
        ]).view()
        #expect(view.history.map(\.timeNs) == [F.at(700), F.at(705)], "0 s is out of the window; b's late report (700.2 s, after its 700.5 s one) adds nothing")
        let first = try #require(view.history.first)
        #expect(first.hits == 10 && first.misses == 10 && first.hitRate == 0.5)
        #expect(view.history.last?.hitRate == 1)
    }

    @Test func apply_lateReport_isIgnoredAndCounted() throws {
        let state = F.fold(CacheStatsProjection.self, [
            F.cache(10, "q", hits: 50, misses: 50),
            F.cache(5, "q", hits: 10, misses: 10),
        ])
        let record = try #require(state.caches["q"])
        #expect(record.hits == 50 && record.lateReportCount == 1 && record.resetCount == 0)
    }

    @Test func view_withoutReports_hasNoRates() {
        let view = CacheStatsProjection().view()
        #expect(view.hitRate == nil && view.missRate == nil && view.compressionRatio == nil && view.caches.isEmpty)
    }

    @Test func merge_ofSameCacheFromTwoShards_addsIncreases_andTakesLaterGauges() throws {
        var a = F.fold(CacheStatsProjection.self, [F.cache(1, "q", hits: 10, misses: 0, sizeBytes: 1)])
        a.merge(F.fold(CacheStatsProjection.self, [F.cache(2, "q", hits: 5, misses: 5, sizeBytes: 2)]))
        let record = try #require(a.caches["q"])
        #expect(record.hits == 15 && record.misses == 5 && record.sizeBytes == 2)
    }

    @Test func encoding_isIndependentOfCacheArrivalOrder() throws {
        let ab = F.fold(CacheStatsProjection.self, [F.cache(1, "a", hits: 1, misses: 1), F.cache(1, "b", hits: 2, misses: 2)])
        let ba = F.fold(CacheStatsProjection.self, [F.cache(1, "b", hits: 2, misses: 2), F.cache(1, "a", hits: 1, misses: 1)])
        #expect(ab == ba)
        #expect(try F.encodeSorted(ab) == F.encodeSorted(ba))
        #expect(try F.roundTrips(ab))
    }
}
