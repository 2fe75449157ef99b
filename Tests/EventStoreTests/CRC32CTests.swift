import Testing
@testable import EventStore

/// The checksum of every frame: the hardware path (when the CPU has it) and the table
/// path give the standard CRC32C and the same value on every length and alignment.
@Suite struct CRC32CTests {
    @Test func standardCheckValue_of123456789_isE3069283() {
        let value = Array("123456789".utf8).withUnsafeBytes { CRC32C.checksum(0, $0) }
        #expect(value == 0xE306_9283)
        #expect(Array("123456789".utf8).withUnsafeBytes { CRC32C.software(0, $0) } == 0xE306_9283)
    }

    @Test func checksum_equalsTheTablePath_onEveryLengthAndOffset_andWhenExtended() {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        let bytes = (0..<300).map { _ -> UInt8 in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return UInt8(truncatingIfNeeded: state >> 56)
        }
        bytes.withUnsafeBytes { all in
            for offset in 0..<9 {
                for length in 0...(all.count - offset - 8) where length < 80 || length % 37 == 0 {
                    let slice = UnsafeRawBufferPointer(rebasing: all[offset..<(offset + length)])
                    #expect(CRC32C.checksum(0, slice) == CRC32C.software(0, slice), "offset \(offset) length \(length)")
                }
            }
            let head = UnsafeRawBufferPointer(rebasing: all[0..<123])
            let tail = UnsafeRawBufferPointer(rebasing: all[123...])
            #expect(CRC32C.checksum(CRC32C.checksum(0, head), tail) == CRC32C.software(0, all))
        }
        #expect(CRC32C.checksum(7, UnsafeRawBufferPointer(start: nil, count: 0)) == 7)
    }
}
