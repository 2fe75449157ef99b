/// Reads what a query needs from a payload of encoding 1 without assembling its
/// events: the series it declares (for the series index), or the samples of the
/// series a query wants, in the batch's order. A batch none of whose series is
/// wanted costs its strings and series table only; the rows of other event types
/// are never decoded. Every count, index and length is checked as `BatchDecoder`
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

    /// Calls `visit` with the time and sample of every metric event of a wanted
    /// series, in the batch's order; `wants` is asked once per declared series.
    /// Returns whether any series was wanted (false: nothing past the series table
    /// was read).
    @discardableResult
    public static func samples(
        _ payload: UnsafeRawBufferPointer, eventCount: Int,
        wants: (SeriesKey) throws -> Bool, visit: (Int64, MetricSample) throws -> Void
    ) throws -> Bool {
        var reader = try payloadReader(payload, eventCount: eventCount)
        var stringSection = try reader.section("strings")
        let strings = try BatchDecoder.decodeStrings(&stringSection)
        var seriesSection = try reader.section("series")
        let table = try SeriesTable(&seriesSection, strings: strings, eventCount: eventCount)
        var wanted = [Bool](repeating: false, count: table.count)
        var anyWanted = false
        for id in 0..<table.count where try wants(table.templates[id].series) {
            wanted[id] = true
            anyWanted = true
        }
        guard anyWanted else { return false }
        var typeSection = try reader.section("types")
        let runs = try BatchDecoder.decodeTypeRuns(&typeSection, eventCount: eventCount)
        let timeSection = try reader.section("times")
        var seriesIds = try reader.section("series ids")
        var valueSection = try reader.section("values")
        _ = try reader.section("rows")
        try reader.expectEnd("payload")
        let metricCount = runs.reduce(0) { $0 + ($1.type == .metric ? $1.length : 0) }
        guard metricCount == table.sampleCountTotal else {
            throw CodecError(byteOffset: seriesSection.position, reason: "series declare \(table.sampleCountTotal) samples, types hold \(metricCount) metric events")
        }
        // Values are stored series by series; each series' column decodes whole.
        var values = [Double](repeating: 0, count: max(metricCount, 1))
        var cursors = [Int](repeating: 0, count: table.count)
        try values.withUnsafeMutableBufferPointer { buffer throws(CodecError) in
            var start = 0
            for id in 0..<table.count {
                let valuesPosition = valueSection.position
                try ValueColumn.decode(count: table.sampleCounts[id], from: &valueSection, into: buffer.baseAddress! + start)
                if wanted[id] {
                    for slot in start..<(start + table.sampleCounts[id]) where !buffer[slot].isFinite {
                        throw CodecError(byteOffset: valuesPosition, reason: "series \(id) holds \(buffer[slot]), the log holds finite values only")
                    }
                }
                cursors[id] = start
                start += table.sampleCounts[id]
            }
        }
        try valueSection.expectEnd("values")
        var times = try TimeColumnReader(timeSection)
        var previousId: Int64 = -1
        let seriesCount = Int64(table.count)
        for run in runs {
            guard run.type == .metric else {
                for _ in 0..<run.length { _ = try times.next() }
                continue
            }
            for _ in 0..<run.length {
                let timeNs = try times.next()
                let id = previousId &+ 1 &+ (try seriesIds.zigzag())
                guard id >= 0, id < seriesCount else { throw seriesIds.fail("series id \(id) is not declared") }
                previousId = id
                let number = Int(id)
                let slot = cursors[number]
                guard slot < table.ends[number] else { throw seriesIds.fail("series \(id) has more samples than declared") }
                cursors[number] = slot + 1
                if wanted[number] {
                    let template = table.templates[number]
                    try visit(timeNs, MetricSample(series: template.series, value: values[slot], kind: template.kind))
                }
            }
        }
        try seriesIds.expectEnd("series ids")
        return true
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
