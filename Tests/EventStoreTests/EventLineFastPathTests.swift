import Foundation
import Testing
@testable import EventStore

/// Plain `metric` and `op` lines skip the JSON tree (`EventLineFastPath`); every input
/// must still decode to the same events, bit for bit, or fail with the same error as
/// through the tree.
@Suite struct EventLineFastPathTests {
    static let defaultTimeNs: Int64 = 1_767_261_600_000_000_000

    /// Both ways; a difference is returned as text.
    static func difference(_ input: String) -> String? {
        let fast = Result { () throws(EventInputError) in try EventJSONDecoder().decode(input, defaultTimeNs: defaultTimeNs) }
        let tree = Result { () throws(EventInputError) in try EventJSONDecoder(usesFastPath: false).decode(input, defaultTimeNs: defaultTimeNs) }
        switch (fast, tree) {
        case (.success(let a), .success(let b)):
            guard a.count == b.count else { return "\(a.count) events vs \(b.count)" }
            for (x, y) in zip(a, b) where x != y || !sameBits(x, y) { return "\(x) vs \(y)" }
            return nil
        case (.failure(let a), .failure(let b)):
            return a == b ? nil : "error \(a) vs \(b)"
        case (.success(let a), .failure(let b)):
            return "fast path accepted \(a), the tree refused: \(b)"
        case (.failure(let a), .success(let b)):
            return "fast path refused (\(a)), the tree accepted \(b)"
        }
    }

    static func sameBits(_ a: Event, _ b: Event) -> Bool {
        switch (a.body, b.body) {
        case (.metric(let x), .metric(let y)): x.value.bitPattern == y.value.bitPattern
        case (.op(let x), .op(let y)): x.durationMs.bitPattern == y.durationMs.bitPattern
        default: true
        }
    }

    static let plainMetric = #"{"type":"metric","ts":1764000000000000000,"name":"bench_gauge","labels":{"job":"j","instance":"i-1"},"value":134.364}"#
    static let plainOp = #"{"type":"op","ts":1764000000000000000,"name":"GET /api/v1/things/long-name","protocol":"http1","durationMs":12.5,"ok":true}"#

    /// Lines at every boundary the fast path draws: what it takes, and what it leaves to the tree.
    static let lines: [String] = {
        var lines = [plainMetric, plainOp]
        for value in ["0", "-0", "0.0", "-0.0", "0.1", "0.30000000000000004", "1e22", "1e23", "1E+2", "1e-5", "123456789012345678",
                      "12345678901234567890", "9223372036854775807", "-9223372036854775808", "1.7976931348623157e308", "1e400",
                      "5e-324", "2.2250738585072014e-308", "01", "1.", ".5", "-", "1e", "+1", "0x10", "1.000000000000000000001",
                      "123.456e-3", "0.000001234", "99999999999999.99", "4.35", "\"1\"", "true", "null", "[1]", "{}"] {
            lines.append(#"{"type":"metric","name":"m","value":\#(value)}"#)
            lines.append(#"{"type":"op","name":"o","durationMs":\#(value),"ok":false}"#)
        }
        for ts in ["0", "-1", "1764000000000000000", "9223372036854775807", "9223372036854775808", "1.5", "1e18", "\"2026-01-01T00:00:00Z\"", "\"x\"", "null", "true"] {
            lines.append(#"{"type":"metric","ts":\#(ts),"name":"m","value":1}"#)
        }
        lines += [
            #"{"type":"metric","name":"m","value":1,"kind":"counter"}"#, #"{"type":"metric","name":"m","value":1,"kind":"gauge"}"#,
            #"{"type":"metric","name":"m","value":1,"kind":"histogram"}"#, #"{"type":"metric","name":"m","value":1,"kind":5}"#,
            #"{"type":"metric","name":"","value":1}"#, #"{"type":"metric","name":"m"}"#, #"{"type":"metric","value":1}"#,
            #"{"type":"metric","name":"m","value":1,"name":"n"}"#, #"{"type":"metric","name":"m","value":1,"extra":1}"#,
            #"{"type":"metric","name":"m\u0041","value":1}"#, #"{"type":"metric","name":"mé","value":1}"#,
            #"{"type":"metric","name":"m","value":1,"labels":{}}"#, #"{"type":"metric","name":"m","value":1,"labels":{"a":"b","a":"c"}}"#,
            #"{"type":"metric","name":"m","value":1,"labels":{"":"b"}}"#, #"{"type":"metric","name":"m","value":1,"labels":{"a":1}}"#,
            #"{"type":"metric","name":"m","value":1,"labels":{"a":"\n"}}"#, #"{"type":"metric","name":"m","value":1,"labels":[]}"#,
            #"{"type":"metric","name":"m","value":1,"labels":null}"#, #"{"type":"metric","name":"m","value":1,"protocol":"x"}"#,
            #"{"type":"metric","name":"\#(String(repeating: "n", count: 256))","value":1}"#,
            #"{"type":"metric","name":"\#(String(repeating: "n", count: 257))","value":1}"#,
            #"{"type":"metric","name":"m","value":1,"labels":{"k":"\#(String(repeating: "v", count: 257))"}}"#,
            #"{"type":"metric","name":"m","value":1,"labels":{\#((0..<33).map { #""l\#($0)":"v""# }.joined(separator: ","))}}"#,
            #"{ "type" : "metric" , "name" : "m" , "value" : 1 }"#, "\t{\"type\":\"metric\",\"name\":\"m\",\"value\":1}\t",
            "{\"type\":\"metric\",\r\"name\":\"m\",\"value\":1}", #"{"type":"metric","name":"m","value":1}x"#, #"{"type":"metric","name":"m","value":1"#,
            #"{"type":"metric","name":"m","value":1,}"#, #"{"type":"Metric","name":"m","value":1}"#, #"{"type":"op","name":"o","durationMs":1}"#,
            #"{"type":"op","name":"o","durationMs":-1,"ok":true}"#, #"{"type":"op","name":"o","durationMs":1,"ok":1}"#,
            #"{"type":"op","name":"o","durationMs":1,"ok":true,"protocol":""}"#, #"{"type":"op","name":"o","durationMs":1,"ok":true,"protocol":null}"#,
            #"{"type":"op","name":"o","durationMs":1,"ok":true,"labels":{}}"#, #"{"type":"cache","cache":"c"}"#, "{}", "[]", "{\"type\":\"op\"}",
        ]
        return lines
    }()

    @Test func everyBoundaryLine_decodesAsThroughTheTree() {
        for line in Self.lines {
            #expect(Self.difference(line) == nil, "\(line)")
        }
        // Together, so the series cache is used across lines (a repeat, then a near miss).
        let many = (Self.lines + Self.lines + [Self.plainMetric.replacingOccurrences(of: "i-1", with: "i-2")]).joined(separator: "\n")
        #expect(Self.difference(many) == nil)
    }

    @Test func theFixtures_decodeAsThroughTheTree() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        for path in ["fixtures/format-v1/events.ndjson", "fixtures/incidents/breaker-storm.ndjson", "fixtures/incidents/latency-spike.ndjson"] {
            let text = try String(contentsOf: root.appendingPathComponent(path), encoding: .utf8)
            #expect(Self.difference(text) == nil, "\(path)")
        }
    }

    @Test func mutatedLines_decodeAsThroughTheTree_forManySeeds() {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> UInt64 {
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            return state
        }
        let alphabet = Array(#"{}[]":,.-+eE0123456789 \tabcdefghijklmnopqrstuvwxyz\é"#.unicodeScalars)
        for _ in 0..<4000 {
            var scalars = Array((next() % 2 == 0 ? Self.plainMetric : Self.plainOp).unicodeScalars)
            for _ in 0..<(1 + Int(next() % 3)) {
                let at = Int(next() % UInt64(scalars.count))
                switch next() % 3 {
                case 0: scalars[at] = alphabet[Int(next() % UInt64(alphabet.count))]
                case 1: scalars.insert(alphabet[Int(next() % UInt64(alphabet.count))], at: at)
                default: scalars.remove(at: at)
                }
            }
            var line = ""
            line.unicodeScalars.append(contentsOf: scalars)
            #expect(Self.difference(line) == nil, "\(line)")
        }
    }

    @Test func plainLines_takeTheFastPath() {
        var fast = EventLineFastPath()
        for line in [Self.plainMetric, Self.plainOp] {
            var copy = line
            let event = copy.withUTF8 { buffer in
                fast.event(UnsafeRawBufferPointer(buffer), start: 0, end: buffer.count, defaultTimeNs: 0)
            }
            #expect(event != nil, "\(line)")
        }
    }
}
