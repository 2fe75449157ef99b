/// Writes events in the public JSON form, one compact object per event, keys in a
/// fixed order, `ts` as integer nanoseconds, so export → import gives the same events.
public struct EventJSONEncoder: Sendable {
    public init() {}

    public func encode(_ event: Event, offset: UInt64? = nil) -> String {
        var writer = JSONWriter()
        write(event, offset: offset, to: &writer)
        return writer.string
    }

    public func write(_ event: Event, offset: UInt64? = nil, to writer: inout JSONWriter) {
        writer.beginObject()
        writer.member("type", event.type.name)
        writer.member("ts", event.timeNs)
        if let offset { writer.member("offset", offset) }
        switch event.body {
        case .metric(let m):
            writer.member("name", m.series.name)
            if !m.series.labels.isEmpty {
                writer.key("labels")
                writer.beginObject()
                for pair in m.series.labels.pairs { writer.member(pair.key, pair.value) }
                writer.endObject()
            }
            // JSON has no NaN nor infinity: a stale marker is `"stale":true` in place of
            // the value, the others Prometheus's strings (`"NaN"`, `"+Inf"`, `"-Inf"`).
            if m.isStaleMarker {
                writer.member("stale", true)
            } else if m.value.isFinite {
                writer.member("value", m.value)
            } else {
                writer.member("value", m.value.isNaN ? "NaN" : m.value > 0 ? "+Inf" : "-Inf")
            }
            writer.member("kind", m.kind.name)
        case .op(let o):
            writer.member("name", o.name)
            if let p = o.protocol { writer.member("protocol", p) }
            writer.member("durationMs", o.durationMs)
            writer.member("ok", o.ok)
        case .breaker(let b):
            writer.member("connection", b.connection)
            writer.member("from", b.from.rawValue)
            writer.member("to", b.to.rawValue)
            writer.member("failures", b.failures)
            if let r = b.reason { writer.member("reason", r) }
        case .connection(let c):
            writer.member("connection", c.connection)
            writer.key("monitors")
            writer.beginArray()
            for m in c.monitors { writer.value(m) }
            writer.endArray()
            writer.member("load", c.load)
            writer.member("tps", c.tps)
            writer.member("parseRate", c.parseRate)
            writer.member("latencyMs", c.latencyMs)
        case .alert(let a):
            writer.member("id", a.id)
            writer.member("severity", a.severity.rawValue)
            writer.member("kind", a.kind)
            writer.member("message", a.message)
            if let v = a.connection { writer.member("connection", v) }
            if let v = a.metric { writer.member("metric", v) }
            if let v = a.threshold { writer.member("threshold", v) }
            if let v = a.value { writer.member("value", v) }
            if let v = a.dataJSON {
                writer.key("data")
                writer.raw(v)
            }
        case .alertAck(let a):
            writer.member("id", a.id)
            if let by = a.by { writer.member("by", by) }
        case .alertResolve(let a):
            writer.member("id", a.id)
        case .optimization(let o):
            writer.member("mode", o.mode.rawValue)
            writer.member("efficiency", o.efficiency)
            writer.key("params")
            writer.beginObject()
            writer.member("batchSize", o.params.batchSize)
            writer.member("batchTimeoutMs", o.params.batchTimeoutMs)
            writer.member("cacheTTLMultiplier", o.params.cacheTTLMultiplier)
            writer.member("maxConcurrentOps", o.params.maxConcurrentOps)
            writer.endObject()
            if let r = o.reason { writer.member("reason", r) }
        case .cache(let c):
            writer.member("cache", c.cache)
            writer.member("hits", c.hits)
            writer.member("misses", c.misses)
            writer.member("evictions", c.evictions)
            writer.member("sizeBytes", c.sizeBytes)
            writer.member("entries", c.entries)
            writer.member("compressionRatio", c.compressionRatio)
            writer.member("avgTTLms", c.avgTTLms)
        case .batch(let b):
            writer.member("size", b.size)
            if let o = b.optimalSize { writer.member("optimalSize", o) }
            writer.member("latencyMs", b.latencyMs)
            writer.member("queueDepth", b.queueDepth)
            writer.key("priority")
            writer.beginObject()
            writer.member("high", b.priority.high)
            writer.member("medium", b.priority.medium)
            writer.member("low", b.priority.low)
            writer.endObject()
        case .annotation(let a):
            writer.member("text", a.text)
            writer.key("tags")
            writer.beginArray()
            for t in a.tags { writer.value(t) }
            writer.endArray()
        }
        writer.endObject()
    }
}
