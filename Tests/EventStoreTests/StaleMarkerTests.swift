import Testing
import TestSupport
@testable import EventStore

/// Prometheus's stale marker (a NaN of one bit pattern) is the one non-finite value a
/// metric sample may hold: it goes through the binary codec, the log, the sample scans
/// and JSON unchanged, and the minute rollups pass over it. Any other NaN stays refused
/// (`CodecSampleEvents.outsideTheDomain`).
@Suite struct StaleMarkerTests {
    static let series = SeriesKey(name: "up_jobs", labels: Labels(["instance": "a:9100"]))

    /// A series sampled every 15 s from `startNs`, ending with a marker, then sampled again.
    static func events(startNs: Int64 = 1_700_000_000_000_000_000) -> [Event] {
        var events = (0..<6).map { step in
            Event(timeNs: startNs + Int64(step) * 15_000_000_000, body: .metric(MetricSample(series: series, value: Double(step) + 0.25, kind: .counter)))
        }
        events.append(Event(timeNs: startNs + 90_000_000_000, body: .metric(MetricSample.staleMarker(series: series, kind: .counter))))
        events.append(Event(timeNs: startNs + 300_000_000_000, body: .metric(MetricSample(series: series, value: 1, kind: .counter))))
        return events
    }

    @Test func staleMarker_isPrometheusStaleNaN_andInTheDomain_besidePrometheussNaN_whereOtherNaNsAreNot() {
        let marker = MetricSample.staleMarker(series: Self.series)
        #expect(marker.value.isNaN && marker.value.bitPattern == 0x7FF0_0000_0000_0002)
        #expect(marker.isStaleMarker && EventDomain.violation(of: .metric(marker)) == nil)
        let prometheusNaN = MetricSample(series: Self.series, value: Double(bitPattern: 0x7FF8_0000_0000_0001))
        #expect(!prometheusNaN.isStaleMarker && EventDomain.violation(of: .metric(prometheusNaN)) == nil)
        #expect(EventDomain.violation(of: .metric(MetricSample(series: Self.series, value: -.infinity))) == nil)
        #expect(!MetricSample(series: Self.series, value: .nan).isStaleMarker)
        #expect(EventDomain.violation(of: .metric(MetricSample(series: Self.series, value: .nan)))?.hasPrefix("value: a NaN other than") == true)
        #expect(MetricSample.canonical(.nan).bitPattern == 0x7FF8_0000_0000_0001)
        #expect(MetricSample.canonical(marker.value).bitPattern == 0x7FF0_0000_0000_0002)
    }

    @Test func staleMarker_goesThroughTheBinaryCodecWithItsBits() throws {
        let events = Self.events()
        #expect(CodecTesting.allSameBits(try CodecTesting.roundTrip(events), events))
    }

    @Test func staleMarker_isWrittenAsStaleTrueInJSON_andReadBack() throws {
        let events = Self.events()
        let lines = events.map { EventJSONEncoder().encode($0) }
        #expect(lines[6] == #"{"type":"metric","ts":1700000090000000000,"name":"up_jobs","labels":{"instance":"a:9100"},"stale":true,"kind":"counter"}"#)
        let decoded = try EventJSONDecoder().decode(lines.joined(separator: "\n"), defaultTimeNs: 0)
        #expect(CodecTesting.allSameBits(decoded, events))
        // `"stale":false` is an ordinary sample.
        let plain = try EventJSONDecoder().decode(#"{"type":"metric","name":"m","stale":false,"value":2}"#, defaultTimeNs: 0)
        #expect(plain == [Event(timeNs: 0, body: .metric(MetricSample(name: "m", value: 2)))])
    }

    @Test func infinitiesAndNaN_areWrittenAsPrometheusStrings_andReadBack() throws {
        let lines = [Double.infinity, -.infinity, Double(bitPattern: MetricSample.nanBitPattern)].map {
            EventJSONEncoder().encode(Event(timeNs: 1, body: .metric(MetricSample(name: "m", value: $0))))
        }
        #expect(lines == ["+Inf", "-Inf", "NaN"].map { #"{"type":"metric","ts":1,"name":"m","value":"\#($0)","kind":"gauge"}"# })
        let decoded = try EventJSONDecoder().decode(lines.joined(separator: "\n") + "\n" + #"{"type":"metric","ts":1,"name":"m","value":"Inf"}"#, defaultTimeNs: 0)
        #expect(decoded.map { event -> UInt64 in
            guard case .metric(let sample) = event.body else { return 0 }
            return sample.value.bitPattern
        } == [Double.infinity.bitPattern, (-Double.infinity).bitPattern, MetricSample.nanBitPattern, Double.infinity.bitPattern])
    }

    @Test(arguments: [
        (#"{"type":"metric","name":"m","value":"nan"}"#, "value"),
        (#"{"type":"metric","name":"m","value":"12"}"#, "value"),
        (#"{"type":"metric","name":"m","stale":true,"value":1}"#, "value"),
        (#"{"type":"metric","name":"m","stale":"yes"}"#, "stale"),
        (#"{"type":"metric","name":"m","stale":false}"#, "value"),
    ])
    func aStaleFieldThatSaysTwoThings_isRefused(line: String, field: String) {
        do {
            _ = try EventJSONDecoder().decode(line, defaultTimeNs: 0)
            Issue.record("accepted \(line)")
        } catch {
            #expect(error.field == field, "\(error)")
        }
    }

    @Test func staleMarker_isKeptByTheLog_andHandedToTheSampleScans() async throws {
        let log = try LogTest.open(SimulatedFileSystem(seed: 5))
        let events = Self.events()
        _ = try await log.append(events)
        #expect(CodecTesting.allSameBits(try LogTest.readAll(log).events.map(\.event), events))
        // Twice: the second scan reads the decoded-sample cache.
        for _ in 0..<2 {
            var scanned: [(Int64, UInt64)] = []
            try log.metricSamples.scan(fromNs: .min, toNs: .max, wants: { _ in true }) { _, _, times, values in
                for (time, value) in zip(times, values) { scanned.append((time, value.bitPattern)) }
            }
            #expect(scanned.map(\.0) == events.map(\.timeNs))
            #expect(scanned.map(\.1) == events.map { event in
                guard case .metric(let sample) = event.body else { return 0 }
                return sample.value.bitPattern
            })
        }
        try await log.close()
    }

    @Test func minuteRollups_passOverStaleMarkers() {
        let events = Self.events()
        func rollup(_ events: [Event]) -> SegmentRollups.SeriesRollup {
            var rollup = SegmentRollups.SeriesRollup()
            let times = events.map(\.timeNs)
            let values = events.map { event -> Double in
                guard case .metric(let sample) = event.body else { return 0 }
                return sample.value
            }
            times.withUnsafeBufferPointer { times in values.withUnsafeBufferPointer { rollup.add(kind: .counter, times: times, values: $0) } }
            return rollup
        }
        let withMarker = rollup(events)
        let without = rollup(events.filter { event in
            guard case .metric(let sample) = event.body else { return true }
            return !sample.isStaleMarker
        })
        #expect(withMarker.buckets == without.buckets && withMarker.units == without.units)
        #expect(withMarker.buckets.allSatisfy { !$0.min.isNaN && !$0.max.isNaN && !$0.mean.isNaN })
    }
}
