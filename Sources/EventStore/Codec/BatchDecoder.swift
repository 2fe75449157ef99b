/// Decodes encoding 1 (see `BatchCodec`). Every count, index and length read from
/// the payload is checked before use, so damaged bytes throw a `CodecError` rather
/// than crash or yield events that were never written.
enum BatchDecoder {
    /// `reader` is positioned after the encoding code.
    static func decode(_ reader: inout PayloadReader, eventCount: Int, into events: inout [Event]) throws(CodecError) {
        let countBefore = events.count
        do {
            try decodeEvents(&reader, eventCount: eventCount, into: &events)
        } catch {
            events.removeSubrange(countBefore...)
            throw error
        }
    }

    private static func decodeEvents(_ reader: inout PayloadReader, eventCount: Int, into events: inout [Event]) throws(CodecError) {
        let countPosition = reader.position
        let declaredCount = try reader.count(max: BatchCodec.eventsPerBatchMax, "event count")
        guard declaredCount == eventCount else {
            throw CodecError(byteOffset: countPosition, reason: "payload holds \(declaredCount) events, its frame says \(eventCount)")
        }
        var stringSection = try reader.section("strings")
        let strings = try decodeStrings(&stringSection)
        var seriesSection = try reader.section("series")
        let series = try SeriesTable(&seriesSection, strings: strings, eventCount: eventCount)
        var typeSection = try reader.section("types")
        let runs = try decodeTypeRuns(&typeSection, eventCount: eventCount)
        var times = try reader.section("times")
        var seriesIds = try reader.section("series ids")
        var valueSection = try reader.section("values")
        var rows = try reader.section("rows")
        try reader.expectEnd("payload")

        let metricCount = runs.reduce(0) { $0 + ($1.type == .metric ? $1.length : 0) }
        guard metricCount == series.sampleCountTotal else {
            throw CodecError(
                byteOffset: seriesSection.position,
                reason: "series declare \(series.sampleCountTotal) samples, types hold \(metricCount) metric events")
        }
        let values = UnsafeMutablePointer<Double>.allocate(capacity: max(metricCount, 1))
        defer { values.deallocate() }
        let cursors = UnsafeMutablePointer<Int>.allocate(capacity: max(series.count, 1))
        defer { cursors.deallocate() }
        var start = 0
        for id in 0..<series.count {
            let valuesPosition = valueSection.position
            try ValueColumn.decode(count: series.sampleCounts[id], from: &valueSection, into: values + start)
            for slot in start..<(start + series.sampleCounts[id]) where !MetricSample.isValueInDomain(values[slot]) {
                throw CodecError(byteOffset: valuesPosition, reason: "series \(id) holds \(values[slot]), the log holds finite values and stale markers only")
            }
            cursors[id] = start
            start += series.sampleCounts[id]
        }
        try valueSection.expectEnd("values")

        events.reserveCapacity(events.count + eventCount)
        var columns = MetricColumns(times: try TimeColumnReader(times), seriesIds: seriesIds, values: values, cursors: cursors)
        for run in runs {
            if run.type == .metric {
                let failure = series.templates.withUnsafeBufferPointer { templates in
                    series.ends.withUnsafeBufferPointer { ends in
                        columns.decode(count: run.length, templates: templates, ends: ends, into: &events)
                    }
                }
                if let failure { throw failure }
            } else {
                for _ in 0..<run.length {
                    let timeNs = try columns.nextTime()
                    let rowPosition = rows.position
                    let body = try RowDecoder.body(of: run.type, from: &rows, strings: strings)
                    // What the log never writes (see `EventDomain`) is damage here.
                    if let violation = EventDomain.violation(of: body) {
                        throw CodecError(byteOffset: rowPosition, reason: "\(run.type.name) row outside what the log holds: \(violation)")
                    }
                    events.append(Event(timeNs: timeNs, body: body))
                }
            }
        }
        times = columns.times.reader
        seriesIds = columns.seriesIds
        try times.expectEnd("times")
        try seriesIds.expectEnd("series ids")
        try rows.expectEnd("rows")
    }

    static func decodeStrings(_ reader: inout PayloadReader) throws(CodecError) -> [String] {
        // Each string takes at least its length byte: a count beyond that is damage.
        let count = try reader.count(max: reader.remaining, "string count")
        var strings: [String] = []
        strings.reserveCapacity(count)
        for _ in 0..<count {
            let length = try reader.count(max: EventLimits.dataBytesMax, "string length")
            let start = reader.position
            let bytes = try reader.bytes(length)
            let text = String(decoding: bytes, as: UTF8.self)
            // Decoding repairs invalid UTF-8; a repaired string differs from its bytes.
            guard text.utf8.elementsEqual(bytes) else {
                throw CodecError(byteOffset: start, reason: "string is not valid UTF-8")
            }
            strings.append(text)
        }
        try reader.expectEnd("strings")
        return strings
    }

    static func decodeTypeRuns(_ reader: inout PayloadReader, eventCount: Int) throws(CodecError) -> [(type: EventType, length: Int)] {
        let runCount = try reader.count(max: eventCount, "type run count")
        var runs: [(type: EventType, length: Int)] = []
        runs.reserveCapacity(runCount)
        var total = 0
        for _ in 0..<runCount {
            let code = try reader.byte()
            guard let type = EventType(rawValue: code) else {
                throw CodecError(byteOffset: reader.position - 1, reason: "unknown event type code \(code)")
            }
            let length = try reader.count(max: eventCount - total, "type run length")
            total += length
            runs.append((type, length))
        }
        guard total == eventCount else { throw reader.fail("type runs cover \(total) of \(eventCount) events") }
        try reader.expectEnd("types")
        return runs
    }
}

/// The cursors of the time, series-id and value columns while events are assembled.
struct MetricColumns {
    var times: TimeColumnReader
    var seriesIds: PayloadReader
    /// The batch's values, grouped by series.
    let values: UnsafeMutablePointer<Double>
    /// Per series, the slot in `values` of its next sample.
    let cursors: UnsafeMutablePointer<Int>
    var previousId: Int64 = -1

    init(times: TimeColumnReader, seriesIds: PayloadReader, values: UnsafeMutablePointer<Double>, cursors: UnsafeMutablePointer<Int>) {
        self.times = times
        self.seriesIds = seriesIds
        self.values = values
        self.cursors = cursors
    }

    @inline(__always)
    mutating func nextTime() throws(CodecError) -> Int64 {
        try times.next()
    }

    /// Appends `count` metric events. The hot loop of a scan: no allocation beyond
    /// the events array, each sample sharing its series' key.
    mutating func decode(
        count: Int, templates: UnsafeBufferPointer<MetricSample>, ends: UnsafeBufferPointer<Int>, into events: inout [Event]
    ) -> CodecError? {
        let seriesCount = Int64(templates.count)
        do {
            for _ in 0..<count {
                let timeNs = try nextTime()
                let id = previousId &+ 1 &+ (try seriesIds.zigzag())
                guard id >= 0, id < seriesCount else { return seriesIds.fail("series id \(id) is not declared") }
                previousId = id
                let slot = cursors[Int(id)]
                guard slot < ends[Int(id)] else { return seriesIds.fail("series \(id) has more samples than declared") }
                cursors[Int(id)] = slot + 1
                let template = templates[Int(id)]
                events.append(Event(timeNs: timeNs, body: .metric(MetricSample(series: template.series, value: values[slot], kind: template.kind))))
            }
        } catch {
            return error
        }
        return nil
    }
}

/// The series a batch declares, each decoded once and shared by all its samples.
struct SeriesTable {
    /// A sample of each series with its key and kind; decoding sets only the value.
    var templates: [MetricSample] = []
    var sampleCounts: [Int] = []
    /// Exclusive end of each series' samples in the flat value array.
    var ends: [Int] = []
    var sampleCountTotal = 0

    var count: Int { templates.count }

    init(_ reader: inout PayloadReader, strings: [String], eventCount: Int) throws(CodecError) {
        // A declaration takes at least 4 bytes.
        let count = try reader.count(max: reader.remaining / 4, "series count")
        templates.reserveCapacity(count)
        sampleCounts.reserveCapacity(count)
        ends.reserveCapacity(count)
        for _ in 0..<count {
            let declarationPosition = reader.position
            let name = strings[try reader.count(max: strings.count - 1, "series name index")]
            let labelCount = try reader.count(max: EventLimits.labelsCountMax, "label count")
            var pairs: [Labels.Pair] = []
            pairs.reserveCapacity(labelCount)
            for _ in 0..<labelCount {
                let keyPosition = reader.position
                let key = strings[try reader.count(max: strings.count - 1, "label key index")]
                let value = strings[try reader.count(max: strings.count - 1, "label value index")]
                if let last = pairs.last, !(last.key < key) {
                    throw CodecError(byteOffset: keyPosition, reason: "label keys not strictly ascending")
                }
                pairs.append(Labels.Pair(key: key, value: value))
            }
            let kindCode = try reader.byte()
            guard let kind = MetricKind(rawValue: kindCode) else {
                throw CodecError(byteOffset: reader.position - 1, reason: "unknown metric kind \(kindCode)")
            }
            let samples = try reader.count(max: eventCount - sampleCountTotal, "series sample count")
            sampleCountTotal += samples
            let key = SeriesKey(name: name, labels: labelCount == 0 ? .empty : Labels(sortedPairs: pairs))
            if let violation = EventDomain.violation(of: key) {
                throw CodecError(byteOffset: declarationPosition, reason: "series outside what the log holds: \(violation)")
            }
            templates.append(MetricSample(series: key, value: 0, kind: kind))
            sampleCounts.append(samples)
            ends.append(sampleCountTotal)
        }
        try reader.expectEnd("series")
    }
}
