import EventStore

/// A seeded generator (SplitMix64), so a failing randomized test is reproducible.
struct CodecTestRandom: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

enum CodecTesting {
    static func encode(_ events: [Event]) -> [UInt8] {
        var payload: [UInt8] = []
        BatchCodec.encode(events, into: &payload)
        return payload
    }

    static func decode(_ payload: [UInt8], eventCount: Int) throws(CodecError) -> [Event] {
        var events: [Event] = []
        let result: Result<Void, CodecError> = payload.withUnsafeBytes { bytes in
            do throws(CodecError) {
                try BatchCodec.decode(bytes, eventCount: eventCount, into: &events)
                return .success(())
            } catch {
                return .failure(error)
            }
        }
        try result.get()
        return events
    }

    static func roundTrip(_ events: [Event]) throws(CodecError) -> [Event] {
        try decode(encode(events), eventCount: events.count)
    }

    /// Equality that also tells -0.0 from 0.0 and compares NaNs by their bits, for
    /// the bodies whose doubles the edge tests exercise.
    static func sameBits(_ lhs: Event, _ rhs: Event) -> Bool {
        guard lhs.timeNs == rhs.timeNs else { return false }
        switch (lhs.body, rhs.body) {
        case (.metric(let l), .metric(let r)):
            return l.series == r.series && l.kind == r.kind && l.value.bitPattern == r.value.bitPattern
        case (.op(let l), .op(let r)):
            return l.name == r.name && l.protocol == r.protocol && l.ok == r.ok && l.durationMs.bitPattern == r.durationMs.bitPattern
        case (.cache(let l), .cache(let r)):
            var lz = l
            var rz = r
            lz.compressionRatio = 0
            rz.compressionRatio = 0
            return lz == rz && l.compressionRatio.bitPattern == r.compressionRatio.bitPattern
        default:
            return lhs == rhs
        }
    }

    static func allSameBits(_ lhs: [Event], _ rhs: [Event]) -> Bool {
        lhs.count == rhs.count && zip(lhs, rhs).allSatisfy { sameBits($0, $1) }
    }

    /// A mixed batch: metric series in every value encoding, interleaved with other
    /// events, with jittered and occasionally repeated or backward times.
    static func mixedBatch(seed: UInt64, count: Int) -> [Event] {
        var random = CodecTestRandom(seed: seed)
        var events: [Event] = []
        var counters = [Double](repeating: 0, count: 8)
        var walks = [Double](repeating: 50, count: 8)
        var timeNs: Int64 = 1_700_000_000_000_000_000
        let others = CodecSampleEvents.everyType.filter { $0.type != .metric }
        for index in 0..<count {
            timeNs += Int64.random(in: -1_000...1_000_000, using: &random)
            let series = index % 8
            let labels = ["host": "h\(series % 3)", "series": "\(series)"]
            let sample: MetricSample
            switch Int.random(in: 0..<6, using: &random) {
            case 0:
                sample = MetricSample(name: "constant", labels: labels, value: 7)
            case 1:
                counters[series] += Double(Int.random(in: 0...100, using: &random))
                sample = MetricSample(name: "counter", labels: labels, value: counters[series], kind: .counter)
            case 2:
                walks[series] = ((walks[series] + Double(Int.random(in: -50...50, using: &random)) / 100) * 100).rounded() / 100
                sample = MetricSample(name: "walk", labels: labels, value: walks[series])
            case 3:
                sample = MetricSample(name: "noise", labels: labels, value: Double.random(in: -1e6...1e6, using: &random))
            case 4:
                // The same name and labels as the counter, but a gauge: a second declaration.
                sample = MetricSample(name: "counter", labels: labels, value: Double(index) / 1000)
            default:
                events.append(Event(timeNs: timeNs, body: others[Int.random(in: 0..<others.count, using: &random)].body))
                continue
            }
            events.append(Event(timeNs: timeNs, body: .metric(sample)))
        }
        return events
    }
}
