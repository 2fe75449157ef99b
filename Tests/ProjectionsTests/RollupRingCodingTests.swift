import Foundation
import Testing
@testable import Projections

/// Rings travel in checkpoints as one packed blob each; earlier checkpoints held a
/// JSON array per bucket and must still load.
@Suite struct RollupRingCodingTests {
    static func ringWithGaps() -> RollupRing {
        var ring = RollupRing()
        for (unit, value) in [(100, 1.5), (100, -2.25), (103, 7.0), (104, 1e30), (110, 0.125)] {
            _ = ring.record(unit: Int64(unit), capacity: 8, value: value, increase: value > 0 ? 1 : 0)
        }
        return ring
    }

    @Test func packedForm_roundTripsARingWithGapsAndWrap_exactly() throws {
        let ring = Self.ringWithGaps()
        #expect(ring.count == 8, "the ring wrapped: 100...110 does not fit in 8")
        let data = try JSONEncoder().encode(ring)
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.contains("\"p\":"), "packed: \(text)")
        let decoded = try JSONDecoder().decode(RollupRing.self, from: data)
        #expect(decoded == ring)
        #expect(decoded.bucket(atUnit: 104)?.max == Float(1e30))
        #expect(decoded.bucket(atUnit: 105)?.isEmpty == true)
    }

    /// The compact encoding writes a ring's blob straight from the ring
    /// (`CompactDeferredBytes`): the same bytes as the blob encoded as `Data`.
    @Test func compactForm_writesTheSameBlobAsData_andRoundTrips() throws {
        let ring = Self.ringWithGaps()
        let packed = RollupRing.PackedBuckets(ring: ring)
        var blob: [UInt8] = []
        packed.writeBytes(into: &blob)
        #expect(blob.count == packed.byteCount && blob.count == 3 * RollupRing.packedRecordBytes, "three of the eight buckets hold samples")
        #expect(try CompactEncoder.encode([packed]) == CompactEncoder.encode([Data(blob)]))
        #expect(try CompactDecoder.decode(RollupRing.self, from: try CompactEncoder.encode(ring)) == ring)
    }

    @Test func legacyForm_ofAnArrayPerBucket_decodesToTheSameRing() throws {
        var ring = RollupRing()
        _ = ring.record(unit: 5, capacity: 8, value: 2, increase: 0)
        _ = ring.record(unit: 7, capacity: 8, value: 3, increase: 0)
        let legacy = #"{"h":7,"b":[[2,2,2,2,0,1],0,[3,3,3,3,0,1]]}"#
        let decoded = try JSONDecoder().decode(RollupRing.self, from: Data(legacy.utf8))
        #expect(decoded == ring)
    }

    @Test(arguments: [
        #"{"h":7,"n":2,"p":"AAAAAA=="}"#,  // 4 bytes: not a whole record
        #"{"h":7,"n":99999999,"p":""}"#,  // more buckets than any tier holds
    ])
    func damagedPackedForm_isRefused(_ json: String) {
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(RollupRing.self, from: Data(json.utf8)) }
    }

    /// The fold keeps rollups finite; a stored NaN (a fuzz finding) would make a state
    /// that does not equal itself, so it is refused as damage.
    @Test(arguments: [12, 16, 20])
    func packedRecord_withANonFiniteField_isRefused(fieldAt: Int) throws {
        var record = [UInt8](repeating: 0, count: RollupRing.packedRecordBytes)
        record[24] = 1  // count 1, logical index 0, min = max = 0
        withUnsafeBytes(of: Float.nan.bitPattern.littleEndian) { record.replaceSubrange(fieldAt..<(fieldAt + 4), with: $0) }
        let json = #"{"h":7,"n":2,"p":"\#(Data(record).base64EncodedString())"}"#
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(RollupRing.self, from: Data(json.utf8)) }
    }

    @Test func packedRecord_outOfRangeOrOutOfOrder_isRefused() throws {
        var record = [UInt8](repeating: 0, count: RollupRing.packedRecordBytes)
        record[0] = 9  // logical index 9 in a ring of 2
        record[24] = 1  // count 1
        let json = #"{"h":7,"n":2,"p":"\#(Data(record).base64EncodedString())"}"#
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(RollupRing.self, from: Data(json.utf8)) }
    }
}
