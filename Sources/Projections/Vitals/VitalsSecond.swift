/// The newest host readings within one second, for the vitals charts.
public struct VitalsSecond: WindowBucket {
    public var cpuTotal: Reading?
    public var memoryUsed: Reading?
    public var memoryTotal: Reading?
    public var load1m: Reading?

    public init() {}

    public var isEmpty: Bool { cpuTotal == nil && memoryUsed == nil && memoryTotal == nil && load1m == nil }

    public mutating func merge(_ other: VitalsSecond) {
        if let r = other.cpuTotal { cpuTotal.offer(r) }
        if let r = other.memoryUsed { memoryUsed.offer(r) }
        if let r = other.memoryTotal { memoryTotal.offer(r) }
        if let r = other.load1m { load1m.offer(r) }
    }
}

extension VitalsSecond {
    private static var readings: [WritableKeyPath<VitalsSecond, Reading?>] { [\.cpuTotal, \.memoryUsed, \.memoryTotal, \.load1m] }

    /// A mask of the readings present, then each one's value bits and time.
    public func appendPackedWords(to words: inout [UInt64]) {
        let maskAt = words.count
        words.append(0)
        for (bit, path) in Self.readings.enumerated() {
            guard let reading = self[keyPath: path] else { continue }
            words[maskAt] |= 1 << UInt64(bit)
            words.append(reading.value.bitPattern)
            words.append(UInt64(bitPattern: reading.timeNs))
        }
    }

    public init(packedWords words: ArraySlice<UInt64>) throws(PackedBucketError) {
        self.init()
        guard let mask = words.first, mask != 0, mask >> UInt64(Self.readings.count) == 0,
              words.count == 1 + 2 * mask.nonzeroBitCount
        else {
            throw PackedBucketError(Self.self, "\(words.count) words; want a non-zero mask of \(Self.readings.count) readings, then a value and a time for each")
        }
        var at = words.startIndex + 1
        for (bit, path) in Self.readings.enumerated() where mask & (1 << UInt64(bit)) != 0 {
            let value = Double(bitPattern: words[at])
            // Stored numbers are finite, as everywhere in stored state: a NaN read back
            // would make a state that does not equal itself.
            guard value.isFinite else { throw PackedBucketError(Self.self, "reading \(bit) is \(value), not a finite number") }
            self[keyPath: path] = Reading(value: value, timeNs: Int64(bitPattern: words[at + 1]))
            at += 2
        }
    }
}
