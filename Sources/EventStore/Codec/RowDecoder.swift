/// Reads the row section written by `BatchEncoder.appendRow`, checking every string
/// index, enum code and optional flag.
enum RowDecoder {
    static func body(of type: EventType, from rows: inout PayloadReader, strings: [String]) throws(CodecError) -> EventBody {
        var r = RowFields(reader: rows, strings: strings)
        defer { rows = r.reader }
        switch type {
        case .metric:
            preconditionFailure("metric events are decoded from the metric columns")
        case .op:
            let name = try r.string()
            let proto = try r.optionalString()
            let durationMs = try r.reader.double()
            return .op(Operation(name: name, protocol: proto, durationMs: durationMs, ok: try r.flag()))
        case .breaker:
            let connection = try r.string()
            let from = try r.code(BreakerState.init(code:), "breaker state")
            let to = try r.code(BreakerState.init(code:), "breaker state")
            let failures = try r.reader.zigzag()
            return .breaker(BreakerTransition(connection: connection, from: from, to: to, failures: failures, reason: try r.optionalString()))
        case .connection:
            let connection = try r.string()
            let monitors = try r.strings(countMax: EventLimits.monitorsCountMax)
            return .connection(ConnectionReport(
                connection: connection, monitors: monitors, load: try r.reader.double(), tps: try r.reader.double(),
                parseRate: try r.reader.double(), latencyMs: try r.reader.double()))
        case .alert:
            let id = try r.string()
            let severity = try r.code(AlertSeverity.init(code:), "alert severity")
            let kind = try r.string()
            let message = try r.string()
            let connection = try r.optionalString()
            let metric = try r.optionalString()
            let dataJSON = try r.optionalString()
            let present = try r.flags(max: 3)
            let threshold = present & 1 != 0 ? try r.reader.double() : nil
            let value = present & 2 != 0 ? try r.reader.double() : nil
            return .alert(AlertRaised(
                id: id, severity: severity, kind: kind, message: message, connection: connection,
                metric: metric, threshold: threshold, value: value, dataJSON: dataJSON))
        case .alertAck:
            let id = try r.string()
            return .alertAck(AlertAck(id: id, by: try r.optionalString()))
        case .alertResolve:
            return .alertResolve(AlertResolve(id: try r.string()))
        case .optimization:
            let mode: OptimizationMode = try r.flag() ? .manual : .auto
            let efficiency = try r.reader.double()
            let params = OptimizationParams(
                batchSize: try r.reader.double(), batchTimeoutMs: try r.reader.double(),
                cacheTTLMultiplier: try r.reader.double(), maxConcurrentOps: try r.reader.double())
            return .optimization(OptimizationChange(mode: mode, efficiency: efficiency, params: params, reason: try r.optionalString()))
        case .cache:
            return .cache(CacheReport(
                cache: try r.string(), hits: try r.reader.varint(), misses: try r.reader.varint(),
                evictions: try r.reader.varint(), sizeBytes: try r.reader.varint(), entries: try r.reader.varint(),
                compressionRatio: try r.reader.double(), avgTTLms: try r.reader.double()))
        case .batch:
            let size = try r.reader.varint()
            let optimalSize = try r.flag() ? try r.reader.varint() : nil
            let latencyMs = try r.reader.double()
            let queueDepth = try r.reader.varint()
            let priority = PriorityCounts(high: try r.reader.varint(), medium: try r.reader.varint(), low: try r.reader.varint())
            return .batch(BatchReport(size: size, optimalSize: optimalSize, latencyMs: latencyMs, queueDepth: queueDepth, priority: priority))
        case .annotation:
            let text = try r.string()
            return .annotation(Annotation(text: text, tags: try r.strings(countMax: EventLimits.tagsCountMax)))
        }
    }
}

/// Typed field reads over the row section.
private struct RowFields {
    var reader: PayloadReader
    let strings: [String]

    mutating func string() throws(CodecError) -> String {
        strings[try reader.count(max: strings.count - 1, "string index")]
    }

    mutating func optionalString() throws(CodecError) -> String? {
        let reference = try reader.count(max: strings.count, "optional string index")
        return reference == 0 ? nil : strings[reference - 1]
    }

    mutating func strings(countMax: Int) throws(CodecError) -> [String] {
        let count = try reader.count(max: countMax, "string list length")
        var result: [String] = []
        result.reserveCapacity(count)
        for _ in 0..<count { result.append(try string()) }
        return result
    }

    mutating func flag() throws(CodecError) -> Bool {
        try flags(max: 1) == 1
    }

    mutating func flags(max: UInt8) throws(CodecError) -> UInt8 {
        let value = try reader.byte()
        guard value <= max else { throw CodecError(byteOffset: reader.position - 1, reason: "flags byte \(value) exceeds \(max)") }
        return value
    }

    mutating func code<T>(_ make: (UInt8) -> T?, _ what: String) throws(CodecError) -> T {
        let value = try reader.byte()
        guard let decoded = make(value) else { throw CodecError(byteOffset: reader.position - 1, reason: "unknown \(what) code \(value)") }
        return decoded
    }
}
