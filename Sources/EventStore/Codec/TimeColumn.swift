/// The event times of a batch: a mode byte, the first time (zigzag varint), then
/// per event a zigzag varint of either its delta to the previous time (mode 0) or
/// the change of that delta (mode 1, delta-of-delta), whichever is smaller for this
/// batch. Regular intervals favour delta-of-delta; many series sharing each tick's
/// timestamp favour plain deltas (one non-zero delta per tick, not two).
/// Arithmetic wraps, which is exact modulo 2^64: any Int64 sequence round-trips,
/// identical and backward times included.
struct TimeColumn {
    static let deltaMode: UInt8 = 0
    static let deltaOfDeltaMode: UInt8 = 1

    private var timesNs: [Int64] = []
    private var deltaBytes = 0
    private var deltaOfDeltaBytes = 0
    private var previousDeltaNs: Int64 = 0

    init(reservingCapacity capacity: Int) {
        timesNs.reserveCapacity(capacity)
    }

    @inline(__always)
    mutating func append(_ timeNs: Int64) {
        let delta = timeNs &- (timesNs.last ?? timeNs)
        deltaBytes &+= PayloadWriter.varintSize(PayloadWriter.zigzag(delta))
        deltaOfDeltaBytes &+= PayloadWriter.varintSize(PayloadWriter.zigzag(delta &- previousDeltaNs))
        previousDeltaNs = delta
        timesNs.append(timeNs)
    }

    func write(into writer: inout PayloadWriter) {
        let deltaOfDelta = deltaOfDeltaBytes < deltaBytes
        writer.byte(deltaOfDelta ? Self.deltaOfDeltaMode : Self.deltaMode)
        let baseNs = timesNs.first ?? 0
        writer.zigzag(baseNs)
        var previousNs = baseNs
        var previousDeltaNs: Int64 = 0
        for timeNs in timesNs {
            let delta = timeNs &- previousNs
            writer.zigzag(deltaOfDelta ? delta &- previousDeltaNs : delta)
            previousNs = timeNs
            previousDeltaNs = delta
        }
    }
}

/// Reads a `TimeColumn` one time per call.
struct TimeColumnReader {
    var reader: PayloadReader
    private let deltaOfDelta: Bool
    private var timeNs: Int64
    private var deltaNs: Int64 = 0

    init(_ section: PayloadReader) throws(CodecError) {
        reader = section
        let mode = try reader.byte()
        guard mode == TimeColumn.deltaMode || mode == TimeColumn.deltaOfDeltaMode else {
            throw CodecError(byteOffset: reader.position - 1, reason: "unknown time encoding mode \(mode)")
        }
        deltaOfDelta = mode == TimeColumn.deltaOfDeltaMode
        timeNs = try reader.zigzag()
    }

    @inline(__always)
    mutating func next() throws(CodecError) -> Int64 {
        let step = try reader.zigzag()
        if deltaOfDelta {
            deltaNs &+= step
            timeNs &+= deltaNs
        } else {
            timeNs &+= step
        }
        return timeNs
    }
}
