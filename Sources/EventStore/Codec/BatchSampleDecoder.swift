/// Reads what a query needs from a payload of encoding 1 without assembling its
/// events: the series it declares (to build the series index), or, with the index,
/// the samples of the series a query selects, in the batch's order. The rows of
/// other event types are never decoded. Every count, index and length is checked as `BatchDecoder`
/// checks it, so damaged bytes throw a `CodecError`, never crash.
public enum BatchSampleDecoder {
    /// The keys of the series the payload declares, in declaration order (a series
    /// used as gauge and as counter appears twice), and how many of its events are
    /// not metric samples.
    public static func declaredSeries(_ payload: UnsafeRawBufferPointer, eventCount: Int) throws(CodecError) -> (series: [SeriesKey], otherEventCount: Int) {
        var reader = try payloadReader(payload, eventCount: eventCount)
        var stringSection = try reader.section("strings")
        let strings = try BatchDecoder.decodeStrings(&stringSection)
        var seriesSection = try reader.section("series")
        let table = try SeriesTable(&seriesSection, strings: strings, eventCount: eventCount)
        return (table.templates.map(\.series), eventCount - table.sampleCountTotal)
    }

    /// Calls `visit` once per selected series the batch holds a sample of within
    /// `fromNs...toNs`, with the series' samples of the batch in the batch's order (times
    /// and values, two buffers valid during the call). The series are the batch's
    /// declarations as a series index numbered them (`declared`), selected by number;
    /// `keys` are the index's keys. Throws `SeriesIndexMismatch` when the declarations
    /// are not what the index says. Nothing is visited unless the whole payload
    /// decodes: a damaged batch gives no samples.
    public static func seriesSamples(
        _ payload: UnsafeRawBufferPointer, eventCount: Int, declared: [UInt32], selected: [Bool], keys: [SeriesKey],
        fromNs: Int64, toNs: Int64,
        visit: (SeriesKey, MetricKind, UnsafeBufferPointer<Int64>, UnsafeBufferPointer<Double>) throws -> Void
    ) throws {
        try samples(payload, eventCount: eventCount).visit(
            declared: declared, selected: selected, keys: keys, keyHash: { DecodedSampleCache.KeyHasher.hash(keys[$0]) },
            fromNs: fromNs, toNs: toNs, visit: visit)
    }

    /// Every metric sample of the payload, series by series in declaration order, with
    /// a hash of each declaration's key (made from the bytes: no string or key is built)
    /// and whether its values are all in the domain (finite, or stale markers): what `DecodedSampleCache` keeps.
    static func samples(_ payload: UnsafeRawBufferPointer, eventCount: Int) throws(CodecError) -> DecodedSampleCache.Entry {
        var reader = try payloadReader(payload, eventCount: eventCount)
        var stringSection = try reader.section("strings")
        let stringCount = try stringSection.count(max: stringSection.remaining, "string count")
        var stringSpans = [Range<Int>](repeating: 0..<0, count: stringCount)
        for number in 0..<stringCount {
            let length = try stringSection.count(max: EventLimits.dataBytesMax, "string length")
            let start = stringSection.position
            _ = try stringSection.bytes(length)
            stringSpans[number] = start..<(start + length)
        }
        var seriesSection = try reader.section("series")
        let declarationCount = try seriesSection.count(max: seriesSection.remaining / 4, "series count")
        var keyHashes = [UInt64](repeating: 0, count: declarationCount)
        var kinds = [MetricKind](repeating: .gauge, count: declarationCount)
        var starts = [Int](repeating: 0, count: declarationCount + 1)
        var sampleCountTotal = 0
        for id in 0..<declarationCount {
            var hasher = DecodedSampleCache.KeyHasher()
            let nameIndex = try seriesSection.count(max: stringCount - 1, "series name index")
            hasher.add(UnsafeRawBufferPointer(rebasing: payload[stringSpans[nameIndex]]))
            let labelCount = try seriesSection.count(max: EventLimits.labelsCountMax, "label count")
            for _ in 0..<(2 * labelCount) {
                let index = try seriesSection.count(max: stringCount - 1, "label index")
                hasher.add(UnsafeRawBufferPointer(rebasing: payload[stringSpans[index]]))
            }
            keyHashes[id] = hasher.finalize()
            let kindCode = try seriesSection.byte()
            guard let kind = MetricKind(rawValue: kindCode) else {
                throw CodecError(byteOffset: seriesSection.position - 1, reason: "unknown metric kind \(kindCode)")
            }
            kinds[id] = kind
            let count = try seriesSection.count(max: eventCount - sampleCountTotal, "series sample count")
            starts[id] = sampleCountTotal
            sampleCountTotal += count
        }
        starts[declarationCount] = sampleCountTotal
        try seriesSection.expectEnd("series")
        var typeSection = try reader.section("types")
        let runs = try BatchDecoder.decodeTypeRuns(&typeSection, eventCount: eventCount)
        let timeSection = try reader.section("times")
        var seriesIds = try reader.section("series ids")
        var valueSection = try reader.section("values")
        _ = try reader.section("rows")
        try reader.expectEnd("payload")
        let metricCount = runs.reduce(0) { $0 + ($1.type == .metric ? $1.length : 0) }
        guard metricCount == sampleCountTotal else {
            throw CodecError(byteOffset: seriesSection.position, reason: "series declare \(sampleCountTotal) samples, types hold \(metricCount) metric events")
        }
        // Values are stored series by series; the times, walked in event order, are put
        // in the same slots, so each series' samples lie together in both arrays.
        // (One slot at least, so the buffer has an address to decode into.)
        var values = [Double](repeating: 0, count: max(metricCount, 1))
        var times = [Int64](repeating: 0, count: max(metricCount, 1))
        var inDomain = [Bool](repeating: true, count: declarationCount)
        try values.withUnsafeMutableBufferPointer { buffer throws(CodecError) in
            for id in 0..<declarationCount {
                let range = starts[id]..<starts[id + 1]
                try ValueColumn.decode(count: range.count, from: &valueSection, into: buffer.baseAddress! + range.lowerBound)
                inDomain[id] = buffer[range].allSatisfy(MetricSample.isValueInDomain)
            }
        }
        try valueSection.expectEnd("values")
        if metricCount == 0 {
            values = []
            times = []
        }
        var cursors = Array(starts.dropLast())
        var timeReader = try TimeColumnReader(timeSection)
        var previousId: Int64 = -1
        let seriesCount = Int64(declarationCount)
        for run in runs {
            guard run.type == .metric else {
                for _ in 0..<run.length { _ = try timeReader.next() }
                continue
            }
            for _ in 0..<run.length {
                let timeNs = try timeReader.next()
                let id = previousId &+ 1 &+ (try seriesIds.zigzag())
                guard id >= 0, id < seriesCount else { throw seriesIds.fail("series id \(id) is not declared") }
                previousId = id
                let number = Int(id)
                let slot = cursors[number]
                guard slot < starts[number + 1] else { throw seriesIds.fail("series \(id) has more samples than declared") }
                cursors[number] = slot + 1
                times[slot] = timeNs
            }
        }
        try seriesIds.expectEnd("series ids")
        return DecodedSampleCache.Entry(keyHashes: keyHashes, kinds: kinds, starts: starts, inDomain: inDomain, times: times, values: values)
    }

    private static func payloadReader(_ payload: UnsafeRawBufferPointer, eventCount: Int) throws(CodecError) -> PayloadReader {
        guard eventCount >= 0, eventCount <= BatchCodec.eventsPerBatchMax else {
            throw CodecError(byteOffset: 0, reason: "event count \(eventCount) is out of range 0…\(BatchCodec.eventsPerBatchMax)")
        }
        var reader = PayloadReader(payload)
        let encoding = try reader.byte()
        guard encoding == 1 else {
            throw CodecError(byteOffset: 0, reason: "unknown batch encoding \(encoding) (written by a newer version?)")
        }
        let countPosition = reader.position
        let declaredCount = try reader.count(max: BatchCodec.eventsPerBatchMax, "event count")
        guard declaredCount == eventCount else {
            throw CodecError(byteOffset: countPosition, reason: "payload holds \(declaredCount) events, its frame says \(eventCount)")
        }
        return reader
    }
}

/// A batch's declarations are not those its series index lists: the index describes
/// other bytes (a faulty build's, or a file changed under it). The reader decodes the
/// batch in full instead, and the index is rebuilt.
public struct SeriesIndexMismatch: Error {}
