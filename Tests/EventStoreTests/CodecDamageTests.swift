import Testing
@testable import EventStore

/// Bad bytes must throw a positioned `CodecError`: never crash, never return a batch
/// that was not written.
@Suite struct CodecDamageTests {
    static let events = CodecTesting.mixedBatch(seed: 7, count: 120) + CodecSampleEvents.everyType

    @Test func decode_everyTruncation_throws() {
        let payload = CodecTesting.encode(Self.events)
        for length in 0..<payload.count {
            #expect(throws: CodecError.self, "truncated to \(length) bytes") {
                _ = try CodecTesting.decode(Array(payload.prefix(length)), eventCount: Self.events.count)
            }
        }
    }

    @Test func decode_trailingBytes_throw() {
        let payload = CodecTesting.encode(Self.events) + [0]
        #expect(throws: CodecError.self) {
            _ = try CodecTesting.decode(payload, eventCount: Self.events.count)
        }
    }

    @Test func decode_everyCorruptedByte_throwsOrDecodesTheRightCount() {
        // Without the frame's checksum a changed value byte can decode to another
        // value; what the codec guarantees is no crash, no out-of-bounds read, and
        // exactly `eventCount` events or a thrown error.
        let payload = CodecTesting.encode(Self.events)
        for position in 0..<payload.count {
            for pattern: UInt8 in [0x01, 0x80, 0xFF] {
                var damaged = payload
                damaged[position] ^= pattern
                do {
                    let decoded = try CodecTesting.decode(damaged, eventCount: Self.events.count)
                    #expect(decoded.count == Self.events.count)
                } catch {
                    #expect(error.byteOffset >= 0 && error.byteOffset <= payload.count)
                }
            }
        }
    }

    @Test func decode_wrongEventCount_throwsAtTheCount() {
        let payload = CodecTesting.encode(Self.events)
        #expect(throws: CodecError(byteOffset: 1, reason: "payload holds \(Self.events.count) events, its frame says 3")) {
            _ = try CodecTesting.decode(payload, eventCount: 3)
        }
    }

    @Test func decode_unknownEncodingCode_throwsAtByteZero() {
        var payload = CodecTesting.encode(Self.events)
        payload[0] = 0xEE
        do {
            _ = try CodecTesting.decode(payload, eventCount: Self.events.count)
            Issue.record("decoded a payload of an unknown encoding")
        } catch {
            #expect(error.byteOffset == 0)
            #expect(error.description.contains("unknown batch encoding 238"))
        }
    }

    @Test func decode_failure_leavesEarlierEventsAndAddsNothing() {
        let kept = Array(CodecSampleEvents.everyType.prefix(2))
        var events = kept
        let payload = Array(CodecTesting.encode(Self.events).dropLast())
        let failed = payload.withUnsafeBytes { bytes in
            do {
                try BatchCodec.decode(bytes, eventCount: Self.events.count, into: &events)
                return false
            } catch {
                return true
            }
        }
        #expect(failed)
        #expect(events == kept)
    }

    @Test func decode_invalidUTF8String_throws() throws {
        let event = Event(timeNs: 1, body: .annotation(Annotation(text: "abcd")))
        var payload = CodecTesting.encode([event])
        let position = try #require(payload.firstIndex(of: UInt8(ascii: "a")))
        payload[position] = 0xC3
        payload[position + 1] = 0x28
        #expect(throws: CodecError.self) {
            _ = try CodecTesting.decode(payload, eventCount: 1)
        }
    }
}
