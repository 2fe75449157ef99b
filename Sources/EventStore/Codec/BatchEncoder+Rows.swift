/// The row section: non-metric events, field by field in a fixed order per type.
/// Strings are string-table indices (optional ones as index + 1, 0 for absent),
/// integers varints, doubles raw little-endian, enums their stable `code`s, and
/// the presence of optional non-string fields a flags byte.
extension BatchEncoder {
    mutating func appendRow(_ body: EventBody) {
        switch body {
        case .metric:
            preconditionFailure("metric events go to the metric columns")
        case .op(let op):
            rows.varint(intern(op.name))
            rowOptional(op.protocol)
            rows.double(op.durationMs)
            rows.byte(op.ok ? 1 : 0)
        case .breaker(let breaker):
            rows.varint(intern(breaker.connection))
            rows.byte(breaker.from.code)
            rows.byte(breaker.to.code)
            rows.zigzag(breaker.failures)
            rowOptional(breaker.reason)
        case .connection(let report):
            rows.varint(intern(report.connection))
            rowStrings(report.monitors, countMax: EventLimits.monitorsCountMax)
            rows.double(report.load)
            rows.double(report.tps)
            rows.double(report.parseRate)
            rows.double(report.latencyMs)
        case .alert(let alert):
            rows.varint(intern(alert.id))
            rows.byte(alert.severity.code)
            rows.varint(intern(alert.kind))
            rows.varint(intern(alert.message))
            rowOptional(alert.connection)
            rowOptional(alert.metric)
            rowOptional(alert.dataJSON)
            rows.byte((alert.threshold == nil ? 0 : 1) | (alert.value == nil ? 0 : 2))
            if let threshold = alert.threshold { rows.double(threshold) }
            if let value = alert.value { rows.double(value) }
        case .alertAck(let ack):
            rows.varint(intern(ack.id))
            rowOptional(ack.by)
        case .alertResolve(let resolve):
            rows.varint(intern(resolve.id))
        case .optimization(let change):
            rows.byte(change.mode == .auto ? 0 : 1)
            rows.double(change.efficiency)
            rows.double(change.params.batchSize)
            rows.double(change.params.batchTimeoutMs)
            rows.double(change.params.cacheTTLMultiplier)
            rows.double(change.params.maxConcurrentOps)
            rowOptional(change.reason)
        case .cache(let report):
            rows.varint(intern(report.cache))
            rows.varint(report.hits)
            rows.varint(report.misses)
            rows.varint(report.evictions)
            rows.varint(report.sizeBytes)
            rows.varint(report.entries)
            rows.double(report.compressionRatio)
            rows.double(report.avgTTLms)
        case .batch(let report):
            rows.varint(report.size)
            rows.byte(report.optimalSize == nil ? 0 : 1)
            if let optimalSize = report.optimalSize { rows.varint(optimalSize) }
            rows.double(report.latencyMs)
            rows.varint(report.queueDepth)
            rows.varint(report.priority.high)
            rows.varint(report.priority.medium)
            rows.varint(report.priority.low)
        case .annotation(let annotation):
            rows.varint(intern(annotation.text))
            rowStrings(annotation.tags, countMax: EventLimits.tagsCountMax)
        }
    }

    private mutating func rowOptional(_ text: String?) {
        guard let text else {
            rows.varint(0)
            return
        }
        rows.varint(intern(text) + 1)
    }

    private mutating func rowStrings(_ texts: [String], countMax: Int) {
        precondition(texts.count <= countMax, "\(texts.count) strings exceed the limit of \(countMax)")
        rows.varint(texts.count)
        for text in texts { rows.varint(intern(text)) }
    }
}
