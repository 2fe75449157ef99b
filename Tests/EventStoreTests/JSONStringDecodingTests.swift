import Testing
@testable import EventStore

/// Strings in the JSON form: ASCII takes the fast path, anything else is validated as
/// UTF-8, and escapes decode exactly.
@Suite struct JSONStringDecodingTests {
    static func decode(_ bytes: [UInt8]) throws -> [Event] {
        try bytes.withUnsafeBytes { try EventJSONDecoder().decode($0, defaultTimeNs: 0) }
    }

    static func opName(_ nameBytes: [UInt8]) throws -> String? {
        let line = Array(#"{"type":"op","ts":1,"name":""#.utf8) + nameBytes + Array(#"","durationMs":1,"ok":true}"#.utf8)
        guard case .op(let op) = try decode(line).first?.body else { return nil }
        return op.name
    }

    @Test func asciiAndNonASCIIAndEscapedNames_decodeExactly() throws {
        #expect(try Self.opName(Array("GET /orders".utf8)) == "GET /orders")
        #expect(try Self.opName(Array("café — 東京 🚀".utf8)) == "café — 東京 🚀")
        #expect(try Self.opName(Array(#"tab\there \"q\" \u00e9"#.utf8)) == "tab\there \"q\" é")
    }

    @Test(arguments: [[0xFF], [0xC3], [0xE2, 0x82], [0xF0, 0x90, 0x80], [0xED, 0xA0, 0x80], [0x61, 0x80]] as [[UInt8]])
    func invalidUTF8_inAString_isRefusedWithItsLine(_ bad: [UInt8]) {
        #expect(throws: EventInputError.self) { try Self.opName(bad) }
    }
}
