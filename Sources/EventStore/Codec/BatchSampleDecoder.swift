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
    /// `keys` are the index's keys. No string or key is built: a declaration is read as
    /// numbers, and a selected one compared with its key's bytes. Throws
    /// `SeriesIndexMismatch` when the declarations are not what the index says. Nothing
    /// is visited unless the whole payload decodes: a damaged batch gives no samples.
    public static func seriesSamples(
        _ payload: UnsafeRawBufferPointer, eventCount: Int, declared: [UInt32], selected: [Bool], keys: [SeriesKey],
        fromNs: Int64, toNs: Int64,
        visit: (SeriesKey, MetricKind, UnsafeBufferPointer<Int64>, UnsafeBufferPointer<Double>) throws -> Void
    ) throws {
        var reader = try payloadReader(payload, eventCount: eventCount)
        var stringSection = try reader.section("strings")
        // Where each string lies (no string is built): a selected declaration is checked
        // against its index key byte for byte, so an index that does not describe the
        // batch (a faulty build's) can never put samples under another series' name.
        let stringCount = try stringSection.count(max: stringSection.remaining, "string count")
        var stringSpans = [Range<Int>](repeating: 0..<0, count: stringCount)
        for number in 0..<stringCount {
            let length = try stringSection.count(max: EventLimits.dataBytesMax, "string length")
            let start = stringSection.position
            _ = try stringSection.bytes(length)
            stringSpans[number] = start..<(start + length)
        }
        func string(_ number: Int, equals text: String) -> Bool {
            text.utf8.elementsEqual(UnsafeRawBufferPointer(rebasing: payload[stringSpans[number]]))
        }
        var seriesSection = try reader.section("series")
        let declarationCount = try seriesSection.count(max: seriesSection.remaining / 4, "series count")
        guard declarationCount == declared.count else { throw SeriesIndexMismatch() }
        var sampleCounts = [Int](repeating: 0, count: declarationCount)
        var kinds = [MetricKind](repeating: .gauge, count: declarationCount)
        var wanted = [Bool](repeating: false, count: declarationCount)
        var sampleCountTotal = 0
        for id in 0..<declarationCount {
            let number = Int(declared[id])
            guard number < selected.count, number < keys.count else { throw SeriesIndexMismatch() }
            let isSelected = selected[number]
            let nameIndex = try seriesSection.count(max: stringCount - 1, "series name index")
            let labelCount = try seriesSection.count(max: EventLimits.labelsCountMax, "label count")
            if isSelected {
                // Only selected declarations touch their key (most of a batch's are not).
                let key = keys[number]
                guard string(nameIndex, equals: key.name), labelCount == key.labels.count else { throw SeriesIndexMismatch() }
                for pair in key.labels.pairs {
                    let keyIndex = try seriesSection.count(max: stringCount - 1, "label key index")
                    let valueIndex = try seriesSection.count(max: stringCount - 1, "label value index")
                    guard string(keyIndex, equals: pair.key), string(valueIndex, equals: pair.value) else { throw SeriesIndexMismatch() }
                }
            } else {
                for _ in 0..<(2 * labelCount) { _ = try seriesSection.count(max: stringCount - 1, "label index") }
            }
            let kindCode = try seriesSection.byte()
            guard let kind = MetricKind(rawValue: kindCode) else {
                throw CodecError(byteOffset: seriesSection.position - 1, reason: "unknown metric kind \(kindCode)")
            }
            kinds[id] = kind
            sampleCounts[id] = try seriesSection.count(max: eventCount - sampleCountTotal, "series sample count")
            sampleCountTotal += sampleCounts[id]
            wanted[id] = isSelected
        }
        try seriesSection.expectEnd("series")
        guard wanted.contains(true) else { return }
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
        var values = [Double](repeating: 0, count: max(metricCount, 1))
        var times = [Int64](repeating: 0, count: max(metricCount, 1))
        var starts = [Int](repeating: 0, count: declarationCount)
        var cursors = [Int](repeating: 0, count: declarationCount)
        var ends = [Int](repeating: 0, count: declarationCount)
        try values.withUnsafeMutableBufferPointer { buffer throws(CodecError) in
            var start = 0
            for id in 0..<declarationCount {
                let valuesPosition = valueSection.position
                try ValueColumn.decode(count: sampleCounts[id], from: &valueSection, into: buffer.baseAddress! + start)
                if wanted[id] {
                    for slot in start..<(start + sampleCounts[id]) where !buffer[slot].isFinite {
                        throw CodecError(byteOffset: valuesPosition, reason: "series \(id) holds \(buffer[slot]), the log holds finite values only")
                    }
                }
                starts[id] = start
                cursors[id] = start
                start += sampleCounts[id]
                ends[id] = start
            }
        }
        try valueSection.expectEnd("values")
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
                guard slot < ends[number] else { throw seriesIds.fail("series \(id) has more samples than declared") }
                cursors[number] = slot + 1
                times[slot] = timeNs
            }
        }
        try seriesIds.expectEnd("series ids")
        try times.withUnsafeMutableBufferPointer { times in
            try values.withUnsafeMutableBufferPointer { values in
                for id in 0..<declarationCount where wanted[id] {
                    // Keeps the samples within the range, in place and in order.
                    var kept = starts[id]
                    for slot in starts[id]..<ends[id] where times[slot] >= fromNs && times[slot] <= toNs {
                        times[kept] = times[slot]
                        values[kept] = values[slot]
                        kept += 1
                    }
                    guard kept > starts[id] else { continue }
                    try visit(
                        keys[Int(declared[id])], kinds[id],
                        UnsafeBufferPointer(rebasing: times[starts[id]..<kept]), UnsafeBufferPointer(rebasing: values[starts[id]..<kept]))
                }
            }
        }
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
