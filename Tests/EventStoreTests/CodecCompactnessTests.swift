import Testing
@testable import EventStore

/// The column encodings are what make the log small; these fail if one is lost
/// (values falling back to raw doubles or XOR, times or ids to fixed width).
@Suite struct CodecCompactnessTests {
    static func scrape(seriesCount: Int, seconds: Int, value: (Int, Int) -> Double) -> [Event] {
        var events: [Event] = []
        for second in 0..<seconds {
            for series in 0..<seriesCount {
                events.append(Event(
                    timeNs: 1_700_000_000_000_000_000 + Int64(second) * 1_000_000_000,
                    body: .metric(MetricSample(name: "m", labels: ["series": "\(series)"], value: value(series, second)))))
            }
        }
        return events
    }

    static func bytesPerEvent(_ events: [Event]) -> Double {
        Double(CodecTesting.encode(events).count) / Double(events.count)
    }

    @Test func encode_constantSeriesAtRegularTimes_costsAboutThreeBytesPerSampleBeforeLZ4() {
        // One byte each for time, series id and value delta, all zeros for LZ4 to take;
        // the series declarations and one time delta per tick add a little.
        let events = Self.scrape(seriesCount: 100, seconds: 100) { _, _ in 42 }
        #expect(Self.bytesPerEvent(events) < 3.3)
    }

    @Test func encode_twoDecimalRandomWalk_usesScaledDeltasNotXOR() {
        var random = CodecTestRandom(seed: 3)
        var levels = [Double](repeating: 100, count: 100)
        let events = Self.scrape(seriesCount: 100, seconds: 100) { series, _ in
            levels[series] = ((levels[series] + Double(Int.random(in: -40...40, using: &random)) / 100) * 100).rounded() / 100
            return levels[series]
        }
        // XOR of such doubles takes about 7 bytes; scaled deltas fit in one.
        #expect(Self.bytesPerEvent(events) < 3.5)
    }

    @Test func encode_steadyCounter_usesDeltaOfDelta() {
        let events = Self.scrape(seriesCount: 100, seconds: 100) { series, second in Double((series + 1) * 1_000 * second) }
        #expect(Self.bytesPerEvent(events) < 3.3)
    }

    @Test func encode_afterLZ4_constantScrapeIsUnderHalfAByte() throws {
        let payload = CodecTesting.encode(Self.scrape(seriesCount: 100, seconds: 100) { _, _ in 1 })
        var compressed = [UInt8](repeating: 0, count: LZ4.compressBound(payload.count))
        let size = payload.withUnsafeBytes { source in
            compressed.withUnsafeMutableBytes { LZ4.compress(source, into: $0) }
        }
        #expect(size > 0)
        #expect(Double(size) / 10_000 < 0.5)
    }
}

@Suite struct CodecTimeColumnTests {
    static func timeBytes(_ timesNs: [Int64]) -> Int {
        var column = TimeColumn(reservingCapacity: timesNs.count)
        for timeNs in timesNs { column.append(timeNs) }
        var writer = PayloadWriter(reservingCapacity: 64)
        column.write(into: &writer)
        return writer.bytes.count
    }

    @Test func write_regularIntervals_chooseDeltaOfDelta() {
        let times = (0..<1_000).map { Int64($0) * 1_000_000_000 }
        // Mode, base, then one zero byte per time after the first delta.
        #expect(Self.timeBytes(times) <= 1 + 1 + 1_000 + 5)
    }

    @Test func write_ticksSharedByManySeries_chooseDelta() {
        let times = (0..<1_000).map { Int64($0 / 100) * 1_000_000_000 }
        // Delta-of-delta would spend two 5-byte varints per tick, deltas one.
        #expect(Self.timeBytes(times) <= 1 + 1 + 1_000 + 9 * 4)
    }
}
