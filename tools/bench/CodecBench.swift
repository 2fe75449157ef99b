import EventStore

/// Encoded and LZ4-compressed batches of a data set, as the log would store them
/// (payload only: the log's frame header is counted by the log benchmark).
struct CompressedBatches {
    var blocks: [[UInt8]] = []
    var payloadSizes: [Int] = []
    var eventCounts: [Int] = []

    var storedBytes: Int { blocks.reduce(0) { $0 + $1.count } }
    var payloadBytes: Int { payloadSizes.reduce(0, +) }
    var eventCount: Int { eventCounts.reduce(0, +) }

    /// Encodes `events` in batches of `batchSize` and compresses each.
    init(_ events: [Event], batchSize: Int) {
        var payload: [UInt8] = []
        var block: [UInt8] = []
        var start = 0
        while start < events.count {
            let end = min(start + batchSize, events.count)
            payload.removeAll(keepingCapacity: true)
            BatchCodec.encode(events[start..<end], into: &payload)
            CodecBench.compress(payload, into: &block)
            blocks.append(block)
            payloadSizes.append(payload.count)
            eventCounts.append(end - start)
            start = end
        }
    }
}

enum CodecBench {
    static func compress(_ payload: [UInt8], into block: inout [UInt8]) {
        let bound = LZ4.compressBound(payload.count)
        if block.count < bound { block = [UInt8](repeating: 0, count: bound) }
        let size = payload.withUnsafeBytes { source in
            block.withUnsafeMutableBytes { LZ4.compress(source, into: $0) }
        }
        precondition(size > 0, "LZ4 compression failed")
        block.removeSubrange(size...)
    }

    struct Figures {
        var encodeEventsPerSecond = 0.0
        var encodePayloadMBPerSecond = 0.0
        var decodeEventsPerSecond = 0.0
        var decodePayloadMBPerSecond = 0.0
        var lz4CompressMBPerSecond = 0.0
        var lz4DecompressMBPerSecond = 0.0
    }

    /// Encode + compress and decompress + decode throughput over `events` in batches
    /// of `batchSize`, and raw LZ4 on the same payload bytes, each the median of
    /// `repetitions` runs.
    static func measure(_ events: [Event], batchSize: Int, repetitions: Int) -> Figures {
        let batches = CompressedBatches(events, batchSize: batchSize)
        let payloads = payloadsOf(events, batchSize: batchSize)
        let payloadMB = Double(batches.payloadBytes) / 1e6
        var figures = Figures()

        var payload: [UInt8] = []
        payload.reserveCapacity(batches.payloadSizes.max() ?? 0)
        var block = [UInt8](repeating: 0, count: LZ4.compressBound(batches.payloadSizes.max() ?? 0))
        var sink = 0
        let encodeSeconds = BenchTiming.medianSeconds(repetitions: repetitions) {
            var start = 0
            while start < events.count {
                let end = min(start + batchSize, events.count)
                payload.removeAll(keepingCapacity: true)
                BatchCodec.encode(events[start..<end], into: &payload)
                sink &+= payload.withUnsafeBytes { source in block.withUnsafeMutableBytes { LZ4.compress(source, into: $0) } }
                start = end
            }
        }
        figures.encodeEventsPerSecond = Double(events.count) / encodeSeconds
        figures.encodePayloadMBPerSecond = payloadMB / encodeSeconds

        var decoded: [Event] = []
        decoded.reserveCapacity(batchSize)
        var buffer = [UInt8](repeating: 0, count: batches.payloadSizes.max() ?? 0)
        let decodeSeconds = BenchTiming.medianSeconds(repetitions: repetitions) {
            for index in batches.blocks.indices {
                decoded.removeAll(keepingCapacity: true)
                do {
                    let size = try batches.blocks[index].withUnsafeBytes { source in
                        try buffer.withUnsafeMutableBytes { target in try LZ4.decompress(source, into: target) }
                    }
                    try buffer.withUnsafeBytes { bytes in
                        try BatchCodec.decode(UnsafeRawBufferPointer(rebasing: bytes[..<size]), eventCount: batches.eventCounts[index], into: &decoded)
                    }
                } catch {
                    fatalError("benchmark batch failed to decode: \(error)")
                }
                sink &+= decoded.count
            }
        }
        figures.decodeEventsPerSecond = Double(events.count) / decodeSeconds
        figures.decodePayloadMBPerSecond = payloadMB / decodeSeconds

        let compressSeconds = BenchTiming.medianSeconds(repetitions: repetitions) {
            for one in payloads {
                sink &+= one.withUnsafeBytes { source in block.withUnsafeMutableBytes { LZ4.compress(source, into: $0) } }
            }
        }
        figures.lz4CompressMBPerSecond = payloadMB / compressSeconds
        let decompressSeconds = BenchTiming.medianSeconds(repetitions: repetitions) {
            for one in batches.blocks {
                let size = try? one.withUnsafeBytes { source in
                    try buffer.withUnsafeMutableBytes { target in try LZ4.decompress(source, into: target) }
                }
                sink &+= size ?? 0
            }
        }
        figures.lz4DecompressMBPerSecond = payloadMB / decompressSeconds
        precondition(sink != 0)
        return figures
    }

    static func payloadsOf(_ events: [Event], batchSize: Int) -> [[UInt8]] {
        var result: [[UInt8]] = []
        var start = 0
        while start < events.count {
            let end = min(start + batchSize, events.count)
            var payload: [UInt8] = []
            BatchCodec.encode(events[start..<end], into: &payload)
            result.append(payload)
            start = end
        }
        return result
    }
}
