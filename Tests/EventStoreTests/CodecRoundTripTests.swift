import Testing
@testable import EventStore

@Suite struct CodecRoundTripTests {
    @Test func roundTrip_everyEventType_returnsSameEventsInOrder() throws {
        let events = CodecSampleEvents.everyType
        #expect(Set(events.map(\.type)) == Set(EventType.allCases))
        #expect(try CodecTesting.roundTrip(events) == events)
    }

    @Test func roundTrip_eachEventAlone_decodesWithoutOtherBatches() throws {
        for event in CodecSampleEvents.everyType {
            #expect(try CodecTesting.roundTrip([event]) == [event])
        }
    }

    @Test func roundTrip_edgeValues_areExact() throws {
        let events = CodecSampleEvents.edgeValues
        #expect(CodecTesting.allSameBits(try CodecTesting.roundTrip(events), events))
    }

    @Test func roundTrip_negativeZeroSubnormalsAndInt64Extremes_keepTheirBits() throws {
        let events = CodecSampleEvents.binaryEdges
        #expect(CodecTesting.allSameBits(try CodecTesting.roundTrip(events), events))
    }

    @Test func decode_aChecksumValidBatchHoldingAValueTheLogNeverWrites_isRefusedNamingTheField() throws {
        for (event, field) in CodecSampleEvents.outsideTheDomain {
            #expect(EventDomain.violation(of: event.body)?.hasPrefix(field + ":") == true, "\(event)")
            let payload = CodecTesting.encode(CodecSampleEvents.everyType + [event])
            var refusal: CodecError?
            do { _ = try CodecTesting.decode(payload, eventCount: CodecSampleEvents.everyType.count + 1) } catch { refusal = error }
            let error = try #require(refusal, "decoded \(event)")
            #expect(error.reason.contains(field), "\(error)")
        }
    }

    @Test func domain_holdsEveryEventTheJSONReaderAccepts() throws {
        for event in CodecSampleEvents.everyType + CodecSampleEvents.edgeValues + CodecSampleEvents.binaryEdges {
            #expect(EventDomain.violation(of: event.body) == nil, "\(event)")
        }
    }

    @Test func roundTrip_emptyBatch_decodesToNothing() throws {
        let payload = CodecTesting.encode([])
        #expect(payload.first == BatchCodec.currentEncoding)
        #expect(try CodecTesting.decode(payload, eventCount: 0).isEmpty)
    }

    @Test func roundTrip_mixedBatches_areExactForManySeeds() throws {
        for seed in UInt64(1)...20 {
            let events = CodecTesting.mixedBatch(seed: seed, count: 2_000)
            let decoded = try CodecTesting.roundTrip(events)
            #expect(CodecTesting.allSameBits(decoded, events), "seed \(seed)")
        }
    }

    @Test func roundTrip_identicalAndBackwardTimes_keepOrderAndTimes() throws {
        let times: [Int64] = [5, 5, 5, 4, Int64.max, Int64.min, Int64.max, 0, 0, -1]
        let events = times.enumerated().map { index, timeNs in
            Event(timeNs: timeNs, body: .metric(MetricSample(name: "t", value: Double(index))))
        }
        #expect(try CodecTesting.roundTrip(events) == events)
    }

    @Test func roundTrip_sameSeriesAsGaugeAndCounter_keepsEachSamplesKind() throws {
        let events = (0..<10).map { index in
            Event(timeNs: Int64(index), body: .metric(MetricSample(
                name: "x", labels: ["a": "b"], value: Double(index), kind: index.isMultiple(of: 3) ? .counter : .gauge)))
        }
        #expect(try CodecTesting.roundTrip(events) == events)
    }

    @Test func decode_appendsAfterEventsAlreadyInTheArray() throws {
        let first = Array(CodecSampleEvents.everyType.prefix(3))
        let second = Array(CodecSampleEvents.everyType.suffix(4))
        var events = first
        let payload = CodecTesting.encode(second)
        try payload.withUnsafeBytes { bytes in
            try BatchCodec.decode(bytes, eventCount: second.count, into: &events)
        }
        #expect(events == first + second)
    }

    @Test func decode_sharesOneSeriesKeyPerSeries() throws {
        let events = (0..<100).map { index in
            Event(timeNs: Int64(index), body: .metric(MetricSample(name: "a_rather_long_series_name_\(index % 2)", labels: ["k": "v"], value: 1)))
        }
        let decoded = try CodecTesting.roundTrip(events)
        guard case .metric(let first) = decoded[0].body, case .metric(let third) = decoded[2].body else {
            Issue.record("expected metric events")
            return
        }
        // One string storage per series and batch, not per event.
        #expect(first.series.name.utf8.withContiguousStorageIfAvailable { $0.baseAddress }
            == third.series.name.utf8.withContiguousStorageIfAvailable { $0.baseAddress })
    }
}
