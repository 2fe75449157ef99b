/// The values of one metric series within a batch, in one of three encodings chosen
/// per series per batch, announced by a mode byte:
///
/// - `0...6`: decimal with `k` digits (every value times 10^k is an exact integer
///   that converts back bit-exactly); zigzag varint deltas of the scaled integers.
///   A constant series costs one byte per sample, a counter or a 2-decimal random
///   walk one or two.
/// - `0x10 | k`: the same, delta-of-delta (steady counters become zeros).
/// - `0x20`: Gorilla-style XOR against the previous value, byte-aligned: a header
///   byte (trailing zero bytes << 4 | significant bytes), then the significant bytes.
///   Any bit pattern round-trips, including -0.0, NaN payloads and subnormals.
enum ValueColumn {
    static let deltaOfDeltaFlag: UInt8 = 0x10
    static let xorMode: UInt8 = 0x20
    static let decimalsMax = 6
    static let powersOfTen: [Double] = [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000]
    /// Scaled integers stay within the doubles' exact-integer range, so conversions
    /// are exact and deltas of deltas cannot overflow.
    static let scaledMagnitudeMax: Int64 = 1 << 53

    /// `value * 10^k` as an integer, if that integer divided by 10^k gives back
    /// exactly `value` (same bits).
    @inline(__always)
    static func scaled(_ value: Double, power: Double) -> Int64? {
        let product = value * power
        // NaN fails this comparison too.
        guard product.magnitude <= Double(scaledMagnitudeMax) else { return nil }
        // Round half away from zero by truncation: a conversion instruction, where
        // `rounded()` is a libm call on baseline x86-64.
        let integer = Int64(product + (product < 0 ? -0.5 : 0.5))
        return (Double(integer) / power).bitPattern == value.bitPattern ? integer : nil
    }

    /// Appends the mode byte and the values.
    static func encode(_ values: UnsafeBufferPointer<Double>, scratch: inout [Int64], into writer: inout PayloadWriter) {
        guard let decimals = scaleAll(values, into: &scratch) else {
            encodeXOR(values, into: &writer)
            return
        }
        var deltaBytes = 0
        var deltaOfDeltaBytes = 0
        var previous: Int64 = 0
        var previousDelta: Int64 = 0
        for integer in scratch {
            let delta = integer &- previous
            deltaBytes += PayloadWriter.varintSize(PayloadWriter.zigzag(delta))
            deltaOfDeltaBytes += PayloadWriter.varintSize(PayloadWriter.zigzag(delta &- previousDelta))
            previous = integer
            previousDelta = delta
        }
        let useDeltaOfDelta = deltaOfDeltaBytes < deltaBytes
        writer.byte(UInt8(decimals) | (useDeltaOfDelta ? deltaOfDeltaFlag : 0))
        previous = 0
        previousDelta = 0
        for integer in scratch {
            let delta = integer &- previous
            writer.zigzag(useDeltaOfDelta ? delta &- previousDelta : delta)
            previous = integer
            previousDelta = delta
        }
    }

    /// Scales every value by the fewest decimals (at most `decimalsMax`) that make
    /// all of them exact integers, into `scratch`; nil when there are none.
    private static func scaleAll(_ values: UnsafeBufferPointer<Double>, into scratch: inout [Int64]) -> Int? {
        scratch.removeAll(keepingCapacity: true)
        var decimals = 0
        var index = 0
        while index < values.count {
            if let integer = scaled(values[index], power: powersOfTen[decimals]) {
                scratch.append(integer)
                index += 1
                continue
            }
            // A value exact at k digits is exact at every larger k (within 2^53), so
            // more digits only ever help; a series' precision is stable, so restarting
            // is rare.
            decimals += 1
            if decimals > decimalsMax { return nil }
            scratch.removeAll(keepingCapacity: true)
            index = 0
        }
        return decimals
    }

    private static func encodeXOR(_ values: UnsafeBufferPointer<Double>, into writer: inout PayloadWriter) {
        writer.byte(xorMode)
        var previous: UInt64 = 0
        for value in values {
            let bits = value.bitPattern
            let xor = bits ^ previous
            previous = bits
            if xor == 0 {
                writer.byte(0)
                continue
            }
            let trailingBytes = xor.trailingZeroBitCount / 8
            let significantBytes = 8 - trailingBytes - xor.leadingZeroBitCount / 8
            writer.byte(UInt8(trailingBytes << 4 | significantBytes))
            var remaining = xor >> UInt64(trailingBytes * 8)
            for _ in 0..<significantBytes {
                writer.byte(UInt8(truncatingIfNeeded: remaining))
                remaining >>= 8
            }
        }
    }

    /// Reads a mode byte and `count` values into `destination`.
    static func decode(count: Int, from reader: inout PayloadReader, into destination: UnsafeMutablePointer<Double>) throws(CodecError) {
        let mode = try reader.byte()
        if mode == xorMode {
            try decodeXOR(count: count, from: &reader, into: destination)
            return
        }
        let decimals = Int(mode & ~deltaOfDeltaFlag)
        guard decimals <= decimalsMax, mode & ~(deltaOfDeltaFlag | 0x0F) == 0 else {
            throw CodecError(byteOffset: reader.position - 1, reason: "unknown value encoding mode \(mode)")
        }
        let power = powersOfTen[decimals]
        let deltaOfDelta = mode & deltaOfDeltaFlag != 0
        var integer: Int64 = 0
        var delta: Int64 = 0
        for index in 0..<count {
            let step = try reader.zigzag()
            if deltaOfDelta {
                delta &+= step
            } else {
                delta = step
            }
            integer &+= delta
            guard integer.magnitude <= UInt64(scaledMagnitudeMax) else {
                throw reader.fail("scaled value \(integer) out of range")
            }
            (destination + index).initialize(to: Double(integer) / power)
        }
    }

    private static func decodeXOR(count: Int, from reader: inout PayloadReader, into destination: UnsafeMutablePointer<Double>) throws(CodecError) {
        var previous: UInt64 = 0
        for index in 0..<count {
            let header = try reader.byte()
            if header != 0 {
                let trailingBytes = Int(header >> 4)
                let significantBytes = Int(header & 0x0F)
                guard significantBytes >= 1, trailingBytes + significantBytes <= 8 else {
                    throw CodecError(byteOffset: reader.position - 1, reason: "bad XOR value header \(header)")
                }
                var xor: UInt64 = 0
                for byteIndex in 0..<significantBytes {
                    xor |= UInt64(try reader.byte()) << UInt64(byteIndex * 8)
                }
                previous ^= xor << UInt64(trailingBytes * 8)
            }
            (destination + index).initialize(to: Double(bitPattern: previous))
        }
    }
}
