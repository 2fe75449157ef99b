import Testing
@testable import EventStore

/// The public JSON form: export → import gives the same events, and bad input is
/// refused with its line and field.
@Suite struct JSONRoundTripTests {
    static func ndjson(_ events: [Event]) -> String {
        let encoder = EventJSONEncoder()
        return events.map { encoder.encode($0) }.joined(separator: "\n") + "\n"
    }

    static func refusal(_ text: String) -> EventInputError? {
        do {
            _ = try EventJSONDecoder().decode(text, defaultTimeNs: 0)
            return nil
        } catch {
            return error
        }
    }

    @Test func roundTrip_everyEventType_returnsSameEventsInOrder() throws {
        let events = CodecSampleEvents.everyType
        #expect(try EventJSONDecoder().decode(Self.ndjson(events), defaultTimeNs: 0) == events)
    }

    @Test func roundTrip_edgeValues_areExact() throws {
        let events = CodecSampleEvents.edgeValues
        let decoded = try EventJSONDecoder().decode(Self.ndjson(events), defaultTimeNs: 0)
        #expect(CodecTesting.allSameBits(decoded, events))
    }

    @Test func roundTrip_asJSONArray_returnsSameEvents() throws {
        let encoder = EventJSONEncoder()
        let events = CodecSampleEvents.everyType
        let array = "[" + events.map { encoder.encode($0) }.joined(separator: ",") + "]"
        #expect(try EventJSONDecoder().decode(array, defaultTimeNs: 0) == events)
    }

    @Test func roundTrip_mixedBatch_thenThroughBinaryCodec_isExact() throws {
        // The mixed batch has only finite values, which JSON carries exactly: both forms agree.
        let events = CodecTesting.mixedBatch(seed: 9, count: 500)
        let viaJSON = try EventJSONDecoder().decode(Self.ndjson(events), defaultTimeNs: 0)
        #expect(CodecTesting.allSameBits(viaJSON, events))
        #expect(CodecTesting.allSameBits(try CodecTesting.roundTrip(viaJSON), events))
    }

    /// Found by `tools/fuzz influx` (`humidity=-.0`): a stored -0.0 was written as `0`,
    /// so an export imported as +0.0 and the event changed. It is written `-0.0` now.
    @Test func negativeZero_keepsItsSignThroughJSON() throws {
        let event = Event(timeNs: 5, body: .metric(MetricSample(name: "m", value: -0.0)))
        let line = EventJSONEncoder().encode(event)
        #expect(line.contains(#""value":-0.0"#), "\(line)")
        let decoded = try EventJSONDecoder().decode(line, defaultTimeNs: 0)
        #expect(CodecTesting.allSameBits(decoded, [event]))
        let positive = EventJSONEncoder().encode(Event(timeNs: 5, body: .metric(MetricSample(name: "m", value: 0))))
        #expect(positive.contains(#""value":0"#) && !positive.contains("-0"), "\(positive)")
    }

    @Test func decode_identicalTimestamps_keepInputOrder() throws {
        let text = """
            {"type":"metric","ts":5,"name":"a","value":1}
            {"type":"metric","ts":5,"name":"b","value":2}
            {"type":"metric","ts":5,"name":"a","value":3}
            """
        let names = try EventJSONDecoder().decode(text, defaultTimeNs: 0).map { event -> String in
            guard case .metric(let sample) = event.body else { return "" }
            return sample.series.name + "=\(sample.value)"
        }
        #expect(names == ["a=1.0", "b=2.0", "a=3.0"])
    }

    @Test func decode_missingTs_usesDefaultTime_andRFC3339IsAccepted() throws {
        let text = """
            {"type":"alert_resolve","id":"x"}
            {"type":"alert_resolve","id":"y","ts":"1970-01-01T00:00:01.5Z"}
            """
        let events = try EventJSONDecoder().decode(text, defaultTimeNs: 77)
        #expect(events.map(\.timeNs) == [77, 1_500_000_000])
    }

    @Test func decode_nonFiniteNumber_isRefusedWithLineAndField() {
        let text = """
            {"type":"metric","name":"ok","value":1}
            {"type":"metric","name":"m","value":1e999}
            """
        let error = Self.refusal(text)
        #expect(error?.location == .line(2))
        #expect(error?.field == "value")
        #expect(error?.reason.contains("finite") == true)
    }

    /// A breaker's failure count past Int64 trapped converting it: one line stopped the
    /// server. It is refused on its line, naming the field; Int64.max is taken.
    @Test func decode_breakerFailuresPastInt64_isRefusedNotATrap() throws {
        let line = { (failures: String) in #"{"type":"breaker","connection":"c","from":"CLOSED","to":"OPEN","failures":\#(failures)}"# }
        for failures in ["9223372036854775808", "10000000000000000000", "1.8e19"] {
            let error = Self.refusal(line(failures))
            #expect(error?.field == "failures", "\(failures)")
        }
        let events = try EventJSONDecoder().decode(line("9223372036854775807"), defaultTimeNs: 0)
        guard case .breaker(let transition) = events.first?.body else { Issue.record("no breaker"); return }
        #expect(transition.failures == Int64.max)
    }

    @Test func decode_NaNLiteral_isRefusedOnItsLine() {
        let error = Self.refusal(#"{"type":"metric","name":"m","value":NaN}"#)
        #expect(error?.location == .line(1))
    }

    @Test func decode_stringOverItsLimit_isRefused_atTheLimitAccepted() throws {
        let atLimit = String(repeating: "n", count: EventLimits.nameBytesMax)
        let events = try EventJSONDecoder().decode(#"{"type":"op","name":"\#(atLimit)","durationMs":1,"ok":true}"#, defaultTimeNs: 0)
        #expect(events.count == 1)
        let error = Self.refusal(#"{"type":"op","name":"\#(atLimit)x","durationMs":1,"ok":true}"#)
        #expect(error?.field == "name")
    }

    @Test func decode_emptyLabelsObject_givesEmptyLabels() throws {
        let events = try EventJSONDecoder().decode(#"{"type":"metric","name":"m","labels":{},"value":-3}"#, defaultTimeNs: 0)
        #expect(events == [Event(timeNs: 0, body: .metric(MetricSample(series: SeriesKey(name: "m"), value: -3)))])
    }

    @Test func decode_badLineInTheMiddle_refusesTheWholeInput() {
        let text = """
            {"type":"alert_ack","id":"a"}
            {"type":"breaker","connection":"c","from":"CLOSED","to":"SIDEWAYS","failures":1}
            {"type":"alert_ack","id":"b"}
            """
        let error = Self.refusal(text)
        #expect(error?.location == .line(2))
        #expect(error?.field == "to")
    }

    @Test func encode_negativeAndHugeValues_writeNumbersThatParseBack() throws {
        let events = [
            Event(timeNs: -1, body: .metric(MetricSample(name: "m", value: -123_456_789.125))),
            Event(timeNs: Int64.max, body: .metric(MetricSample(name: "m", value: 1e300))),
            Event(timeNs: Int64.min, body: .metric(MetricSample(name: "m", value: -Double.leastNonzeroMagnitude))),
        ]
        #expect(CodecTesting.allSameBits(try EventJSONDecoder().decode(Self.ndjson(events), defaultTimeNs: 0), events))
    }
}

@Suite struct JSONWriterNonFiniteTests {
    @Test func nonFiniteNumbers_areWrittenAsNull_notATrap() {
        var writer = JSONWriter(reservingCapacity: 64)
        writer.beginObject()
        writer.member("nan", Double.nan)
        writer.member("inf", -Double.infinity)
        writer.member("one", 1.5)
        writer.endObject()
        #expect(String(decoding: writer.bytes, as: UTF8.self) == #"{"nan":null,"inf":null,"one":1.5}"#)
    }
}
