/// A metric series as declared in a batch: the same name and labels used as gauge
/// and as counter are two declarations, so kinds need no column of their own.
struct DeclaredSeries: Hashable {
    let key: SeriesKey
    let kind: MetricKind
}

/// Builds one payload of encoding 1 (see `BatchCodec`): events are appended one by
/// one into per-section buffers, then `finish` writes the sections in order.
struct BatchEncoder {
    private var eventCount = 0
    private var stringTable: PayloadWriter
    private var stringIndex: [String: Int] = [:]
    private var seriesIndex: [DeclaredSeries: Int] = [:]
    private var series: [DeclaredSeries] = []
    private var typeRuns: PayloadWriter
    private var typeRunCount = 0
    private var runType: EventType?
    private var runLength = 0
    private var times: TimeColumn
    private var previousSeriesId = -1
    private var metricSeries: [Int32] = []
    private var metricValues: [Double] = []
    var rows: PayloadWriter

    init(expectedEventCount: Int) {
        stringTable = PayloadWriter(reservingCapacity: 1024)
        typeRuns = PayloadWriter(reservingCapacity: 16)
        times = TimeColumn(reservingCapacity: expectedEventCount)
        rows = PayloadWriter(reservingCapacity: 64)
        metricSeries.reserveCapacity(expectedEventCount)
        metricValues.reserveCapacity(expectedEventCount)
    }

    mutating func append(_ event: Event) {
        eventCount += 1
        appendType(event.type)
        times.append(event.timeNs)
        switch event.body {
        case .metric(let sample):
            appendMetric(sample)
        default:
            appendRow(event.body)
        }
    }

    /// The index of `text` in the string table, adding it on first use.
    mutating func intern(_ text: String) -> Int {
        if let index = stringIndex[text] { return index }
        let utf8Count = text.utf8.count
        precondition(utf8Count <= EventLimits.dataBytesMax, "string of \(utf8Count) bytes exceeds EventLimits")
        let index = stringIndex.count
        stringIndex[text] = index
        stringTable.varint(utf8Count)
        stringTable.bytes.append(contentsOf: text.utf8)
        return index
    }

    private mutating func appendType(_ type: EventType) {
        if type == runType {
            runLength += 1
            return
        }
        flushTypeRun()
        runType = type
        runLength = 1
    }

    private mutating func flushTypeRun() {
        guard let runType else { return }
        typeRuns.byte(runType.rawValue)
        typeRuns.varint(runLength)
        typeRunCount += 1
    }

    private mutating func appendMetric(_ sample: MetricSample) {
        let declared = DeclaredSeries(key: sample.series, kind: sample.kind)
        let id: Int
        let predicted = previousSeriesId + 1
        if predicted < series.count, series[predicted] == declared {
            // Scrapes repeat their series in the same order: the next id is usually
            // the one after the last, and comparing is cheaper than hashing.
            id = predicted
        } else if let known = seriesIndex[declared] {
            id = known
        } else {
            id = declare(declared)
        }
        previousSeriesId = id
        metricSeries.append(Int32(id))
        metricValues.append(sample.value)
    }

    private mutating func declare(_ declared: DeclaredSeries) -> Int {
        precondition(declared.key.labels.count <= EventLimits.labelsCountMax, "series with more than \(EventLimits.labelsCountMax) labels")
        let id = series.count
        seriesIndex[declared] = id
        series.append(declared)
        // Intern now so the string table holds the series' strings in first-use order.
        _ = intern(declared.key.name)
        for pair in declared.key.labels.pairs {
            _ = intern(pair.key)
            _ = intern(pair.value)
        }
        return id
    }

    mutating func finish(into out: inout [UInt8]) {
        flushTypeRun()
        var header = PayloadWriter(reservingCapacity: 16)
        header.byte(BatchCodec.currentEncoding)
        header.varint(eventCount)

        var strings = PayloadWriter(reservingCapacity: stringTable.bytes.count + 8)
        strings.varint(stringIndex.count)
        strings.bytes.append(contentsOf: stringTable.bytes)

        var seriesSampleCounts = [Int](repeating: 0, count: series.count)
        var seriesIds = PayloadWriter(reservingCapacity: metricSeries.count + 16)
        var previousId = -1
        for id32 in metricSeries {
            let id = Int(id32)
            seriesSampleCounts[id] += 1
            seriesIds.zigzag(Int64(id - (previousId + 1)))
            previousId = id
        }

        var declarations = PayloadWriter(reservingCapacity: series.count * 8 + 8)
        declarations.varint(series.count)
        for (id, declared) in series.enumerated() {
            declarations.varint(intern(declared.key.name))
            declarations.varint(declared.key.labels.count)
            for pair in declared.key.labels.pairs {
                declarations.varint(intern(pair.key))
                declarations.varint(intern(pair.value))
            }
            declarations.byte(declared.kind.rawValue)
            declarations.varint(seriesSampleCounts[id])
        }

        var types = PayloadWriter(reservingCapacity: typeRuns.bytes.count + 8)
        types.varint(typeRunCount)
        types.bytes.append(contentsOf: typeRuns.bytes)

        var timeSection = PayloadWriter(reservingCapacity: eventCount + 16)
        times.write(into: &timeSection)

        let values = encodeValues(seriesSampleCounts)

        out.append(contentsOf: header.bytes)
        var body = PayloadWriter(reservingCapacity: 0)
        swap(&body.bytes, &out)
        body.section(strings)
        body.section(declarations)
        body.section(types)
        body.section(timeSection)
        body.section(seriesIds)
        body.section(values)
        body.section(rows)
        swap(&body.bytes, &out)
    }

    /// The values grouped by series (counting sort by series id), each series
    /// encoded as one `ValueColumn`.
    private func encodeValues(_ seriesSampleCounts: [Int]) -> PayloadWriter {
        var starts = [Int](repeating: 0, count: series.count + 1)
        for id in 0..<series.count { starts[id + 1] = starts[id] + seriesSampleCounts[id] }
        var cursors = starts
        var grouped = [Double](repeating: 0, count: metricValues.count)
        for index in 0..<metricValues.count {
            let id = Int(metricSeries[index])
            grouped[cursors[id]] = metricValues[index]
            cursors[id] += 1
        }
        var writer = PayloadWriter(reservingCapacity: metricValues.count * 2 + series.count)
        var scratch: [Int64] = []
        grouped.withUnsafeBufferPointer { all in
            for id in 0..<series.count {
                let slice = UnsafeBufferPointer(rebasing: all[starts[id]..<starts[id + 1]])
                ValueColumn.encode(slice, scratch: &scratch, into: &writer)
            }
        }
        return writer
    }
}
