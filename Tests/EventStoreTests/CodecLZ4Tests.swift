import Testing
@testable import EventStore

@Suite struct CodecLZ4Tests {
    static func compress(_ source: [UInt8]) -> [UInt8] {
        var destination = [UInt8](repeating: 0, count: LZ4.compressBound(source.count))
        let size = source.withUnsafeBytes { bytes in
            destination.withUnsafeMutableBytes { LZ4.compress(bytes, into: $0) }
        }
        return Array(destination.prefix(size))
    }

    static func decompress(_ block: [UInt8], capacity: Int) throws(CodecError) -> [UInt8] {
        var destination = [UInt8](repeating: 0, count: capacity)
        let result: Result<Int, CodecError> = block.withUnsafeBytes { source in
            destination.withUnsafeMutableBytes { target in
                do throws(CodecError) {
                    return .success(try LZ4.decompress(source, into: target))
                } catch {
                    return .failure(error)
                }
            }
        }
        return Array(destination.prefix(try result.get()))
    }

    @Test func compressThenDecompress_returnsTheSameBytes() throws {
        let payload = CodecTesting.encode(CodecTesting.mixedBatch(seed: 11, count: 5_000))
        let block = Self.compress(payload)
        #expect(!block.isEmpty && block.count < payload.count)
        #expect(try Self.decompress(block, capacity: payload.count) == payload)
    }

    @Test func compressThenDecompress_emptyInput_roundTrips() throws {
        let block = Self.compress([])
        #expect(!block.isEmpty)
        #expect(try Self.decompress(block, capacity: 0) == [])
    }

    @Test func compress_intoTooSmallDestination_returnsZero() {
        let source = (0..<4_096).map { UInt8(truncatingIfNeeded: $0 &* 7919 >> 3) }
        var destination = [UInt8](repeating: 0, count: 16)
        let size = source.withUnsafeBytes { bytes in
            destination.withUnsafeMutableBytes { LZ4.compress(bytes, into: $0) }
        }
        #expect(size == 0)
    }

    @Test func decompress_intoTooSmallDestination_throws() {
        let payload = [UInt8](repeating: 9, count: 10_000)
        let block = Self.compress(payload)
        #expect(throws: CodecError.self) { _ = try Self.decompress(block, capacity: 9_999) }
    }

    @Test func decompress_garbageOrTruncatedBlock_throwsWithoutCrashing() {
        let payload = CodecTesting.encode(CodecTesting.mixedBatch(seed: 5, count: 500))
        let block = Self.compress(payload)
        #expect(throws: CodecError.self) { _ = try Self.decompress([], capacity: payload.count) }
        #expect(throws: CodecError.self) { _ = try Self.decompress([0xFF, 0xFF, 0xFF], capacity: payload.count) }
        for length in stride(from: 1, to: block.count, by: 7) {
            // A truncated block either fails or yields fewer bytes than the payload.
            if let bytes = try? Self.decompress(Array(block.prefix(length)), capacity: payload.count) {
                #expect(bytes != payload)
            }
        }
    }
}
