import EventStore
import Foundation
import Runtime
import Testing
@testable import Projections

/// `CompactEncoder`/`CompactDecoder`, the binary form of view snapshots: a state
/// round-trips equal, and damaged bytes are refused with an error, never a trap.
@Suite struct CompactCodingTests {
    static func foldedState(seed: UInt64, count: Int) -> EngineState<ProjectionSet> {
        var generator = ReplayEventGenerator(seed: seed)
        var state = EngineState<ProjectionSet>(rules: .defaults)
        for (offset, event) in generator.events(count).enumerated() {
            _ = state.apply(event, offset: UInt64(offset), evaluatingRules: true)
        }
        return state
    }

    @Test(arguments: [1 as UInt64, 99])
    func anEngineState_roundTripsEqual_andSmallerThanItsJSON(seed: UInt64) throws {
        let state = Self.foldedState(seed: seed, count: 3_000)
        let bytes = try CompactEncoder.encode(state)
        let decoded = try CompactDecoder.decode(EngineState<ProjectionSet>.self, from: bytes)
        #expect(decoded == state)
        #expect(bytes.count < (try EngineStateCodec.encode(state)).count)
    }

    /// A checkpoint's state is compressed as it is written, in pieces: the pieces are
    /// the whole encoding, and the streamed frame reads back as the state.
    @Test(arguments: [1, 7, 4096, 1 << 20])
    func anEncodingWrittenInPieces_isTheWholeEncoding_andItsStreamedFrameReadsBack(pieceBytes: Int) throws {
        let state = Self.foldedState(seed: 7, count: 2_000)
        let whole = try CompactEncoder.encode(state)
        let encoded = try CompactEncoder.encoded(state)
        #expect(encoded.sizeBytes == whole.count)
        var pieces: [[UInt8]] = []
        try encoded.write(pieceBytes: pieceBytes) { pieces.append(Array($0)) }
        #expect(pieces.flatMap { $0 } == whole)
        if pieceBytes >= 4096 { #expect(pieces.dropLast().allSatisfy { $0.count >= pieceBytes }, "no piece smaller than asked but the last") }
        let frame = try Zstd.compress(sizeBytes: encoded.sizeBytes) { emit in try encoded.write(pieceBytes: pieceBytes, emit) }
        #expect(try Zstd.decompress(frame, sizeBytesMax: whole.count) == whole)
        let stored = try StoredStateCodec.encode(state)
        #expect(try StoredStateCodec.decode(stored) as EngineState<ProjectionSet> == state)
    }

    @Test func aStreamedFrame_whoseProducerHandsOverAnotherCount_isRefused() throws {
        let bytes = [UInt8](repeating: 7, count: 1000)
        #expect(throws: CodecError.self) {
            _ = try Zstd.compress(sizeBytes: bytes.count + 1) { emit in try bytes.withUnsafeBytes(emit) }
        }
        #expect(throws: CodecError.self) {
            _ = try Zstd.compress(sizeBytes: bytes.count - 1) { emit in try bytes.withUnsafeBytes(emit) }
        }
    }

    struct Mixed: Codable, Equatable {
        var text: String
        var small: Int8
        var big: UInt64
        var negative: Int64
        var ratio: Double
        var single: Float
        var flag: Bool
        var missing: Int?
        var present: [String: [Int]]
        var blob: Data
        var nested: [Mixed]
    }

    @Test func everyPrimitive_optionalsAndDictionaries_roundTrip() throws {
        let leaf = Mixed(text: "é∑", small: -128, big: .max, negative: .min, ratio: -.greatestFiniteMagnitude, single: 1.5, flag: false,
                         missing: nil, present: [:], blob: Data(), nested: [])
        let value = Mixed(text: "", small: 127, big: 0, negative: -1, ratio: 0.1, single: -0, flag: true,
                          missing: 3, present: ["a": [1, -2], "": []], blob: Data([0, 255, 7]), nested: [leaf, leaf])
        #expect(try CompactDecoder.decode(Mixed.self, from: try CompactEncoder.encode(value)) == value)
    }

    /// As in JSON checkpoints, numbers are finite: NaN or an infinity is refused when
    /// encoded, and when read (a fuzz finding: a NaN read back made a state unequal to itself).
    @Test func nonFiniteNumbers_areRefusedBothWays() throws {
        for value in [Double.nan, .infinity, -.infinity] {
            #expect(throws: EncodingError.self) { try CompactEncoder.encode(value) }
            var bytes = try CompactEncoder.encode(1.5)
            withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes.replaceSubrange(1..., with: $0) }
            #expect(throws: DecodingError.self) { try CompactDecoder.decode(Double.self, from: bytes) }
        }
        #expect(throws: EncodingError.self) { try CompactEncoder.encode([Float.nan]) }
    }

    @Test func truncatedOrFlippedBytes_areRefusedWithAnError() throws {
        let bytes = try CompactEncoder.encode(Self.foldedState(seed: 5, count: 400))
        var generator = ReplayEventGenerator(seed: 17)
        for cut in [0, 1, bytes.count / 3, bytes.count - 1] {
            #expect(throws: DecodingError.self) { try CompactDecoder.decode(EngineState<ProjectionSet>.self, from: Array(bytes[0..<cut])) }
        }
        // Flips may land where any value is valid; what matters is that none traps.
        var refused = 0
        for _ in 0..<300 {
            var damaged = bytes
            damaged[generator.below(damaged.count)] ^= UInt8(1 << generator.below(8))
            if (try? CompactDecoder.decode(EngineState<ProjectionSet>.self, from: damaged)) == nil { refused += 1 }
        }
        #expect(refused > 0)
    }
}
